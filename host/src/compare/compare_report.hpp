// The results of a comparison: per run, per variant (mean and spread over seeds), as a table in
// several formats, compare.csv, summary.json and pictures.
#pragma once

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

namespace gradplug::host {

struct RunInfo {
  std::string variant, base;       // the full label, and the label before sweeps
  std::vector<std::string> sweep;  // swept values
  std::uint64_t seed = 0;
  std::filesystem::path run_dir, log;
  std::string status = "not run";  // ok, failed, timed out, cancelled
  double process_seconds = 0;
  // From the run's files:
  std::string split = "train";  // which figures: validation when the config has that split
  double final_loss = NAN, best_loss = NAN, final_accuracy = NAN, train_seconds = NAN;
  std::size_t steps = 0, steps_to_target = 0;  // 0: not reached
  std::vector<double> curve;                   // training loss per step
  std::string failure;                         // the run's last message, when it failed
};

struct Stat {
  double mean = NAN, sd = NAN, min = NAN, max = NAN;
  std::size_t n = 0;
};

struct VariantSummary {
  std::string label, base;
  std::vector<std::string> sweep;
  Stat final_loss, best_loss, final_accuracy, steps_to_target, seconds;
  std::size_t runs = 0, succeeded = 0, reached_target = 0;
  std::size_t rank = 0;  // 1 = lowest mean final loss; 0 = no successful run
};

struct CompareReport {
  std::string title, command;
  std::vector<std::string> sweep_keys;
  double target_loss = NAN;
  std::string split = "train";
  std::vector<RunInfo> runs;
  std::vector<VariantSummary> variants;  // in the order they were given
};

// Reads every run's summary.json and metrics.csv and aggregates per variant. A run given as "ok"
// (it has a summary.json) becomes "failed" when that file is damaged and "diverged" when it
// stopped at a non-finite loss. target_loss NaN:
// the worst variant's mean final training loss, so every variant that converges reaches it.
CompareReport collect(std::vector<RunInfo> runs, double target_loss);

// Throws gradplug::Error naming --format unless it is one render_table knows.
void check_table_format(const std::string& format);

// table (aligned columns), markdown, csv or json.
std::string render_table(const CompareReport& report, const std::string& format);

// compare.csv (one row per run), summary.json, loss.svg and, for sweeps, sensitivity.svg.
void write_outputs(const CompareReport& report, const std::filesystem::path& out, bool log_y);

}  // namespace gradplug::host
