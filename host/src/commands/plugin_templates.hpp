// The starter project `gradplug new-plugin` writes: a CMakeLists.txt that builds against the
// installed SDK (find_package(gradplug), gradplug_add_plugin), one plugin source that is a working
// example of its kind, a YAML experiment that trains with it, and a README.
#pragma once

#include <string>
#include <vector>

#include "gradplug/abi.h"

namespace gradplug::host {

struct ProjectFile {
  std::string path;  // relative to the project directory
  std::string text;
  std::string what;  // one line for the listing
};

struct ProjectOptions {
  gp_kind kind = GP_KIND_OPTIMIZER;
  std::string name;      // the plugin's name: an identifier
  std::string prefix;    // CMAKE_PREFIX_PATH for the SDK ("" when unknown)
  std::string gradplug;  // how to run gradplug in the README's commands
};

// The class name for a plugin name: "my_adam" -> "MyAdam" ("Plugin" if nothing is left).
std::string class_name_for(const std::string& name);

// Every file of the project, in listing order.
std::vector<ProjectFile> plugin_project(const ProjectOptions& options);

}  // namespace gradplug::host
