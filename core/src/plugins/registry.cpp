#include "gradplug/registry.hpp"

#include <unistd.h>

#include <algorithm>
#include <boost/dll/runtime_symbol_info.hpp>
#include <boost/dll/shared_library.hpp>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>

#include "gradplug/error.hpp"
#include "gradplug/schema.hpp"
#include "gradplug/text.hpp"
#include "plugins/plugin_scan.hpp"
#include "plugins/plugin_security.hpp"
#include "plugins/scan_cache.hpp"

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

namespace {

// How long the scanner may take to load one library: GRADPLUG_PLUGIN_SCAN_TIMEOUT seconds
// (default 10).
int scan_timeout_ms() {
  const char* env = std::getenv("GRADPLUG_PLUGIN_SCAN_TIMEOUT");
  const double seconds = env ? std::atof(env) : 0.0;
  return seconds > 0 ? static_cast<int>(seconds * 1000) : 10000;
}

// The descriptor through which the host loads a file, one per file identity for the life of the
// process. The loader knows a library by the name it was opened with ("/proc/self/fd/N") and
// returns the library already loaded under that name, so N must never come to mean another file:
// it stays open. A file loaded again (another Registry) reuses its descriptor.
std::mutex open_files_mutex;
std::map<std::pair<std::uint64_t, std::uint64_t>, int> open_files;

int keep_open(const detail::PluginFile& opened) {
  const std::lock_guard<std::mutex> lock(open_files_mutex);
  const auto [it, inserted] = open_files.try_emplace({opened.device, opened.inode}, opened.fd);
  if (!inserted) ::close(opened.fd);
  return it->second;
}

// Whether this process has loaded the file before: its load-time code already ran here, cleanly.
bool loaded_before(const detail::PluginFile& opened) {
  const std::lock_guard<std::mutex> lock(open_files_mutex);
  return open_files.count({opened.device, opened.inode}) != 0;
}

}  // namespace

std::string escape_control(std::string_view text) { return printable_text(std::string(text)); }

Registry::Registry() = default;
Registry::~Registry() {
  for (const Pending& p : pending_) ::close(p.fd);
}
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
  try {
    for (const auto& file : files) load_one(file, true);
  } catch (...) {
    cache().save();
    throw;
  }
  cache().save();
}

bool Registry::load_file(const fs::path& file) {
  const bool loaded = load_one(file, false);
  cache().save();
  return loaded;
}

bool Registry::skip(const fs::path& file, std::string reason) {
  skipped_.push_back({file, std::move(reason)});
  return false;
}

detail::ScanCache& Registry::cache() {
  if (!cache_) cache_ = std::make_unique<detail::ScanCache>(detail::ScanCache::open_default());
  return *cache_;
}

bool Registry::load_one(const fs::path& file, bool in_checked_directory) {
  if (!allow_insecure_) {
    std::string reason = in_checked_directory ? detail::unsafe_file_in_safe_directory_reason(file)
                                              : detail::unsafe_file_reason(file);
    if (!reason.empty()) return skip(file, std::move(reason));
  }
  detail::PluginFile opened;
  std::string error;
  if (!detail::open_plugin_file(file, opened, error)) return skip(file, error);
  // The scanner's verdict on this very file (by identity), from the cache or a fresh scan.
  const std::string key = fs::absolute(file).lexically_normal().string();
  detail::ScanVerdict verdict;
  if (loaded_before(opened)) {
    verdict.clean = true;
  } else if (const detail::ScanVerdict* known = cache().find(key, opened)) {
    verdict = *known;
  } else {
    verdict = detail::scan_in_child(file, opened, scan_timeout_ms());
    cache().put(key, opened, verdict);
  }
  if (!verdict.clean) {
    ::close(opened.fd);
    return skip(file, verdict.reason);
  }
  if (!loaded_before(opened)) {
    // Known by the scan; its code runs here only once a config (or a listing) uses it.
    if (name_taken(static_cast<gp_kind>(verdict.kind), verdict.name, file)) {
      ::close(opened.fd);
      return false;
    }
    pending_.push_back(Pending{file, opened.fd, opened.device, opened.inode, opened.size,
                               opened.mtime_ns, static_cast<gp_kind>(verdict.kind), verdict.name});
    return true;
  }
  opened.fd = keep_open(opened);
  auto library = std::make_shared<boost::dll::shared_library>();
  if (!detail::load_library(file, opened, *library, error)) return skip(file, error);
  if (std::string problem = detail::descriptor_problem(*library); !problem.empty())
    return skip(file, std::move(problem));
  const auto& descriptor = library->get_alias<const gp_descriptor>(GRADPLUG_DESCRIPTOR_SYMBOL);
  if (name_taken(static_cast<gp_kind>(descriptor.kind), descriptor.name, file)) return false;
  plugins_.push_back(LoadedPlugin{file, &descriptor, std::move(library)});
  return true;
}

