// `gradplug predict MODEL INPUT.csv`: one CSV row per input row, the predicted class and its
// probabilities (by the loss's link) or the predicted values. MODEL is a run directory or a
// model.json; inputs are standardized as in training and matched by column name.
#include <iostream>
#include <sstream>

#include "cli/cli.hpp"
#include "commands/model_data.hpp"
#include "gradplug/loss.hpp"
#include "gradplug/schema.hpp"
#include "run/files.hpp"

namespace gradplug::host {

namespace po = boost::program_options;

int command_predict(const std::vector<std::string>& args) {
  po::options_description options("gradplug predict RUN_DIR_OR_MODEL INPUT.csv [--output FILE]");
  add_model_and_data_options(options);
  options.add_options()("output", po::value<std::string>(),
                        "write the predictions to FILE (default: stdout)");
  po::positional_options_description positional;
  positional.add("model", 1).add("data", 1);
  const auto vm = parse_command("predict", args, options, positional);
  if (vm.count("help")) {
    std::cout << "Predict with a trained model: one CSV row per input row.\n\n" << options << "\n";
    return 0;
  }
  const ModelAndData l = load_model_and_data(vm, "predict", false);
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
    write_output_file(vm["output"].as<std::string>(), csv.str(), "--output");
    std::cerr << "gradplug predict: " << l.data.rows << " predictions written to "
              << vm["output"].as<std::string>() << "\n";
  } else {
    std::cout << csv.str();
  }
  return 0;
}

}  // namespace gradplug::host
