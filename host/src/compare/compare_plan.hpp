// The run list of a comparison, fixed before anything runs: every variant x seed with its
// overrides, its folder and its expected cost. It is written to DIR/plan.json, so that shards on
// other machines (`compare --shard I/N`) run exactly their part of the same list, and so that
// `gradplug report DIR` knows which runs should be there, finished or not.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "compare/compare_report.hpp"

namespace gradplug::host {

struct PlannedRun {
  std::string variant, base;       // the full label, and the label before sweeps
  std::vector<std::string> sweep;  // swept values, in --sweep order
  std::vector<std::string> sets;   // the --set overrides that make this variant
  std::uint64_t seed = 0;
  std::string folder;  // runs/<folder>/seed-<seed>
  double cost = 1;     // expected work (samples x weights): balances shards
};

struct ComparePlan {
  std::string title;    // the experiment name
  std::string command;  // the comparison as a user would type it, without sharding flags
  std::vector<std::string> sweep_keys;
  double target_loss = NAN;  // NaN: the worst variant's mean final loss
  bool log_y = false;
  std::vector<PlannedRun> runs;  // variant-major, seeds in order
};

inline constexpr int kPlanFormat = 1;

std::string plan_json(const ComparePlan& plan);

// Reads DIR/plan.json; a missing or damaged file is a gradplug::Error naming it.
ComparePlan read_plan(const std::filesystem::path& dir);

// The same runs in the same order (labels, overrides, seeds and folders)?
bool same_runs(const ComparePlan& a, const ComparePlan& b);

// "I/N" -> {I, N} with 0 <= I < N <= 10000; errors name the flag.
std::pair<std::size_t, std::size_t> parse_shard(const std::string& text);

// The runs (indices into plan.runs, ascending) of shard `index` of `count`. Deterministic and the
// same on every machine: the longest runs are placed first, each on the least-loaded shard
// (ties to the lower shard), so shards take about the same time even when variants differ in size.
std::vector<std::size_t> shard_runs(const ComparePlan& plan, std::size_t index, std::size_t count);

// Where a planned run lives in DIR, and its log and status record beside it.
std::filesystem::path run_directory(const std::filesystem::path& dir, const PlannedRun& run);
std::filesystem::path run_log(const std::filesystem::path& dir, const PlannedRun& run);
std::filesystem::path run_status_file(const std::filesystem::path& dir, const PlannedRun& run);

// Records how a run's process ended (failed, crashed, timed out, cancelled), for runs that leave
// no summary.json; a finished run's own summary.json is its record.
void write_run_status(const std::filesystem::path& dir, const PlannedRun& run,
                      const std::string& status, int exit_code, double seconds);

// Has the run finished (its summary.json exists)? Such a run is never run again.
bool run_finished(const std::filesystem::path& dir, const PlannedRun& run);

// The state of every planned run, read from DIR alone: ok, diverged (stopped at a non-finite
// loss), failed / crashed (signal N) / timed out / cancelled (from the status record), or missing
// (never ran, or its process was lost before it could say). Then the figures, as collect() gives.
CompareReport report_from_directory(const std::filesystem::path& dir, const ComparePlan& plan);

// What a local `compare` and `gradplug report` both end with: compare.csv, summary.json and the
// plots written into DIR, the table printed in `format`, and what is not ok listed with the
// command that finishes the comparison. Returns 0 when every run is ok, else 1.
int write_and_print_report(const CompareReport& report, const std::filesystem::path& dir,
                           const std::string& format, const ComparePlan& plan);

}  // namespace gradplug::host
