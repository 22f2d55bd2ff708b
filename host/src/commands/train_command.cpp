// gradplug train CONFIG.yaml | --resume RUN_DIR: read and check the experiment, train it, and
// keep the run directory complete and resumable (config, command line, split, metrics,
// checkpoints in model.json, summary, plots).
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <nlohmann/json.hpp>
#include <sstream>

#include "run/checksum.hpp"
#include "cli/cli.hpp"
#include "config/config_node.hpp"
#include "config/experiment_config.hpp"
#include "run/files.hpp"
#include "gradplug/error.hpp"
#include "gradplug/schema.hpp"
#include "run/model_file.hpp"
#include "cli/progress.hpp"
#include "run/run_report.hpp"
#include "cli/stop_signal.hpp"

namespace gradplug::host {

namespace po = boost::program_options;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

std::string shell_quote(const std::string& s) {
  if (!s.empty() && s.find_first_not_of(
                        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+") ==
                        std::string::npos)
    return s;
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string describe_model(const ExperimentSpec& spec, std::size_t inputs) {
  std::string shape = std::to_string(inputs);
  for (std::size_t s : spec.layers) shape += "-" + std::to_string(s);
  std::string acts = spec.activations.empty() ? "" : spec.activations.front().name;
  return shape + (acts.empty() ? "" : " " + acts) + ", " + loss_name(spec.loss) + ", " +
         spec.optimizer.name;
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

int command_train(const std::vector<std::string>& args) {
  po::options_description options(
      "gradplug train CONFIG.yaml [options] | gradplug train --resume RUN_DIR");
  options.add_options()("help", "show this help")("config", po::value<std::string>(),
                                                  "the experiment config (YAML)")(
      "set", po::value<std::vector<std::string>>()->composing(),
      "override a config value: --set optimizer.lr=0.05 (repeatable; YAML syntax)")(
      "out", po::value<std::string>(), "the run directory to create (default: runs/<name>-<time>)")(
      "init", po::value<std::string>(),
      "start from the weights of MODEL.json (or a run directory)")(
      "resume", po::value<std::string>(),
      "continue an interrupted run in RUN_DIR to its configured end")(
      "plugin-dir", po::value<std::vector<std::string>>()->composing(),
      "also load plugins from DIR (repeatable)")("quiet", "no progress output")(
      "json", "print the summary as JSON on stdout");
  po::positional_options_description positional;
  positional.add("config", 1);
  const auto vm = parse_command("train", args, options, positional);
  if (vm.count("help")) {
    std::cout << "Train a model from an experiment config and write a run directory.\n\n"
              << options << "\n";
    return 0;
  }
  const bool resume = vm.count("resume") > 0;
  if (resume) {
    for (const char* flag : {"config", "set", "out", "init"})
      if (vm.count(flag))
        throw Error(std::string("gradplug train: --resume continues a run as it was configured; ") +
                    (std::string(flag) == "config"
                         ? "give no config file"
                         : "--" + std::string(flag) + " cannot be changed") +
                    " (the run's own config.yaml is used)");
  } else if (!vm.count("config")) {
    throw Error(
        "gradplug train: missing the experiment config; usage: gradplug train CONFIG.yaml "
        "(see configs/seed.yaml), or gradplug train --resume RUN_DIR");
  }
  const Clock::time_point wall_start = Clock::now();
  const fs::path resume_dir = resume ? fs::path(vm["resume"].as<std::string>()) : fs::path();
  // The run directory is this process's alone from here to the end (run/run_lock.hpp).
  std::optional<RunLock> lock;
  if (resume) {
    std::error_code ec;
    if (fs::is_directory(resume_dir, ec))
      lock.emplace(RunLock::claim(resume_dir, "gradplug train --resume",
                                  "--resume " + resume_dir.string()));
    if (!fs::is_regular_file(resume_dir / "config.yaml", ec) ||
        !fs::is_regular_file(resume_dir / "model.json", ec))
      throw Error(
          "--resume " + resume_dir.string() +
          ": not a resumable run directory (it needs config.yaml and a checkpoint model.json)");
    if (fs::exists(resume_dir / "summary.json", ec))
      throw Error(
          "--resume " + resume_dir.string() +
          ": this run has already finished (summary.json is there); start a new run, or use "
          "--init " +
          resume_dir.string() + " to start from its weights");
  }
  const std::string config_path =
      resume ? (resume_dir / "config.yaml").string() : vm["config"].as<std::string>();
  const auto sets =
      vm.count("set") ? vm["set"].as<std::vector<std::string>>() : std::vector<std::string>{};
  const Registry registry =
      load_registry(vm.count("plugin-dir") ? vm["plugin-dir"].as<std::vector<std::string>>()
                                           : std::vector<std::string>{});

  // Everything is read and checked before anything is written.
  ConfigNode config = load_config_file(config_path);
  for (const auto& assignment : sets) apply_override(config, assignment);
  const ExperimentSpec spec =
      read_experiment(config, registry, fs::path(config_path).stem().string(),
                      fs::path(config_path).parent_path().string());
  Experiment experiment = [&] {
    try {
      return build_experiment(spec, registry);
    } catch (const Error& e) {
      throw Error(with_location(config, e.what()));
    }
  }();
  TrainState state;
  if (vm.count("init")) {
    const fs::path init = model_path(vm["init"].as<std::string>());
    const LoadedModel loaded = read_model(init, registry);
    copy_weights(*loaded.model, *experiment.model, init.string());
  }
  fs::path run_dir;
  RunRecord record(loss_is_classification(spec.loss));
  if (resume) {
    run_dir = resume_dir;
    remove_stale_temporaries(run_dir);
    const LoadedModel loaded = read_model(run_dir / "model.json", registry);
    copy_weights(*loaded.model, *experiment.model, (run_dir / "model.json").string());
    experiment.optimizer->reset(experiment.model->parameters().size());
    try {
      experiment.optimizer->load(loaded.optimizer_state);
    } catch (const std::exception& e) {
      throw Error((run_dir / "model.json").string() +
                  ": optimizer state does not fit: " + e.what());
    }
    check_checkpoint_fits(loaded, experiment.data.rows, experiment.options.steps,
                          (run_dir / "model.json").string());
    state = loaded.train_state;
    record.resume(run_dir, state.step);
  } else {
    ClaimedDirectory claimed = create_run_directory(
        vm.count("out") ? vm["out"].as<std::string>() : "", "runs", spec.name, "gradplug train");
    run_dir = claimed.path;
    lock.emplace(std::move(claimed.lock));
    write_file_atomic(run_dir / "config.yaml", to_yaml(resolved_config(spec, registry)));
    std::string command = "gradplug train";
    for (const auto& a : args) command += " " + shell_quote(a);
    write_file_atomic(run_dir / "command.txt", command + "\n");
    // Which rows of the data set went to which split (0-based, in file order for CSV data).
    write_file_atomic(run_dir / "split.json",
                      nlohmann::json{{"train", experiment.train_rows},
                                     {"validation", experiment.validation_rows},
                                     {"test", experiment.test_rows}}
                              .dump() +
                          "\n");
    record.start(run_dir);
  }
  const bool json_output = vm.count("json") > 0;
  const bool quiet = vm.count("quiet") > 0;
  if (!json_output) {
    std::cout << "gradplug train: " << spec.name << " ("
              << describe_model(spec, experiment.data.features) << ") on " << experiment.data.rows
              << " rows, " << experiment.options.steps << " steps"
              << (resume ? ", resuming at step " + std::to_string(state.step) : std::string())
              << "\n"
              << std::flush;
  }

  // Checkpoints: every checkpoint_every steps (by default every 10 seconds), on a stop signal,
  // and at the end. Where they fall never changes the results: a resumed run continues exactly.
  // Time spent writing files is not training time.
  double file_seconds = 0.0;
  auto checkpoint = [&] {
    write_file_atomic(
        run_dir / "model.json",
        with_checksum(model_to_json(spec, experiment, state, registry)).dump(1, '\t') + "\n");
  };
  Trainer trainer(spec.loss, experiment.regularizers);
  if (!resume) {
    // A run always has a loadable checkpoint, from step 0 on.
    trainer.begin(*experiment.model, experiment.data, *experiment.optimizer, experiment.options,
                  state);
    checkpoint();
  }
  Clock::time_point last_checkpoint = Clock::now();
  auto checkpoint_due = [&](std::size_t step) {
    if (step >= experiment.options.steps) return false;  // the final one follows anyway
    if (spec.checkpoint_every) return step % spec.checkpoint_every == 0;
    return Clock::now() - last_checkpoint > std::chrono::seconds(10);
  };

  Progress progress(stderr, experiment.options.steps, quiet || json_output, state.step);
  const bool classification = loss_is_classification(spec.loss);
  StopSignal stop_signal;
  const Clock::time_point start = Clock::now();
  const double seconds_before = record.seconds_so_far();
  const std::size_t steps_at_start = state.step;
  const FitResult result = trainer.fit(
      *experiment.model, experiment.data, *experiment.optimizer, experiment.options, state,
      [&](const StepMetrics& m) {
        const Clock::time_point t = Clock::now();
        record.add(m, seconds_before + seconds_since(start) - file_seconds);
        if (checkpoint_due(m.step)) {
          checkpoint();
          last_checkpoint = Clock::now();
        }
        file_seconds += seconds_since(t);
        if (!progress.due(m.step)) return StopSignal::received() == 0;
        char status[160];
        std::snprintf(
            status, sizeof status, "epoch %zu  loss %.4g%s", m.epoch, m.loss,
            classification
                ? ("  acc " + std::to_string(static_cast<int>(std::lround(100 * m.accuracy))) + "%")
                      .c_str()
                : "");
        progress.update(m.step, status);
        return StopSignal::received() == 0;
      },
      &experiment.validation);
  const double train_seconds = seconds_since(start) - file_seconds;
  progress.finish();
  checkpoint();

  if (result.stop == FitResult::Stop::Requested) {
    record.pause();
    const int signo = StopSignal::received();
    std::cerr << "gradplug: interrupted after step " << state.step << " of "
              << experiment.options.steps
              << "; checkpoint saved. Resume with: gradplug train --resume "
              << shell_quote(run_dir.string()) << "\n";
    return 128 + signo;
  }

  Summary summary;
  summary.name = spec.name;
  summary.run_dir = run_dir;
  summary.steps = state.step;
  summary.steps_this_session = state.step - steps_at_start;
  summary.steps_planned = experiment.options.steps;
  summary.train_seconds = train_seconds;
  summary.wall_seconds = seconds_since(wall_start);
  summary.last = result.last;
  summary.stop = result.stop;
  summary.best_validation_loss = state.best_validation_loss;
  summary.best_step = state.best_step;
  summary.classification = classification;
  for (const auto& [label, split] :
       {std::pair<std::string, const Dataset*>{"train", &experiment.data},
        {"validation", &experiment.validation},
        {"test", &experiment.test}})
    if (split->rows > 0)
      summary.evaluations.emplace_back(label, split->rows,
                                       trainer.evaluate(*experiment.model, *split));
  for (const auto& a : spec.activations) summary.plugins.emplace_back(GP_KIND_ACTIVATION, a.name);
  summary.plugins.emplace_back(GP_KIND_ACTIVATION, spec.output_activation.name);
  summary.plugins.emplace_back(GP_KIND_OPTIMIZER, spec.optimizer.name);
  for (const auto& r : spec.regularizers) summary.plugins.emplace_back(GP_KIND_REGULARIZER, r.name);
  if (result.stop == FitResult::Stop::NonFinite) {
    summary.failure = "step " + std::to_string(result.failed_step) +
                      ": the loss became non-finite (" + result.failure + ")";
  }
  const nlohmann::json summary_json = record.finish(summary, registry, spec.name);

  if (json_output) {
    std::cout << summary_json.dump(2) << "\n";
  } else {
    print_summary(std::cout, summary, experiment);
  }
  if (result.stop == FitResult::Stop::NonFinite) {
    std::cerr << "gradplug: training stopped at " << summary.failure
              << "; the last finite weights (after step " << state.step << ") are in "
              << (run_dir / "model.json").string()
              << "; try a lower learning rate or training.clip_norm\n";
    return 1;
  }
  return 0;
}

}  // namespace gradplug::host
