#include "compare/compare_plan.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <numeric>

#include "gradplug/error.hpp"
#include "gradplug/limits.hpp"
#include "gradplug/text.hpp"
#include "run/files.hpp"
#include "run/record.hpp"

namespace gradplug::host {

namespace fs = std::filesystem;
using nlohmann::json;

std::string plan_json(const ComparePlan& plan) {
  json runs = json::array();
  for (const PlannedRun& r : plan.runs)
    runs.push_back({{"variant", r.variant},
                    {"base", r.base},
                    {"sweep", r.sweep},
                    {"sets", r.sets},
                    {"seed", r.seed},
                    {"folder", r.folder},
                    {"cost", r.cost}});
  const json j = {
      {"format", "gradplug-compare-plan"},
      {"format_version", kPlanFormat},
      {"title", plan.title},
      {"command", plan.command},
      {"sweep_keys", plan.sweep_keys},
      {"target_loss", std::isfinite(plan.target_loss) ? json(plan.target_loss) : json(nullptr)},
      {"log_y", plan.log_y},
      {"runs", runs}};
  return j.dump(2) + "\n";
}

ComparePlan read_plan(const fs::path& dir) {
  const fs::path file = dir / "plan.json";
  std::error_code ec;
  if (!fs::is_regular_file(file, ec))
    throw Error(dir.string() +
                ": not a comparison directory (it has no plan.json); give the --out directory of "
                "a `gradplug compare`");
  const Record j = Record::read(file, "plan");
  if (!j.value().contains("format") || !j.value()["format"].is_string() ||
      j.value()["format"] != "gradplug-compare-plan")
    j.fail("format", "is not gradplug-compare-plan");
  const json& version = j.value().contains("format_version") ? j.value()["format_version"] : json();
  if (!version.is_number_integer() || version.get<std::int64_t>() != kPlanFormat)
    throw Error(file.string() + ": plan format_version " +
                (version.is_null() ? std::string("missing") : version.dump()) +
                " is not supported; this gradplug reads version " + std::to_string(kPlanFormat));
  ComparePlan plan;
  plan.title = j.text("title");
  plan.command = j.text("command");
  plan.sweep_keys = j.texts("sweep_keys");
  plan.target_loss = j.number("target_loss");
  plan.log_y = j.flag("log_y");
  for (const Record& r : j.objects("runs")) {
    PlannedRun run;
    run.variant = r.text("variant");
    run.base = r.text("base");
    run.sweep = r.texts("sweep");
    run.sets = r.texts("sets");
    run.seed = r.whole("seed");
    run.folder = r.text("folder");
    run.cost = r.number("cost");
    // The folder becomes a path under DIR: nothing may lead out of it.
    if (const std::string problem = path_component_problem(run.folder); !problem.empty())
      r.fail("folder",
             "'" + printable_text(run.folder) + "' is not a plain folder name: " + problem);
    if (run.sweep.size() != plan.sweep_keys.size())
      r.fail("sweep", "has " + std::to_string(run.sweep.size()) + " values for " +
                          std::to_string(plan.sweep_keys.size()) + " sweep_keys");
    if (!std::isfinite(run.cost) || run.cost < 0)
      r.fail("cost", "expected a finite number of at least 0");
    plan.runs.push_back(std::move(run));
  }
  if (plan.runs.empty()) j.fail("runs", "it lists no runs");
  if (plan.runs.size() > limits::kRuns)
    j.fail("runs", "more than " + std::to_string(limits::kRuns) + " runs");
  return plan;
}

bool same_runs(const ComparePlan& a, const ComparePlan& b) {
  if (a.runs.size() != b.runs.size() || a.sweep_keys != b.sweep_keys) return false;
  for (std::size_t i = 0; i < a.runs.size(); ++i) {
    const PlannedRun &x = a.runs[i], &y = b.runs[i];
    if (x.variant != y.variant || x.sets != y.sets || x.seed != y.seed || x.folder != y.folder)
      return false;
  }
  return true;
}

std::pair<std::size_t, std::size_t> parse_shard(const std::string& text) {
  const auto slash = text.find('/');
  const auto number = [](const std::string& s, std::size_t& value) {
    if (s.empty() || s.size() > 5 || s.find_first_not_of("0123456789") != std::string::npos)
      return false;
    value = std::stoul(s);
    return true;
  };
  std::size_t index = 0, count = 0;
  if (slash == std::string::npos || !number(text.substr(0, slash), index) ||
      !number(text.substr(slash + 1), count) || count < 1 || count > 10000 || index >= count)
    throw Error("--shard: '" + text +
                "' is not I/N with 0 <= I < N <= 10000 (e.g. --shard 0/4, or --shard "
                "$SLURM_ARRAY_TASK_ID/4)");
  return {index, count};
}

std::vector<std::size_t> shard_runs(const ComparePlan& plan, std::size_t index, std::size_t count) {
  std::vector<std::size_t> order(plan.runs.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return plan.runs[a].cost > plan.runs[b].cost;
  });
  std::vector<double> load(count, 0.0);
  std::vector<std::size_t> mine;
  for (std::size_t run : order) {
    const std::size_t to =
        static_cast<std::size_t>(std::min_element(load.begin(), load.end()) - load.begin());
    load[to] += plan.runs[run].cost;
    if (to == index) mine.push_back(run);
  }
  std::sort(mine.begin(), mine.end());
  return mine;
}

fs::path run_directory(const fs::path& dir, const PlannedRun& run) {
  return dir / "runs" / run.folder / ("seed-" + std::to_string(run.seed));
}

fs::path run_log(const fs::path& dir, const PlannedRun& run) {
  return dir / "runs" / run.folder / ("seed-" + std::to_string(run.seed) + ".log");
}

fs::path run_status_file(const fs::path& dir, const PlannedRun& run) {
  return dir / "runs" / run.folder / ("seed-" + std::to_string(run.seed) + ".status.json");
}

void write_run_status(const fs::path& dir, const PlannedRun& run, const std::string& status,
                      int exit_code, double seconds) {
  write_file_atomic(
      run_status_file(dir, run),
      json{{"status", status}, {"exit_code", exit_code}, {"seconds", seconds}}.dump() + "\n");
}

bool run_finished(const fs::path& dir, const PlannedRun& run) {
  std::error_code ec;
  return fs::is_regular_file(run_directory(dir, run) / "summary.json", ec);
}

CompareReport report_from_directory(const fs::path& dir, const ComparePlan& plan) {
  std::vector<RunInfo> infos;
  for (const PlannedRun& run : plan.runs) {
    RunInfo info;
    info.variant = run.variant;
    info.base = run.base;
    info.sweep = run.sweep;
    info.seed = run.seed;
    info.run_dir = run_directory(dir, run);
    info.log = run_log(dir, run);
    if (run_finished(dir, run)) {
      info.status = "ok";  // until collect() reads its summary.json
    } else if (std::error_code ec; fs::exists(run_status_file(dir, run), ec)) {
      info.status = Record::read(run_status_file(dir, run), "run status record").text("status");
    } else {
      info.status = "missing";
    }
    infos.push_back(std::move(info));
  }
  CompareReport report = collect(std::move(infos), plan.target_loss);
  report.title = plan.title;
  report.command = plan.command;
  report.sweep_keys = plan.sweep_keys;
  return report;
}

}  // namespace gradplug::host
