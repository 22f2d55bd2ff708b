// gradplug plugins: what is loaded, from where, with every parameter's type, default and doc.
#include <iostream>

#include "cli/cli.hpp"
#include "gradplug/schema.hpp"

namespace gradplug::host {

namespace po = boost::program_options;

int command_plugins(const std::vector<std::string>& args) {
  po::options_description options("gradplug plugins [--plugin-dir DIR]...");
  options.add_options()("help", "show this help")(
      "plugin-dir", po::value<std::vector<std::string>>()->composing(),
      "also load plugins from DIR (repeatable; after GRADPLUG_PLUGIN_PATH)");
  const auto vm = parse_command("plugins", args, options, {});
  if (vm.count("help")) {
    std::cout << "List every loaded plugin: kind, name, version, file, and each parameter.\n\n"
              << options << "\n";
    return 0;
  }
  const Registry registry =
      load_registry(vm.count("plugin-dir") ? vm["plugin-dir"].as<std::vector<std::string>>()
                                           : std::vector<std::string>{});
  for (gp_kind kind : {GP_KIND_ACTIVATION, GP_KIND_OPTIMIZER, GP_KIND_REGULARIZER}) {
    for (const std::string& name : registry.names(kind)) {
      if (registry.clash(kind, name)) continue;  // warned about below
      const LoadedPlugin& plugin = *registry.find(kind, name);
      const gp_descriptor& d = *plugin.descriptor;
      // Names are printable (the registry refuses others); the free text is printed escaped, so
      // a plugin cannot forge lines or send escape sequences to the terminal.
      std::cout << kind_name(kind) << " " << d.name << " "
                << escape_control(d.version ? d.version : "") << "  "
                << escape_control(plugin.file.string()) << "\n  "
                << escape_control(d.description ? d.description : "") << "\n";
      for (std::size_t i = 0; i < d.param_count; ++i) {
        const gp_param& p = d.params[i];
        std::cout << "    " << p.name << " (" << type_name(p.type) << ", default "
                  << escape_control(format_default(p)) << ", "
                  << escape_control(describe_accepted(p))
                  << "): " << escape_control(p.doc ? p.doc : "") << "\n";
      }
    }
  }
  for (const PluginClash& c : registry.clashes())
    std::cerr << "gradplug: warning: " << escape_control(c.message())
              << "; a config that names it is refused\n";
  for (const auto& skip : registry.skipped())
    std::cerr << "gradplug: warning: skipped " << escape_control(skip.file.string()) << ": "
              << escape_control(skip.reason) << "\n";
  return 0;
}

}  // namespace gradplug::host
