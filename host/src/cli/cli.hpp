// The gradplug command line: `gradplug COMMAND [ARGS]`, one options description per command
// (Boost.Program_options, no abbreviation guessing).
#pragma once

#include <boost/program_options.hpp>
#include <string>
#include <vector>

#include "gradplug/registry.hpp"

namespace gradplug::host {

// Runs the program; returns the exit code (0 ok, 1 runtime failure, 2 bad input).
int run(int argc, char** argv);

// Parses a command's arguments; unknown flags, missing values and extra arguments become
// gradplug::Error naming the flag and listing the valid ones.
boost::program_options::variables_map parse_command(
    const std::string& command, const std::vector<std::string>& args,
    const boost::program_options::options_description& options,
    const boost::program_options::positional_options_description& positional);

// The built-in plugin directory, then GRADPLUG_PLUGIN_PATH, then each --plugin-dir. Directories
// and files others can write to are refused unless allow_insecure (--allow-insecure-plugins, or
// GRADPLUG_ALLOW_INSECURE_PLUGINS=1).
Registry load_registry(const std::vector<std::string>& plugin_dirs, bool allow_insecure = false);

int command_train(const std::vector<std::string>& args);
int command_plugins(const std::vector<std::string>& args);
int command_predict(const std::vector<std::string>& args);
int command_evaluate(const std::vector<std::string>& args);
int command_graph(const std::vector<std::string>& args);
int command_new_plugin(const std::vector<std::string>& args);
int command_check_plugin(const std::vector<std::string>& args);
int command_compare(const std::vector<std::string>& args);
int command_report(const std::vector<std::string>& args);

}  // namespace gradplug::host
