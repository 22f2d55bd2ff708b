// The record a training run leaves: metrics.csv (written as metrics.csv.partial while the run is
// going, renamed when it ends), the metric history behind the plots, and summary.json.
#pragma once

#include <cstdio>
#include <filesystem>
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "gradplug/experiment.hpp"
#include "gradplug/registry.hpp"
#include "gradplug/trainer.hpp"

namespace gradplug::host {

struct Summary {
  std::string name;
  std::filesystem::path run_dir;
  std::size_t steps = 0, steps_planned = 0;
  std::size_t steps_this_session = 0;  // fewer than steps after a resume
  double train_seconds = 0, wall_seconds = 0;
  StepMetrics last;
  FitResult::Stop stop = FitResult::Stop::Finished;
  double best_validation_loss = 0;
  std::size_t best_step = 0;
  bool classification = false;
  std::vector<std::tuple<std::string, std::size_t, Evaluation>>
      evaluations;  // split, rows, figures
  std::vector<std::pair<gp_kind, std::string>> plugins;
  std::string failure;  // non-empty when training stopped on a non-finite loss
};

class RunRecord {
 public:
  explicit RunRecord(bool classification) : classification_(classification) {}
  ~RunRecord();
  RunRecord(const RunRecord&) = delete;
  RunRecord& operator=(const RunRecord&) = delete;

  // A new run: metrics.csv.partial with its header.
  void start(const std::filesystem::path& run_dir);
  // A resumed run: keeps the rows up to `step` (a run killed after its last checkpoint wrote
  // more) and appends after them.
  void resume(const std::filesystem::path& run_dir, std::size_t step);
  void add(const StepMetrics& m, double seconds);
  // The seconds column of the last row (a resumed run continues from it).
  double seconds_so_far() const { return seconds_.empty() ? 0.0 : seconds_.back(); }
  // Flushes and leaves metrics.csv.partial for a later resume.
  void pause();
  // Completes the record: metrics.csv, summary.json and the plots; returns the summary.
  nlohmann::json finish(const Summary& summary, const Registry& registry, const std::string& title);

 private:
  void write_row(const StepMetrics& m, double seconds);

  bool classification_;
  std::filesystem::path dir_;
  std::FILE* file_ = nullptr;
  // History for the plots: per step, and per epoch end.
  std::vector<double> steps_, loss_, accuracy_, seconds_;
  std::vector<double> epoch_steps_, validation_loss_, validation_accuracy_;
};

// The results in words, for the terminal.
void print_summary(std::ostream& out, const Summary& summary, const Experiment& experiment);

}  // namespace gradplug::host
