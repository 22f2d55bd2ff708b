// `gradplug evaluate MODEL DATA.csv`: a trained model's loss on labelled data, and for a
// classifier its confusion matrix with accuracy, per-class precision, recall and F1 and their
// macro averages (all from the one matrix), for regression RMSE, MAE and R^2.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/cli.hpp"
#include "commands/model_data.hpp"
#include "gradplug/loss.hpp"
#include "gradplug/metrics.hpp"
#include "gradplug/trainer.hpp"

namespace gradplug::host {

namespace po = boost::program_options;

namespace {

ClassificationMetrics classify(const ModelAndData& l) {
  const LoadedModel& m = l.model;
  std::vector<std::size_t> truth(l.data.rows), predicted(l.data.rows);
  std::vector<double> out(m.model->outputs());
  for (std::size_t r = 0; r < l.data.rows; ++r) {
    m.model->predict(l.data.row(r), out.data());
    truth[r] = static_cast<std::size_t>(l.data.target(r)[0]);
    predicted[r] = predicted_class(m.loss, out.data(), out.size());
  }
  return classification_metrics(truth, predicted, m.class_names.size());
}

RegressionMetrics regress(const ModelAndData& l) {
  const std::size_t n = l.model.model->outputs();
  std::vector<double> predictions(l.data.rows * n);
  for (std::size_t r = 0; r < l.data.rows; ++r)
    l.model.model->predict(l.data.row(r), predictions.data() + r * n);
  return regression_metrics(l.data.y, predictions, n);
}

nlohmann::json scores_json(const RegressionScores& s) {
  return {{"rmse", s.rmse}, {"mae", s.mae}, {"r2", s.r2}};
}

void add_classification_json(nlohmann::json& j, const ClassificationMetrics& c,
                             const std::vector<std::string>& names) {
  j["accuracy"] = c.accuracy;
  j["classes"] = names;
  j["confusion"] = c.confusion;
  nlohmann::json per_class = nlohmann::json::array();
  for (std::size_t k = 0; k < names.size(); ++k) {
    const ClassScores& s = c.classes[k];
    per_class.push_back({{"class", names[k]},
                         {"precision", s.precision},
                         {"recall", s.recall},
                         {"f1", s.f1},
                         {"support", s.support}});
  }
  j["per_class"] = per_class;
  j["macro"] = {{"precision", c.macro_precision}, {"recall", c.macro_recall}, {"f1", c.macro_f1}};
}

void add_regression_json(nlohmann::json& j, const RegressionMetrics& r) {
  j.update(scores_json(r.mean));
  nlohmann::json columns = nlohmann::json::array();
  for (const RegressionScores& s : r.columns) columns.push_back(scores_json(s));
  j["columns"] = columns;
}

std::string padded(const std::string& text, std::size_t width) {
  return std::string(width > text.size() ? width - text.size() : 0, ' ') + text;
}

// Rows: the true class; columns: the predicted class.
void print_confusion(const ClassificationMetrics& c, const std::vector<std::string>& names) {
  std::size_t width = 4;
  for (const auto& name : names) width = std::max(width, name.size() + 1);
  for (const auto& row : c.confusion)
    for (std::size_t v : row) width = std::max(width, std::to_string(v).size() + 1);
  std::cout << "confusion matrix (rows: true class, columns: predicted)\n"
            << std::string(width, ' ');
  for (const auto& name : names) std::cout << padded(name, width);
  std::cout << "\n";
  for (std::size_t i = 0; i < names.size(); ++i) {
    std::cout << padded(names[i], width);
    for (std::size_t v : c.confusion[i]) std::cout << padded(std::to_string(v), width);
    std::cout << "\n";
  }
}

void print_class_scores(const ClassificationMetrics& c, const std::vector<std::string>& names) {
  std::size_t width = std::string("macro avg").size();
  for (const auto& name : names) width = std::max(width, name.size());
  auto line = [&](const std::string& name, double p, double r, double f1, std::size_t support) {
    char figures[96];
    std::snprintf(figures, sizeof figures, "  %9.4f  %6.4f  %6.4f  %7zu", p, r, f1, support);
    std::cout << name << std::string(width - name.size(), ' ') << figures << "\n";
  };
  std::cout << std::string(width, ' ') << "  precision  recall      f1  support\n";
  for (std::size_t k = 0; k < names.size(); ++k) {
    const ClassScores& s = c.classes[k];
    line(names[k], s.precision, s.recall, s.f1, s.support);
  }
  line("macro avg", c.macro_precision, c.macro_recall, c.macro_f1, c.rows);
}

void print_regression(const RegressionMetrics& r) {
  char text[160];
  std::snprintf(text, sizeof text, "  rmse %.6g  mae %.6g  r2 %.6g", r.mean.rmse, r.mean.mae,
                r.mean.r2);
  std::cout << text << "\n";
  if (r.columns.size() < 2) return;
  std::cout << "target          rmse         mae          r2\n";
  for (std::size_t k = 0; k < r.columns.size(); ++k) {
    const RegressionScores& s = r.columns[k];
    std::snprintf(text, sizeof text, "%-6zu  %10.6g  %10.6g  %10.6g", k + 1, s.rmse, s.mae, s.r2);
    std::cout << text << "\n";
  }
}

}  // namespace

int command_evaluate(const std::vector<std::string>& args) {
  po::options_description options("gradplug evaluate RUN_DIR_OR_MODEL DATA.csv [--json]");
  add_model_and_data_options(options);
  options.add_options()("json", "print the figures as JSON");
  po::positional_options_description positional;
  positional.add("model", 1).add("data", 1);
  const auto vm = parse_command("evaluate", args, options, positional);
  if (vm.count("help")) {
    std::cout << "Evaluate a trained model on labelled data: loss; for a classifier accuracy, the\n"
                 "confusion matrix, per-class precision, recall and F1 and their macro averages;\n"
                 "for regression RMSE, MAE and R^2.\n\n"
              << options << "\n";
    return 0;
  }
  const ModelAndData l = load_model_and_data(vm, "evaluate", true);
  const LoadedModel& m = l.model;
  const bool classification = loss_is_classification(m.loss);
  const double loss = Trainer(m.loss, {}).evaluate(*m.model, l.data).loss;
  const ClassificationMetrics c = classification ? classify(l) : ClassificationMetrics{};
  const RegressionMetrics r = classification ? RegressionMetrics{} : regress(l);
  if (vm.count("json")) {
    nlohmann::json j = {{"rows", l.data.rows}, {"loss", loss}};
    if (classification)
      add_classification_json(j, c, m.class_names);
    else
      add_regression_json(j, r);
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  char line[160];
  std::snprintf(line, sizeof line, "rows %zu  loss %.6g", l.data.rows, loss);
  std::cout << line;
  if (!classification) {
    print_regression(r);
    return 0;
  }
  std::snprintf(line, sizeof line, "  accuracy %.2f%%", 100 * c.accuracy);
  std::cout << line << "\n";
  print_confusion(c, m.class_names);
  print_class_scores(c, m.class_names);
  return 0;
}

}  // namespace gradplug::host
