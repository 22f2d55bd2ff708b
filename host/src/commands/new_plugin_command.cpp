// gradplug new-plugin optimizer|activation|regularizer NAME [--dir DIR]: writes a starter project
// (plugin_templates.hpp) into DIR (default ./NAME), which must be new or empty.
#include <boost/dll/runtime_symbol_info.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/cli.hpp"
#include "cli/suggest.hpp"
#include "commands/plugin_templates.hpp"
#include "gradplug/error.hpp"
#include "run/files.hpp"

namespace gradplug::host {

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace {

constexpr const char* kUsage =
    "usage: gradplug new-plugin optimizer|activation|regularizer NAME [--dir DIR]";

bool is_identifier(const std::string& text) {
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  if (text.empty() || !alpha(text[0])) return false;
  for (char c : text)
    if (!alpha(c) && !(c >= '0' && c <= '9')) return false;
  return true;
}

// Target names CMake keeps for itself: the generated project could not use them.
bool reserved_by_cmake(const std::string& name) {
  std::string lower;
  for (char c : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const char* r :
       {"all", "clean", "help", "install", "test", "package", "package_source", "edit_cache",
        "rebuild_cache", "preinstall", "list_install_components", "install_local", "install_strip",
        "depend", "zero_check", "all_build", "run_tests"})
    if (lower == r) return true;
  return false;
}

// The prefix this gradplug runs from, when it holds the CMake package (an install, or a build
// tree, which exports one too); "" otherwise.
std::string sdk_prefix() {
  std::error_code ec;
  const fs::path prefix =
      fs::weakly_canonical(boost::dll::program_location().parent_path() / "..", ec);
  if (ec) return "";
  return fs::exists(prefix / "lib" / "cmake" / "gradplug" / "gradplugConfig.cmake", ec)
             ? prefix.string()
             : "";
}

}  // namespace

int command_new_plugin(const std::vector<std::string>& args) {
  po::options_description options(
      "gradplug new-plugin optimizer|activation|regularizer NAME [--dir DIR]");
  options.add_options()("help", "show this help")(
      "dir", po::value<std::string>(), "write the project here (default: ./NAME); new or empty")(
      "kind", po::value<std::string>(), "optimizer, activation or regularizer")(
      "name", po::value<std::string>(), "the plugin's name, as configs will use it");
  po::positional_options_description positional;
  positional.add("kind", 1).add("name", 1);
  const auto vm = parse_command("new-plugin", args, options, positional);
  if (vm.count("help")) {
    std::cout << "Write a ready plugin project: CMakeLists.txt (builds NAME.so against the "
                 "installed SDK), NAME.cpp\n(a working plugin of that kind to change), NAME.yaml "
                 "(an experiment that trains with it)\nand README.md. It builds and passes "
                 "gradplug check-plugin as written.\n\n"
              << kUsage << "\n\n"
              << options << "\n";
    return 0;
  }
  const std::string who = "gradplug new-plugin: ";
  if (!vm.count("kind") || !vm.count("name"))
    throw Error(who + "missing the plugin " + (vm.count("kind") ? "NAME" : "kind and NAME") + "; " +
                kUsage);
  const std::string kind_text = vm["kind"].as<std::string>();
  const std::vector<std::string> kinds = {"optimizer", "activation", "regularizer"};
  gp_kind kind;
  if (kind_text == "optimizer")
    kind = GP_KIND_OPTIMIZER;
  else if (kind_text == "activation")
    kind = GP_KIND_ACTIVATION;
  else if (kind_text == "regularizer")
    kind = GP_KIND_REGULARIZER;
  else
    throw Error(who + "unknown plugin kind '" + kind_text + "'" + did_you_mean(kind_text, kinds) +
                "; expected optimizer, activation or regularizer");

  const std::string name = vm["name"].as<std::string>();
  if (name.size() > 64)
    throw Error(who + "NAME is " + std::to_string(name.size()) +
                " characters long; a plugin name is at most 64 (configs and files are named "
                "after it)");
  if (!is_identifier(name))
    throw Error(who + "NAME '" + name +
                "' is not a valid identifier; expected a letter or '_' followed by letters, digits "
                "or '_', e.g. my_" +
                kind_text);
  if (reserved_by_cmake(name))
    throw Error(who + "NAME '" + name +
                "' is a target name CMake reserves, so the project could not build it; choose "
                "another, e.g. my_" +
                name);
  {
    Registry builtin;
    builtin.scan_directory(Registry::builtin_directory(), true);
    if (builtin.find(kind, name))
      throw Error(who + "NAME '" + name + "' is already the built-in " + kind_text +
                  " of that name, and two " + kind_text +
                  "s cannot share a name; choose another, e.g. my_" + name);
  }

  const fs::path dir = vm.count("dir") ? fs::path(vm["dir"].as<std::string>()) : fs::path(name);
  const std::string dir_flag =
      vm.count("dir") ? "--dir '" + dir.string() + "'" : "the directory '" + dir.string() + "'";
  std::error_code ec;
  if (fs::exists(dir, ec)) {
    if (!fs::is_directory(dir, ec))
      throw Error(who + dir_flag + " is a file, not a directory; give a new or empty directory" +
                  (vm.count("dir") ? "" : " with --dir DIR"));
    if (!fs::is_empty(dir, ec))
      throw Error(who + dir_flag +
                  " is not empty; give a new or empty directory (nothing was overwritten)" +
                  (vm.count("dir") ? "" : " with --dir DIR"));
  }
  const bool made = !fs::exists(dir, ec);
  fs::create_directories(dir, ec);
  if (ec) throw Error(who + "cannot create " + dir_flag + ": " + ec.message());

  ProjectOptions project;
  project.kind = kind;
  project.name = name;
  project.prefix = sdk_prefix();
  project.gradplug = boost::dll::program_location().string();
  const std::vector<ProjectFile> files = plugin_project(project);
  // All of the project or none of it: a file that cannot be written takes the others back.
  try {
    for (const ProjectFile& file : files) write_file_atomic(dir / file.path, file.text);
  } catch (const Error& e) {
    for (const ProjectFile& file : files) fs::remove(dir / file.path, ec);
    if (made) fs::remove(dir, ec);
    throw Error(who + e.what());
  }

  std::cout << "wrote the " << kind_text << " plugin project '" << name << "' to " << dir.string()
            << ":\n";
  for (const ProjectFile& file : files)
    std::cout << "  " << file.path
              << std::string(file.path.size() < 16 ? 16 - file.path.size() : 1, ' ') << file.what
              << "\n";
  std::cout << "next:\n  cd " << dir.string() << "\n  cmake -S . -B build -DCMAKE_PREFIX_PATH="
            << (project.prefix.empty() ? "<gradplug install prefix>" : project.prefix)
            << "\n  cmake --build build\n  " << project.gradplug << " check-plugin build/" << name
            << ".so\n  " << project.gradplug << " train " << name << ".yaml --plugin-dir build\n";
  return 0;
}

}  // namespace gradplug::host
