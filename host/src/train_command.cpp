// gradplug train CONFIG.yaml: read and check the experiment, train it, and leave a run directory
// (resolved config, command line, metrics.csv, summary.json).
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli.hpp"
#include "config_node.hpp"
#include "experiment_config.hpp"
#include "files.hpp"
#include "gradplug/error.hpp"
#include "gradplug/schema.hpp"
#include "progress.hpp"

namespace gradplug::host {

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace {

std::string shell_quote(const std::string& s) {
  if (!s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+") == std::string::npos)
    return s;
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string csv_number(double x) { return std::isnan(x) ? "" : format_number(x); }

std::string describe_model(const ExperimentSpec& spec, std::size_t inputs) {
  std::string shape = std::to_string(inputs);
  for (std::size_t s : spec.layers) shape += "-" + std::to_string(s);
  std::string acts = spec.activations.empty() ? "" : spec.activations.front().name;
  return shape + (acts.empty() ? "" : " " + acts) + ", " + loss_name(spec.loss) + ", " + spec.optimizer.name;
}

nlohmann::json plugin_record(const Registry& registry, gp_kind kind, const std::string& name) {
  if (name == "linear") return nullptr;
  const LoadedPlugin& p = registry.get(kind, name);
  return {{"kind", kind_name(kind)}, {"name", name}, {"version", p.descriptor->version},
          {"file", p.file.string()}};
}

}  // namespace

int command_train(const std::vector<std::string>& args) {
  po::options_description options("gradplug train CONFIG.yaml [options]");
  options.add_options()("help", "show this help")(
      "config", po::value<std::string>(), "the experiment config (YAML)")(
      "set", po::value<std::vector<std::string>>()->composing(),
      "override a config value: --set optimizer.lr=0.05 (repeatable; YAML syntax)")(
      "out", po::value<std::string>(), "the run directory to create (default: runs/<name>-<time>)")(
      "plugin-dir", po::value<std::vector<std::string>>()->composing(),
      "also load plugins from DIR (repeatable)")(
      "quiet", "no progress output");
  po::positional_options_description positional;
  positional.add("config", 1);
  const auto vm = parse_command("train", args, options, positional);
  if (vm.count("help")) {
    std::cout << "Train a model from an experiment config and write a run directory.\n\n"
              << options << "\n";
    return 0;
  }
  if (!vm.count("config"))
    throw Error("gradplug train: missing the experiment config; usage: gradplug train CONFIG.yaml "
                "(see configs/seed.yaml)");
  const std::string config_path = vm["config"].as<std::string>();
  const auto sets = vm.count("set") ? vm["set"].as<std::vector<std::string>>() : std::vector<std::string>{};
  const Registry registry = load_registry(
      vm.count("plugin-dir") ? vm["plugin-dir"].as<std::vector<std::string>>() : std::vector<std::string>{});

  // Everything is read and checked before anything is written.
  ConfigNode config = load_config_file(config_path);
  for (const auto& assignment : sets) apply_override(config, assignment);
  const ExperimentSpec spec = read_experiment(config, registry, fs::path(config_path).stem().string(),
                                              fs::path(config_path).parent_path().string());
  Experiment experiment = [&] {
    try {
      return build_experiment(spec, registry);
    } catch (const Error& e) {
      throw Error(with_location(config, e.what()));
    }
  }();

  const fs::path run_dir = create_run_directory(vm.count("out") ? vm["out"].as<std::string>() : "", "runs", spec.name);
  write_file_atomic(run_dir / "config.yaml", to_yaml(resolved_config(spec, registry)));
  std::string command = "gradplug train";
  for (const auto& a : args) command += " " + shell_quote(a);
  write_file_atomic(run_dir / "command.txt", command + "\n");
  // Which rows of the data set went to which split (0-based, in file order for CSV data).
  write_file_atomic(run_dir / "split.json",
                    nlohmann::json{{"train", experiment.train_rows},
                                   {"validation", experiment.validation_rows},
                                   {"test", experiment.test_rows}}.dump() + "\n");

  std::cout << "gradplug train: " << spec.name << " (" << describe_model(spec, experiment.data.features)
            << ") on " << experiment.data.rows << " rows, " << experiment.options.steps << " steps\n"
            << std::flush;

  // metrics.csv is written under a temporary name and renamed when training ends, so a run that
  // stops half-way never leaves a file that looks complete.
  const fs::path metrics_path = run_dir / "metrics.csv";
  const fs::path partial = run_dir / "metrics.csv.partial";
  std::ofstream metrics(partial);
  if (!metrics) throw Error(partial.string() + ": cannot write");
  metrics << "step,epoch,loss,data_loss,accuracy,lr\n";

  Progress progress(stderr, experiment.options.steps, vm.count("quiet") > 0);
  const bool classification = loss_is_classification(spec.loss);
  Trainer trainer(spec.loss, experiment.regularizers);
  const auto start = std::chrono::steady_clock::now();
  bool diverged = false;
  const StepMetrics last = trainer.fit(
      *experiment.model, experiment.data, *experiment.optimizer, experiment.options,
      [&](const StepMetrics& m) {
        metrics << m.step << ',' << m.epoch << ',' << csv_number(m.loss) << ',' << csv_number(m.data_loss)
                << ',' << csv_number(m.accuracy) << ',' << csv_number(m.lr) << '\n';
        char status[96];
        if (classification)
          std::snprintf(status, sizeof status, "loss %.6g  acc %.1f%%", m.loss, 100.0 * m.accuracy);
        else
          std::snprintf(status, sizeof status, "loss %.6g", m.loss);
        progress.update(m.step, status);
        if (!std::isfinite(m.loss)) {
          diverged = true;
          return false;
        }
        return true;
      });
  const double train_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  progress.finish();
  metrics.close();
  if (!metrics) throw Error(partial.string() + ": cannot write");
  fs::rename(partial, metrics_path);

  const Evaluation final_eval = trainer.evaluate(*experiment.model, experiment.data);
  nlohmann::json summary = {
      {"name", spec.name},
      {"gradplug_version", GRADPLUG_VERSION},
      {"steps", last.step},
      {"steps_planned", experiment.options.steps},
      {"diverged", diverged},
      {"train_seconds", train_seconds},
      {"final", {{"loss", last.loss}, {"data_loss", last.data_loss}, {"lr", last.lr}}},
      {"train", {{"loss", final_eval.loss}}},
  };
  if (classification) summary["train"]["accuracy"] = final_eval.accuracy;
  for (const auto& [label, split] : {std::pair<const char*, const Dataset*>{"validation", &experiment.validation},
                                     {"test", &experiment.test}}) {
    if (split->rows == 0) continue;
    const Evaluation e = trainer.evaluate(*experiment.model, *split);
    summary[label] = {{"loss", e.loss}, {"rows", split->rows}};
    if (classification) summary[label]["accuracy"] = e.accuracy;
  }
  nlohmann::json plugins = nlohmann::json::array();
  for (const auto& a : spec.activations) plugins.push_back(plugin_record(registry, GP_KIND_ACTIVATION, a.name));
  plugins.push_back(plugin_record(registry, GP_KIND_ACTIVATION, spec.output_activation.name));
  plugins.push_back(plugin_record(registry, GP_KIND_OPTIMIZER, spec.optimizer.name));
  for (const auto& r : spec.regularizers) plugins.push_back(plugin_record(registry, GP_KIND_REGULARIZER, r.name));
  nlohmann::json unique = nlohmann::json::array();
  for (const auto& p : plugins)
    if (!p.is_null() && std::find(unique.begin(), unique.end(), p) == unique.end()) unique.push_back(p);
  summary["plugins"] = unique;
  write_file_atomic(run_dir / "summary.json", summary.dump(2) + "\n");

  std::cout << (diverged ? "stopped: the loss became non-finite at step " : "done: ")
            << (diverged ? std::to_string(last.step) + "\n" : "")
            << "train data loss " << format_number(final_eval.loss);
  if (classification) {
    char accuracy[32];
    std::snprintf(accuracy, sizeof accuracy, "%.1f%%", 100.0 * final_eval.accuracy);
    std::cout << ", train accuracy " << accuracy;
  }
  if (summary.contains("test")) {
    std::cout << "; test data loss " << format_number(summary["test"]["loss"].get<double>());
    if (classification) {
      char accuracy[32];
      std::snprintf(accuracy, sizeof accuracy, "%.2f%%", 100.0 * summary["test"]["accuracy"].get<double>());
      std::cout << ", test accuracy " << accuracy;
    }
  }
  std::cout << " after " << last.step << " steps in " << std::fixed;
  std::cout.precision(3);
  std::cout << train_seconds << " s\n";
  std::cout.unsetf(std::ios::fixed);
  std::cout.precision(6);
  // Small data sets: show every prediction next to its target.
  const Dataset& data = experiment.data;
  if (data.rows <= 16) {
    std::cout << "predictions (target -> output):\n";
    std::vector<double> out(experiment.model->outputs());
    for (std::size_t r = 0; r < data.rows; ++r) {
      experiment.model->predict(data.row(r), out.data());
      std::cout << "  ";
      for (std::size_t k = 0; k < data.target_columns; ++k) std::cout << (k ? " " : "") << data.target(r)[k];
      std::cout << " ->";
      for (double o : out) std::cout << " " << o;
      std::cout << "\n";
    }
  }
  std::cout << "run directory: " << run_dir.string() << "\n";
  return diverged ? 1 : 0;
}

}  // namespace gradplug::host
