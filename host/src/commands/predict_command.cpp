// Using a trained model: `gradplug predict MODEL INPUT.csv` writes predictions as CSV, and
// `gradplug evaluate MODEL DATA.csv` prints loss, accuracy and a confusion matrix. MODEL is a run
// directory or a model.json; inputs are standardized as in training and matched by column name.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <numeric>
#include <sstream>

#include "cli/cli.hpp"
#include "gradplug/csv.hpp"
#include "gradplug/error.hpp"
#include "gradplug/loss.hpp"
#include "gradplug/schema.hpp"
#include "gradplug/trainer.hpp"
#include "run/files.hpp"
#include "run/model_file.hpp"

namespace gradplug::host {

namespace po = boost::program_options;

namespace {

struct Loaded {
  LoadedModel model;
  Dataset data;
};

Loaded load(const po::variables_map& vm, const std::string& command, bool require_target) {
  if (!vm.count("model") || !vm.count("data"))
    throw Error("gradplug " + command + ": usage: gradplug " + command +
                " RUN_DIR_OR_MODEL DATA.csv");
  const Registry registry =
      load_registry(vm.count("plugin-dir") ? vm["plugin-dir"].as<std::vector<std::string>>()
                                           : std::vector<std::string>{});
  Loaded l{read_model(model_path(vm["model"].as<std::string>()), registry), {}};
  const bool classification = loss_is_classification(l.model.loss);
  l.data = load_csv_for_model(
      vm["data"].as<std::string>(), l.model.feature_names, l.model.target_name,
      classification ? l.model.class_names : std::vector<std::string>{}, require_target);
  if (!require_target) l.data.y.clear();
  l.model.standardizer.apply(l.data);
  return l;
}

void add_common(po::options_description& options) {
  options.add_options()("help", "show this help")("model", po::value<std::string>(),
                                                  "a run directory or model.json")(
      "data", po::value<std::string>(), "a CSV file with the model's feature columns (by name)")(
      "plugin-dir", po::value<std::vector<std::string>>()->composing(),
      "also load plugins from DIR (repeatable)");
}

}  // namespace

int command_predict(const std::vector<std::string>& args) {
  po::options_description options("gradplug predict RUN_DIR_OR_MODEL INPUT.csv [--output FILE]");
  add_common(options);
  options.add_options()("output", po::value<std::string>(),
                        "write the predictions to FILE (default: stdout)");
  po::positional_options_description positional;
  positional.add("model", 1).add("data", 1);
  const auto vm = parse_command("predict", args, options, positional);
  if (vm.count("help")) {
    std::cout << "Predict with a trained model: one CSV row per input row.\n\n" << options << "\n";
    return 0;
  }
  const Loaded l = load(vm, "predict", false);
  const LoadedModel& m = l.model;
  const bool classification = loss_is_classification(m.loss);
  std::ostringstream csv;
  csv.precision(17);
  // Header: the predicted class and one probability per class, or the predicted values.
  csv << "row";
  if (classification) {
    csv << ",predicted";
    if (loss_info(m.loss).link == Link::Sign)
      csv << ",score";
    else
      for (const auto& c : m.class_names) csv << ",p_" << c;
  } else {
    for (std::size_t k = 0; k < m.model->outputs(); ++k)
      csv << ","
          << (m.model->outputs() == 1 ? "prediction" : "prediction_" + std::to_string(k + 1));
  }
  csv << "\n";
  std::vector<double> out(m.model->outputs());
  for (std::size_t r = 0; r < l.data.rows; ++r) {
    m.model->predict(l.data.row(r), out.data());
    csv << r + 1;
    if (classification) {
      csv << "," << m.class_names[predicted_class(m.loss, out.data(), out.size())];
      if (loss_info(m.loss).link == Link::Sign)
        csv << "," << format_number(out[0]);
      else
        for (double p : class_probabilities(m.loss, out.data(), out.size()))
          csv << "," << format_number(p);
    } else {
      for (double v : out) csv << "," << format_number(v);
    }
    csv << "\n";
  }
  if (vm.count("output")) {
    write_file_atomic(vm["output"].as<std::string>(), csv.str());
    std::cerr << "gradplug predict: " << l.data.rows << " predictions written to "
              << vm["output"].as<std::string>() << "\n";
  } else {
    std::cout << csv.str();
  }
  return 0;
}

int command_evaluate(const std::vector<std::string>& args) {
  po::options_description options("gradplug evaluate RUN_DIR_OR_MODEL DATA.csv [--json]");
  add_common(options);
  options.add_options()("json", "print the figures as JSON");
  po::positional_options_description positional;
  positional.add("model", 1).add("data", 1);
  const auto vm = parse_command("evaluate", args, options, positional);
  if (vm.count("help")) {
    std::cout << "Evaluate a trained model on labelled data: loss, accuracy, confusion matrix.\n\n"
              << options << "\n";
    return 0;
  }
  const Loaded l = load(vm, "evaluate", true);
  const LoadedModel& m = l.model;
  const bool classification = loss_is_classification(m.loss);
  Trainer trainer(m.loss, {});
  const Evaluation e = trainer.evaluate(*m.model, l.data);
  const std::size_t k = m.class_names.size();
  std::vector<std::vector<std::size_t>> confusion(k, std::vector<std::size_t>(k, 0));
  if (classification) {
    std::vector<double> out(m.model->outputs());
    for (std::size_t r = 0; r < l.data.rows; ++r) {
      m.model->predict(l.data.row(r), out.data());
      ++confusion[static_cast<std::size_t>(l.data.target(r)[0])]
                 [predicted_class(m.loss, out.data(), out.size())];
    }
  }
  if (vm.count("json")) {
    nlohmann::json j = {{"rows", l.data.rows}, {"loss", e.loss}};
    if (classification) {
      j["accuracy"] = e.accuracy;
      j["classes"] = m.class_names;
      j["confusion"] = confusion;
    }
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  char line[160];
  std::snprintf(line, sizeof line, "rows %zu  loss %.6g", l.data.rows, e.loss);
  std::cout << line;
  if (classification) {
    std::snprintf(line, sizeof line, "  accuracy %.2f%%", 100 * e.accuracy);
    std::cout << line;
  }
  std::cout << "\n";
  if (classification) {
    // Rows: the true class; columns: the predicted class.
    std::size_t width = 4;
    for (const auto& c : m.class_names) width = std::max(width, c.size() + 1);
    for (const auto& row : confusion)
      for (std::size_t v : row) width = std::max(width, std::to_string(v).size() + 1);
    std::cout << "confusion matrix (rows: true class, columns: predicted)\n"
              << std::string(width, ' ');
    for (const auto& c : m.class_names) std::cout << std::string(width - c.size(), ' ') << c;
    std::cout << "\n";
    for (std::size_t i = 0; i < k; ++i) {
      std::cout << std::string(width - m.class_names[i].size(), ' ') << m.class_names[i];
      for (std::size_t v : confusion[i]) {
        const std::string t = std::to_string(v);
        std::cout << std::string(width - t.size(), ' ') << t;
      }
      std::cout << "\n";
    }
  }
  return 0;
}

}  // namespace gradplug::host
