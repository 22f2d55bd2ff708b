// `gradplug predict MODEL INPUT.csv`: one CSV row per input row, the predicted class and its
// probabilities (by the loss's link) or the predicted values. MODEL is a run directory or a
// model.json; inputs are standardized as in training and matched by column name.
#include <iostream>
#include <sstream>

#include "cli/cli.hpp"
#include "commands/model_data.hpp"
#include "gradplug/csv.hpp"
#include "gradplug/loss.hpp"
#include "gradplug/schema.hpp"
#include "run/files.hpp"

namespace gradplug::host {

namespace po = boost::program_options;

namespace {

constexpr std::size_t kRowsPerChunk = 4096;
constexpr std::size_t kHeldBytes = std::size_t{16} << 20;

// The predicted class and one probability per class (or the score of a sign link), or the
// predicted values.
std::string prediction_header(const LoadedModel& m) {
  std::string header = "row";
  if (loss_is_classification(m.loss)) {
    header += ",predicted";
    if (loss_info(m.loss).link == Link::Sign)
      header += ",score";
    else
      for (const auto& c : m.class_names) header += ",p_" + c;
  } else {
    for (std::size_t k = 0; k < m.model->outputs(); ++k)
      header += m.model->outputs() == 1 ? ",prediction" : ",prediction_" + std::to_string(k + 1);
  }
  return header + "\n";
}

// The rest of a row after its number, from the model's outputs.
void write_prediction(std::ostream& csv, const LoadedModel& m, const std::vector<double>& out) {
  if (loss_is_classification(m.loss)) {
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

}  // namespace

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
  const LoadedModel m = load_model_for(vm, "predict");
  // Streamed: a chunk of rows is read, predicted and written at a time, so an input of any length
  // runs in bounded memory. Into a regular file, nothing appears before the last row is written.
  CsvModelRows input(vm["data"].as<std::string>(), m.feature_names);
  const std::string output = vm.count("output") ? vm["output"].as<std::string>() : "-";
  OutputFile out(output, "--output");
  // Held back up to kHeldBytes, so that an input refused in its first rows (the common case)
  // leaves stdout as empty as every other refusal does.
  std::string held = prediction_header(m);
  Dataset chunk;
  std::size_t rows = 0;
  std::vector<double> outputs(m.model->outputs());
  while (input.next(chunk, kRowsPerChunk)) {
    m.standardizer.apply(chunk);
    std::ostringstream csv;
    csv.precision(17);
    for (std::size_t r = 0; r < chunk.rows; ++r) {
      m.model->predict(chunk.row(r), outputs.data());
      csv << ++rows;
      write_prediction(csv, m, outputs);
    }
    held += csv.str();
    if (held.size() > kHeldBytes) {
      out.write(held);
      held.clear();
    }
  }
  out.write(held);
  out.commit();
  if (vm.count("output"))
    std::cerr << "gradplug predict: " << rows << " predictions written to " << output << "\n";
  return 0;
}

}  // namespace gradplug::host