// Two of one kind and name: neither is usable under it, but every other plugin is, so a config
// that does not name it still runs.
bool Registry::name_taken(gp_kind kind, const std::string& name, const fs::path& file) {
  for (const LoadedPlugin& other : plugins_)
    if (other.kind() == kind && other.name() == name) {
      clashes_.push_back({kind, name, other.file, file});
      return true;
    }
  for (const Pending& other : pending_)
    if (other.kind == kind && other.name == name) {
      clashes_.push_back({kind, name, other.file, file});
      return true;
    }
  return false;
}

const LoadedPlugin* Registry::load_pending(std::size_t index) const {
  Pending p = std::move(pending_[index]);
  pending_.erase(pending_.begin() + static_cast<std::ptrdiff_t>(index));
  detail::PluginFile opened;
  opened.fd = p.fd;
  opened.device = p.device;
  opened.inode = p.inode;
  opened.size = p.size;
  opened.mtime_ns = p.mtime_ns;
  opened.fd = keep_open(opened);
  auto library = std::make_shared<boost::dll::shared_library>();
  std::string error;
  if (!detail::load_library(p.file, opened, *library, error)) {
    skipped_.push_back({p.file, error});
    return nullptr;
  }
  const std::string problem = detail::descriptor_problem(*library);
  const auto& descriptor = library->get_alias<const gp_descriptor>(GRADPLUG_DESCRIPTOR_SYMBOL);
  if (!problem.empty() || static_cast<gp_kind>(descriptor.kind) != p.kind ||
      p.name != descriptor.name) {
    skipped_.push_back(
        {p.file, problem.empty() ? "its descriptor differs from the one scanned" : problem});
    return nullptr;
  }
  plugins_.push_back(LoadedPlugin{p.file, &descriptor, std::move(library)});
  return &plugins_.back();
}

const std::deque<LoadedPlugin>& Registry::plugins() const {
  while (!pending_.empty()) load_pending(0);
  return plugins_;
}

const PluginClash* Registry::clash(gp_kind kind, std::string_view name) const {
  for (const auto& c : clashes_)
    if (c.kind == kind && c.name == name) return &c;
  return nullptr;
}

std::string PluginClash::message() const {
  return "two " + std::string(kind_name(kind)) + " plugins are named '" + name +
         "': " + first.string() + " and " + second.string() + " (remove or rename one of them)";
}

const LoadedPlugin* Registry::find(gp_kind kind, std::string_view name) const {
  if (const PluginClash* c = clash(kind, name)) throw Error(c->message());
  for (const auto& plugin : plugins_)
    if (plugin.kind() == kind && plugin.name() == name) return &plugin;
  for (std::size_t i = 0; i < pending_.size(); ++i)
    if (pending_[i].kind == kind && pending_[i].name == name) return load_pending(i);
  return nullptr;
}

std::vector<std::string> Registry::names(gp_kind kind) const {
  std::vector<std::string> result;
  for (const auto& plugin : plugins_)
    if (plugin.kind() == kind) result.emplace_back(plugin.name());
  for (const auto& plugin : pending_)
    if (plugin.kind == kind) result.push_back(plugin.name);
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
