#include "gradplug/registry.hpp"

#include <dlfcn.h>

#include <algorithm>
#include <boost/dll/runtime_symbol_info.hpp>
#include <boost/dll/shared_library.hpp>
#include <cstring>

#include "gradplug/error.hpp"
#include "gradplug/schema.hpp"
#include "plugins/plugin_security.hpp"

namespace gradplug {

namespace fs = std::filesystem;

const char* kind_name(gp_kind kind) {
  switch (kind) {
    case GP_KIND_ACTIVATION:
      return "activation";
    case GP_KIND_OPTIMIZER:
      return "optimizer";
    case GP_KIND_REGULARIZER:
      return "regularizer";
  }
  return "unknown";
}

Registry::Registry() = default;
Registry::~Registry() = default;
Registry::Registry(Registry&&) noexcept = default;
Registry& Registry::operator=(Registry&&) noexcept = default;

void Registry::scan_directory(const fs::path& dir, bool optional) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    if (optional) return;
    throw Error("plugin directory '" + dir.string() + "' does not exist or is not a directory");
  }
  if (!allow_insecure_) {
    if (const std::string reason = detail::unsafe_directory_reason(dir); !reason.empty())
      throw Error("refusing to load plugins from " + dir.string() + ": " + reason);
  }
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (entry.path().extension() == ".so" && entry.is_regular_file(ec))
      files.push_back(entry.path());
  if (ec) throw Error("cannot read plugin directory '" + dir.string() + "': " + ec.message());
  std::sort(files.begin(), files.end());
  for (const auto& file : files) load_file(file);
}

bool Registry::load_file(const fs::path& file) {
  if (!allow_insecure_) {
    if (std::string reason = detail::unsafe_file_reason(file); !reason.empty()) {
      skipped_.push_back({file, std::move(reason)});
      return false;
    }
  }
  auto library = std::make_shared<boost::dll::shared_library>();
  boost::dll::fs::error_code ec;
  // rtld_now: every symbol is resolved here; rtld_local: plugins cannot see each other's symbols.
  library->load(file, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local, ec);
  if (ec) {
    // Boost.DLL 1.74 reports every dlopen failure as "bad file descriptor"; ask the loader itself
    // for the real reason (an unresolved symbol, not an ELF file, a wrong architecture, ...).
    std::string reason = ec.message();
    if (void* handle = ::dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL)) {
      ::dlclose(handle);
    } else if (const char* message = ::dlerror()) {
      reason = message;
    }
    skipped_.push_back({file, "cannot be loaded: " + reason});
    return false;
  }
  if (!library->has(GRADPLUG_DESCRIPTOR_SYMBOL)) {
    skipped_.push_back({file, std::string("a library without the '") + GRADPLUG_DESCRIPTOR_SYMBOL +
                                  "' descriptor (not a gradplug plugin)"});
    return false;
  }
  // The ABI version is the first member and the only one read before it is checked.
  const auto abi = library->get_alias<const std::uint32_t>(GRADPLUG_DESCRIPTOR_SYMBOL);
  if (abi != GRADPLUG_ABI_VERSION) {
    skipped_.push_back({file, "built for plugin ABI version " + std::to_string(abi) +
                                  ", this gradplug needs version " +
                                  std::to_string(GRADPLUG_ABI_VERSION) + " (rebuild the plugin)"});
    return false;
  }
  const auto& descriptor = library->get_alias<const gp_descriptor>(GRADPLUG_DESCRIPTOR_SYMBOL);
  const auto kind = static_cast<gp_kind>(descriptor.kind);
  std::string problem;
  if (kind != GP_KIND_ACTIVATION && kind != GP_KIND_OPTIMIZER && kind != GP_KIND_REGULARIZER)
    problem = "unknown plugin kind " + std::to_string(descriptor.kind);
  else if (!descriptor.name || !*descriptor.name)
    problem = "descriptor has no name";
  else if (!descriptor.create || !descriptor.destroy)
    problem = "descriptor lacks create or destroy";
  else if (descriptor.param_count && !descriptor.params)
    problem = "descriptor declares parameters but gives no schema";
  for (std::size_t i = 0; problem.empty() && i < descriptor.param_count; ++i) {
    const gp_param& p = descriptor.params[i];
    if (!p.name || !*p.name) problem = "schema entry " + std::to_string(i) + " has no name";
  }
  if (!problem.empty()) {
    skipped_.push_back({file, problem});
    return false;
  }
  if (const LoadedPlugin* other = find(kind, descriptor.name)) {
    throw Error("two " + std::string(kind_name(kind)) + " plugins are named '" + descriptor.name +
                "': " + other->file.string() + " and " + file.string() +
                " (remove or rename one of them)");
  }
  plugins_.push_back(LoadedPlugin{file, &descriptor, std::move(library)});
  return true;
}

