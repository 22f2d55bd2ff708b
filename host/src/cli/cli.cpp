#include "cli/cli.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <iostream>

#include "cli/flag_numbers.hpp"
#include "cli/suggest.hpp"
#include "gradplug/error.hpp"
#include "gradplug/text.hpp"

namespace gradplug::host {

namespace po = boost::program_options;

namespace {

struct Command {
  std::string name;
  std::string summary;
  int (*run)(const std::vector<std::string>&);
};

const std::vector<Command>& commands() {
  static const std::vector<Command> list = {
      {"train", "train a model from an experiment config (YAML)", command_train},
      {"compare",
       "compare optimizers or variants side by side over seeds and sweeps; the playground",
       command_compare},
      {"report",
       "merge a comparison's runs (local, sharded or from a cluster) into its table and plots",
       command_report},
      {"predict", "predict with a trained model (run directory or model.json) on a CSV file",
       command_predict},
      {"evaluate", "loss, accuracy and confusion matrix of a trained model on labelled CSV data",
       command_evaluate},
      {"graph", "draw the Value graph of one forward and backward pass (Graphviz DOT, SVG)",
       command_graph},
      {"plugins", "list the loaded plugins and their parameters", command_plugins},
      {"new-plugin", "write a ready plugin project (optimizer, activation or regularizer)",
       command_new_plugin},
      {"check-plugin", "run the conformance checks on one plugin library", command_check_plugin},
  };
  return list;
}

std::vector<std::string> command_names() {
  std::vector<std::string> names;
  for (const auto& c : commands()) names.push_back(c.name);
  return names;
}

void print_usage(std::ostream& out) {
  out << "gradplug " << GRADPLUG_VERSION
      << ": train neural networks from first principles; every part a plugin.\n\n"
         "usage: gradplug COMMAND [ARGS...]\n       gradplug COMMAND --help\n\ncommands:\n";
  std::size_t width = 0;  // the longest name, so no name can make the padding negative
  for (const auto& c : commands()) width = std::max(width, c.name.size());
  for (const auto& c : commands()) {
    out << "  " << c.name << std::string(width + 2 - c.name.size(), ' ') << c.summary << "\n";
  }
  out << "\noptions:\n  --help     show this help\n  --version  show the version\n"
         "  --allow-insecure-plugins  load plugins even from directories or files others can write "
         "to\n";
}

std::vector<std::string> flag_names(const po::options_description& options) {
  std::vector<std::string> names;
  for (const auto& option : options.options()) names.push_back("--" + option->long_name());
  return names;
}

}  // namespace

po::variables_map parse_command(const std::string& command, const std::vector<std::string>& args,
                                const po::options_description& options,
                                const po::positional_options_description& positional) {
  const std::string who = "gradplug " + command;
  const auto valid = flag_names(options);
  po::variables_map vm;
  try {
    const auto style =
        po::command_line_style::default_style & ~po::command_line_style::allow_guessing;
    const po::parsed_options parsed =
        po::command_line_parser(args).options(options).positional(positional).style(style).run();
    check_flag_numbers(parsed, options);
    po::store(parsed, vm);
    po::notify(vm);
  } catch (const po::unknown_option& e) {
    const std::string flag = e.get_option_name();
    throw Error(who + ": unknown flag '" + flag + "'" + did_you_mean(flag, valid) +
                "; valid flags: " + join(valid));
  } catch (const po::too_many_positional_options_error&) {
    throw Error(who + ": too many arguments; see 'gradplug " + command + " --help'");
  } catch (const po::error& e) {
    throw Error(who + ": " + e.what() + "; see 'gradplug " + command + " --help'");
  }
  return vm;
}

Registry load_registry(const std::vector<std::string>& plugin_dirs, bool allow_insecure) {
  Registry registry;
  const char* env = std::getenv("GRADPLUG_ALLOW_INSECURE_PLUGINS");
  registry.allow_insecure(allow_insecure || (env && std::string(env) == "1"));
  registry.scan_directory(Registry::builtin_directory(), true);
  if (const char* env = std::getenv("GRADPLUG_PLUGIN_PATH")) {
    for (const auto& dir : Registry::split_path_list(env)) {
      if (first_invalid_utf8(dir.string()) != std::string::npos)
        throw Error("GRADPLUG_PLUGIN_PATH: " + printable_text(dir.string()) +
                    ": the path is not UTF-8 text (another encoding such as Latin-1?)");
      try {
        registry.scan_directory(dir);
      } catch (const Error& e) {
        throw Error("GRADPLUG_PLUGIN_PATH: " + std::string(e.what()));
      }
    }
  }
  for (const auto& dir : plugin_dirs) {
    // A plugin's path is recorded in summary.json, which must be UTF-8.
    if (first_invalid_utf8(dir) != std::string::npos)
      throw Error("--plugin-dir " + printable_text(dir) +
                  ": the path is not UTF-8 text (another encoding such as Latin-1?)");
    try {
      registry.scan_directory(dir);
    } catch (const Error& e) {
      throw Error("--plugin-dir: " + std::string(e.what()));
    }
  }
  return registry;
}

namespace {

// Output to a full disk or a closed pipe fails at the last flush if not before: a command whose
// output was lost must not exit 0.
int finish_standard_output(int status) {
  std::cout.flush();  // errno still holds the first failed write's reason
  if (std::cout && std::fflush(stdout) == 0 && !std::ferror(stdout)) return status;
  const int err = errno ? errno : EIO;
  std::cerr << "gradplug: error: cannot write to standard output: " << std::strerror(err) << "\n";
  return status == 0 ? 1 : status;
}

}  // namespace

namespace {

// The command the arguments name, run; a user's Error is printed and gives exit code 2.
int dispatch(const std::vector<std::string>& args) {
  try {
    if (args.empty()) {
      print_usage(std::cerr);
      return 2;
    }
    const std::string first = args.front();
    if (first == "--help" || first == "-h" || first == "help") {
      print_usage(std::cout);
      return 0;
    }
    if (first == "--version") {
      std::cout << "gradplug " << GRADPLUG_VERSION << " (plugin ABI " << GRADPLUG_ABI_VERSION
                << ")\n";
      return 0;
    }
    for (const auto& c : commands())
      if (c.name == first) return c.run(std::vector<std::string>(args.begin() + 1, args.end()));
    const bool is_flag = !first.empty() && first[0] == '-';
    throw Error(std::string(is_flag ? "unknown flag '" : "unknown command '") + first + "'" +
                did_you_mean(first, is_flag ? std::vector<std::string>{"--help", "--version"}
                                            : command_names()) +
                "; commands: " + join(command_names()) + "; flags: --help, --version");
  } catch (const Error& e) {
    std::cerr << "gradplug: error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "gradplug: failed: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace

int run(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  // A flag for every command: passed on through the environment, so runs that compare starts
  // (its own child processes) honour it too.
  const auto insecure = std::find(args.begin(), args.end(), "--allow-insecure-plugins");
  if (insecure != args.end()) {
    args.erase(insecure);
    ::setenv("GRADPLUG_ALLOW_INSECURE_PLUGINS", "1", 1);
  }
  return finish_standard_output(dispatch(args));
}

}  // namespace gradplug::host
