#include "compare/run_records.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "config/number_text.hpp"
#include "gradplug/error.hpp"
#include "gradplug/input_file.hpp"
#include "gradplug/limits.hpp"
#include "gradplug/registry.hpp"
#include "run/record.hpp"

namespace gradplug::host {

namespace fs = std::filesystem;

namespace {

// A finished run's summary says how it ended: a non-finite stop is a divergence (whose figures
// are not the run's result). Missing figures are NaN; a field of the wrong type is an Error.
void read_summary(RunInfo& r) {
  const Record s = Record::read(r.run_dir / "summary.json", "run summary");
  const std::string stopped = s.has("stopped") ? s.text("stopped") : "";
  const std::vector<std::string> stops = {"", "finished", "interrupted", "early_stopped",
                                          "non_finite"};
  if (std::find(stops.begin(), stops.end(), stopped) == stops.end())
    s.fail("stopped", "unknown value '" + escape_control(stopped.substr(0, 40)) +
                          "'; expected finished, interrupted, early_stopped or non_finite");
  if (stopped == "non_finite") {
    r.status = "diverged";
    return;
  }
  r.split = s.has("validation") ? "validation" : "train";
  const auto figure = [&](const std::string& part, const std::string& key) -> double {
    if (!s.has(part)) return NAN;
    const Record o = s.object(part);
    return o.has(key) ? o.number(key) : NAN;
  };
  r.final_loss = figure(r.split, "loss");
  r.final_accuracy = figure(r.split, "accuracy");
  r.best_loss = r.split == "validation" ? figure("best", "validation_loss") : NAN;
  r.train_seconds = s.has("train_seconds") ? s.number("train_seconds") : NAN;
  r.steps = s.has("steps") ? s.whole("steps") : 0;
}

// The data_loss column (the 4th) of metrics.csv, the loss without penalties (comparable across
// regularizers): a number, or empty for a step without one. In metrics.csv.partial, a last line
// without its newline is still being written and is left out.
void read_curve(RunInfo& r) {
  std::error_code ec;
  const bool complete = fs::exists(r.run_dir / "metrics.csv", ec);
  const fs::path file = r.run_dir / (complete ? "metrics.csv" : "metrics.csv.partial");
  if (!fs::exists(file, ec)) return;
  const std::string text = read_input_file(file.string(), limits::kRecordBytes, "metrics file");
  std::size_t start = text.find('\n'), line = 1;
  while (start != std::string::npos && start + 1 < text.size()) {
    ++line;
    const std::size_t end = text.find('\n', start + 1);
    if (end == std::string::npos && !complete) break;
    const std::string row =
        text.substr(start + 1, end == std::string::npos ? end : end - start - 1);
    start = end;
    std::size_t from = 0;
    for (int column = 0; column < 3 && from != std::string::npos; ++column) {
      from = row.find(',', from);
      if (from != std::string::npos) ++from;
    }
    const std::size_t to = from == std::string::npos ? from : row.find(',', from);
    const std::string where = file.string() + ":" + std::to_string(line);
    if (to == std::string::npos)
      throw Error(where + ": expected the columns of " + file.filename().string() +
                  " (step,epoch,loss,data_loss,...), got '" + row.substr(0, 60) +
                  "'; the file is damaged");
    const std::string cell = row.substr(from, to - from);
    double x = NAN;
    if (!cell.empty())
      if (std::string problem = real_problem(cell, "'" + cell.substr(0, 40) + "'", x);
          !problem.empty())
        throw Error(where + ":" + std::to_string(from + 1) + ": data_loss: " + problem +
                    "; the file is damaged");
    r.curve.push_back(x);
  }
}

}  // namespace

void read_run(RunInfo& r) {
  std::error_code ec;
  if (r.status == "ok" && fs::exists(r.run_dir / "summary.json", ec)) read_summary(r);
  read_curve(r);
  // Without a validation split, the figures come from the training loss of each step: final is
  // the last step's, best the lowest.
  if (r.split == "train" && !r.curve.empty()) {
    double best = NAN;
    for (double v : r.curve)
      if (std::isfinite(v) && !(v >= best)) best = v;
    r.best_loss = best;
    r.final_loss = r.curve.back();
  }
  if (r.status != "ok") {
    std::ifstream log(r.log);
    std::string line, last;
    while (std::getline(log, line))
      if (!line.empty()) last = line;
    r.failure = last;
  }
}

}  // namespace gradplug::host
