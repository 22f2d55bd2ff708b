// What predict and evaluate share: their MODEL and DATA arguments, and a model read with its data
// matched by column name and standardized as in training.
#pragma once

#include <boost/program_options.hpp>
#include <string>

#include "gradplug/dataset.hpp"
#include "run/model_file.hpp"

namespace gradplug::host {

struct ModelAndData {
  LoadedModel model;
  Dataset data;
};

// Adds --help, the positional MODEL and DATA, and --plugin-dir.
void add_model_and_data_options(boost::program_options::options_description& options);

// Reads the model the options name (MODEL), with the plugins of --plugin-dir; `command` names
// the command in the usage message.
LoadedModel load_model_for(const boost::program_options::variables_map& vm,
                           const std::string& command);

// Reads the model and the data the options name; require_target: the data must have the target
// column (evaluate), else it is not read (predict).
ModelAndData load_model_and_data(const boost::program_options::variables_map& vm,
                                 const std::string& command, bool require_target);

}  // namespace gradplug::host