const LoadedPlugin* Registry::find(gp_kind kind, std::string_view name) const {
  for (const auto& plugin : plugins_)
    if (plugin.kind() == kind && plugin.name() == name) return &plugin;
  return nullptr;
}

std::vector<std::string> Registry::names(gp_kind kind) const {
  std::vector<std::string> result;
  for (const auto& plugin : plugins_)
    if (plugin.kind() == kind) result.emplace_back(plugin.name());
  std::sort(result.begin(), result.end());
  return result;
}

const LoadedPlugin& Registry::get(gp_kind kind, std::string_view name) const {
  if (const LoadedPlugin* plugin = find(kind, name)) return *plugin;
  std::string message = "unknown " + std::string(kind_name(kind)) + " '" + std::string(name) + "'";
  const auto known = names(kind);
  message +=
      known.empty() ? "; no " + std::string(kind_name(kind)) + " plugins are loaded" : "; known: ";
  for (std::size_t i = 0; i < known.size(); ++i) message += (i ? ", " : "") + known[i];
  for (const auto& skip : skipped_)
    message += "\n  (skipped " + skip.file.string() + ": " + skip.reason + ")";
  throw Error(message);
}

void* Registry::create_raw(gp_kind kind, std::string_view name, const std::vector<gp_value>& values,
                           const std::string& key_prefix, const LoadedPlugin*& plugin) const {
  plugin = &get(kind, name);
  const gp_descriptor& d = *plugin->descriptor;
  std::vector<gp_value> filled = values.empty() ? default_values(d.params, d.param_count) : values;
  if (filled.size() != d.param_count)
    throw std::logic_error("create: " + std::to_string(filled.size()) + " values for " +
                           std::to_string(d.param_count) + " parameters of " + std::string(name));
  // The one place where values meet the schema: a plugin never sees a value outside its ranges.
  check_values(d.params, d.param_count, filled, key_prefix);
  char error[1024] = {0};
  void* instance = d.create(filled.data(), error, sizeof error);
  if (!instance)
    throw Error(std::string(kind_name(kind)) + " '" + std::string(name) + "' (" +
                plugin->file.string() +
                ") refused its parameters: " + (error[0] ? error : "create returned nothing"));
  return instance;
}

template <class T>
std::shared_ptr<T> Registry::create(gp_kind kind, std::string_view name,
                                    const std::vector<gp_value>& values,
                                    const std::string& key_prefix) const {
  const LoadedPlugin* plugin = nullptr;
  void* instance = create_raw(kind, name, values, key_prefix, plugin);
  // The deleter owns a reference to the library: the code that destroys the object stays mapped.
  auto destroy = plugin->descriptor->destroy;
  auto library = plugin->library;
  return std::shared_ptr<T>(static_cast<T*>(instance),
                            [destroy, library](T* object) { destroy(object); });
}

std::shared_ptr<Activation> Registry::create_activation(std::string_view name,
                                                        const std::vector<gp_value>& values,
                                                        const std::string& key_prefix) const {
  return create<Activation>(GP_KIND_ACTIVATION, name, values, key_prefix);
}
std::shared_ptr<Optimizer> Registry::create_optimizer(std::string_view name,
                                                      const std::vector<gp_value>& values,
                                                      const std::string& key_prefix) const {
  return create<Optimizer>(GP_KIND_OPTIMIZER, name, values, key_prefix);
}
std::shared_ptr<Regularizer> Registry::create_regularizer(std::string_view name,
                                                          const std::vector<gp_value>& values,
                                                          const std::string& key_prefix) const {
  return create<Regularizer>(GP_KIND_REGULARIZER, name, values, key_prefix);
}

fs::path Registry::builtin_directory() {
  return (boost::dll::program_location().parent_path() / ".." / GRADPLUG_PLUGIN_SUBDIR)
      .lexically_normal();
}

std::vector<fs::path> Registry::split_path_list(std::string_view list) {
  std::vector<fs::path> dirs;
  std::size_t start = 0;
  while (start <= list.size()) {
    const std::size_t colon = std::min(list.find(':', start), list.size());
    if (colon > start) dirs.emplace_back(std::string(list.substr(start, colon - start)));
    start = colon + 1;
  }
  return dirs;
}

}  // namespace gradplug
