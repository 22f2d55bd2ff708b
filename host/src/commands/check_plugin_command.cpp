// gradplug check-plugin FILE.so: the conformance kit (gradplug/conformance.hpp) on one plugin
// file, one line per check on stdout ("PASS  name: why" or "FAIL  name: why"), then a summary.
// Exit 0 when every check passes, 1 when one fails, 2 for bad usage.
#include <signal.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/cli.hpp"
#include "gradplug/conformance.hpp"
#include "gradplug/error.hpp"

namespace gradplug::host {

namespace po = boost::program_options;

namespace {

// The check in progress, for the crash handler (plain storage: a handler may only read it).
char g_current_check[128] = "load";

void on_crash(int signal_number) {
  // Only async-signal-safe calls: a FAIL line naming the check, then exit 1.
  const char* what = signal_number == SIGSEGV   ? "a segmentation fault"
                     : signal_number == SIGFPE  ? "a floating-point exception"
                     : signal_number == SIGBUS  ? "a bus error"
                     : signal_number == SIGILL  ? "an illegal instruction"
                     : signal_number == SIGABRT ? "an abort"
                                                : "a fatal signal";
  const char* parts[] = {"FAIL  ", g_current_check, ": the plugin crashed with ", what,
                         " (a plugin must throw, never crash)\n"};
  for (const char* part : parts) {
    const ssize_t ignored = ::write(STDOUT_FILENO, part, std::strlen(part));
    (void)ignored;
  }
  ::_exit(1);
}

// A plugin named like a built-in works only where the built-in is not loaded: said now, not at
// train time.
void warn_about_builtin_clash(const std::filesystem::path& file) {
  Registry registry;
  registry.scan_directory(Registry::builtin_directory(), true);
  registry.load_file(file);
  std::error_code ec;
  for (const PluginClash& c : registry.clashes())
    if (!std::filesystem::equivalent(c.first, c.second, ec))
      std::cout << "WARN  name: a built-in " << kind_name(c.kind) << " is also named '" << c.name
                << "' (" << escape_control(c.first.string()) << "); a config that names '" << c.name
                << "' is refused while both are loaded: give yours another name\n";
}

// A file that is no compiled library at all is a wrong argument, not a failed check.
void check_is_library(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  char magic[4] = {};
  if (!in) return;  // unreadable: the loader says why
  if (in.read(magic, sizeof magic) && std::memcmp(magic,
                                                  "\x7f"
                                                  "ELF",
                                                  4) == 0)
    return;
  throw Error("gradplug check-plugin: '" + file.string() +
              "' is not a shared library (it does not start with the ELF header of a compiled "
              ".so); give the library a plugin's build produced, e.g. build/my_plugin.so");
}

}  // namespace

int command_check_plugin(const std::vector<std::string>& args) {
  po::options_description options("gradplug check-plugin FILE.so");
  options.add_options()("help", "show this help")("file", po::value<std::string>(),
                                                  "the plugin library to check");
  po::positional_options_description positional;
  positional.add("file", 1);
  const auto vm = parse_command("check-plugin", args, options, positional);
  if (vm.count("help")) {
    std::cout << "Load one plugin library and run the conformance checks of its kind: the "
                 "descriptor, ABI version\nand schema; creation with the defaults and with edge "
                 "values; then, for an activation, f' against\nfinite differences, finite "
                 "outputs and the array forms; for an optimizer, zero gradients, a convex\n"
                 "quadratic, save and restore, determinism; for a regularizer, the penalty's "
                 "gradient and the\ntraining-only transform. Exit 0 when every check passes, 1 "
                 "when one fails.\n\nusage: gradplug check-plugin FILE.so\n\n"
              << options << "\n";
    return 0;
  }
  if (!vm.count("file"))
    throw Error(
        "gradplug check-plugin: missing the plugin file; usage: gradplug check-plugin "
        "FILE.so");
  const std::filesystem::path file = vm["file"].as<std::string>();
  std::error_code ec;
  if (!std::filesystem::exists(file, ec))
    throw Error("gradplug check-plugin: no such file '" + file.string() +
                "'; give the path of a plugin library (.so), e.g. build/my_plugin.so");
  if (std::filesystem::is_directory(file, ec))
    throw Error("gradplug check-plugin: '" + file.string() +
                "' is a directory; give the path of one plugin library (.so) in it");
  check_is_library(file);

  for (int s : {SIGSEGV, SIGFPE, SIGBUS, SIGILL, SIGABRT}) ::signal(s, on_crash);
  ConformanceOptions hooks;
  hooks.on_start = [](const std::string& name) {
    std::snprintf(g_current_check, sizeof g_current_check, "%s", name.c_str());
  };
  hooks.on_result = [](const CheckResult& r) {
    // Escaped: a detail may quote the plugin's own strings.
    std::cout << (r.passed ? "PASS  " : "FAIL  ") << r.name << ": " << escape_control(r.detail)
              << std::endl;
  };
  const std::vector<CheckResult> results = check_plugin_file(file, hooks);
  for (int s : {SIGSEGV, SIGFPE, SIGBUS, SIGILL, SIGABRT}) ::signal(s, SIG_DFL);

  std::size_t failed = 0;
  for (const auto& r : results) failed += r.passed ? 0 : 1;
  if (failed == 0) warn_about_builtin_clash(file);
  if (failed == 0) {
    std::cout << "all " << results.size() << " checks passed: " << file.string() << "\n";
    return 0;
  }
  std::cout << failed << " of " << results.size() << " checks failed: " << file.string() << "\n";
  return 1;
}

}  // namespace gradplug::host
