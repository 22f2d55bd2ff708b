#include "commands/model_data.hpp"

#include "cli/cli.hpp"
#include "gradplug/csv.hpp"
#include "gradplug/error.hpp"
#include "gradplug/loss.hpp"

namespace gradplug::host {

namespace po = boost::program_options;

void add_model_and_data_options(po::options_description& options) {
  options.add_options()("help", "show this help")("model", po::value<std::string>(),
                                                  "a run directory or model.json")(
      "data", po::value<std::string>(), "a CSV file with the model's feature columns (by name)")(
      "plugin-dir", po::value<std::vector<std::string>>()->composing(),
      "also load plugins from DIR (repeatable)");
}

LoadedModel load_model_for(const po::variables_map& vm, const std::string& command) {
  if (!vm.count("model") || !vm.count("data"))
    throw Error("gradplug " + command + ": usage: gradplug " + command +
                " RUN_DIR_OR_MODEL DATA.csv");
  const Registry registry =
      load_registry(vm.count("plugin-dir") ? vm["plugin-dir"].as<std::vector<std::string>>()
                                           : std::vector<std::string>{});
  return read_model(model_path(vm["model"].as<std::string>()), registry);
}

ModelAndData load_model_and_data(const po::variables_map& vm, const std::string& command,
                                 bool require_target) {
  ModelAndData l{load_model_for(vm, command), {}};
  const bool classification = loss_is_classification(l.model.loss);
  l.data = load_csv_for_model(
      vm["data"].as<std::string>(), l.model.feature_names, l.model.target_name,
      classification ? l.model.class_names : std::vector<std::string>{}, require_target);
  if (!require_target) l.data.y.clear();
  l.model.standardizer.apply(l.data);
  return l;
}

}  // namespace gradplug::host
