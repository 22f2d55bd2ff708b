#include "run/run_report.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <limits>
#include <ostream>
#include <sstream>

#include "gradplug/error.hpp"
#include "gradplug/input_file.hpp"
#include "gradplug/limits.hpp"
#include "gradplug/registry.hpp"
#include "gradplug/schema.hpp"
#include "gradplug/text.hpp"
#include "plot/run_plots.hpp"
#include "run/checksum.hpp"
#include "run/files.hpp"

namespace gradplug::host {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kHeader =
    "step,epoch,loss,data_loss,accuracy,validation_loss,validation_accuracy,lr,grad_norm,seconds\n";

std::string cell(double x) { return std::isfinite(x) ? format_number(x) : ""; }
// A metrics cell: a number, or empty for "not measured" (NaN).
bool read_cell(const std::string& text, double& value) {
  value = std::numeric_limits<double>::quiet_NaN();
  if (text.empty()) return true;
  char* end = nullptr;
  value = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size();
}
bool is_whole_number(const std::string& text) {
  return !text.empty() && text.size() < 19 &&
         text.find_first_not_of("0123456789") == std::string::npos;
}
json number_or_null(double x) { return std::isfinite(x) ? json(x) : json(nullptr); }

const char* stop_word(FitResult::Stop stop) {
  switch (stop) {
    case FitResult::Stop::Finished:
      return "finished";
    case FitResult::Stop::Requested:
      return "interrupted";
    case FitResult::Stop::EarlyStopped:
      return "early_stopped";
    case FitResult::Stop::NonFinite:
      return "non_finite";
  }
  return "?";
}

}  // namespace

RunRecord::~RunRecord() {
  if (file_) std::fclose(file_);
}

void RunRecord::start(const fs::path& run_dir) {
  dir_ = run_dir;
  file_ = std::fopen((dir_ / "metrics.csv.partial").c_str(), "w");
  if (!file_) throw Error((dir_ / "metrics.csv.partial").string() + ": cannot write");
  std::fputs(kHeader, file_);
}

void RunRecord::resume(const fs::path& run_dir, std::size_t step) {
  if (first_invalid_utf8(run_dir.string()) != std::string::npos)
    throw Error("--resume " + printable_text(run_dir.string()) +
                ": the path is not UTF-8 text, and summary.json records it; rename the directory");
  dir_ = run_dir;
  const fs::path partial = dir_ / "metrics.csv.partial";
  // A run stopped between renaming its metrics and writing its summary: take them up again.
  std::error_code ec;
  if (!fs::exists(partial, ec) && fs::exists(dir_ / "metrics.csv", ec))
    fs::rename(dir_ / "metrics.csv", partial);
  std::string kept = kHeader;
  const std::string text =
      fs::exists(partial, ec)
          ? read_input_file(partial.string(), limits::kRecordBytes, "metrics file")
          : std::string();
  std::istringstream in(text);
  std::string line;
  std::getline(in, line);  // header
  for (std::size_t line_number = 2; std::getline(in, line); ++line_number) {
    std::vector<std::string> cells;
    std::stringstream row(line);
    std::string c;
    while (std::getline(row, c, ',')) cells.push_back(c);
    while (cells.size() < 10) cells.emplace_back();
    // Rows end in a newline: a last line without one was cut by a kill, and is redone.
    if (in.eof()) break;
    std::vector<double> values(cells.size());
    bool well_formed = std::count(line.begin(), line.end(), ',') == 9 && is_whole_number(cells[0]);
    for (std::size_t k = 0; well_formed && k < cells.size(); ++k)
      well_formed = read_cell(cells[k], values[k]);
    if (!well_formed) {
      throw Error(partial.string() + ":" + std::to_string(line_number) + ":1: a damaged row ('" +
                  line.substr(0, 60) +
                  "'); expected 10 numbers, the first a step; restore the file or start the run "
                  "again");
    }
    if (values[0] > static_cast<double>(step)) break;  // rows after the checkpoint are redone
    kept += line + "\n";
    steps_.push_back(values[0]);
    loss_.push_back(values[2]);
    accuracy_.push_back(values[4]);
    seconds_.push_back(values[9]);
    if (!cells[5].empty()) {
      epoch_steps_.push_back(values[0]);
      validation_loss_.push_back(values[5]);
      validation_accuracy_.push_back(values[6]);
    }
  }
  write_file_atomic(partial, kept);
  file_ = std::fopen(partial.c_str(), "a");
  if (!file_) throw Error(partial.string() + ": cannot write");
}

void RunRecord::add(const StepMetrics& m, double seconds) {
  write_row(m, seconds);
  steps_.push_back(static_cast<double>(m.step));
  loss_.push_back(m.loss);
  accuracy_.push_back(m.accuracy);
  seconds_.push_back(seconds);
  if (m.epoch_end && !std::isnan(m.validation_loss)) {
    epoch_steps_.push_back(static_cast<double>(m.step));
    validation_loss_.push_back(m.validation_loss);
    validation_accuracy_.push_back(m.validation_accuracy);
  }
}

void RunRecord::write_row(const StepMetrics& m, double seconds) {
  const std::string row = std::to_string(m.step) + "," + std::to_string(m.epoch) + "," +
                          cell(m.loss) + "," + cell(m.data_loss) + "," + cell(m.accuracy) + "," +
                          cell(m.validation_loss) + "," + cell(m.validation_accuracy) + "," +
                          cell(m.lr) + "," + cell(m.grad_norm) + "," + cell(seconds) + "\n";
  std::fputs(row.c_str(), file_);
}

void RunRecord::pause() {
  if (file_) std::fclose(file_);
  file_ = nullptr;
}

json RunRecord::finish(const Summary& s, const Registry& registry, const std::string& title) {
  if (file_) {
    const bool ok = std::fflush(file_) == 0 && ::fsync(::fileno(file_)) == 0;
    std::fclose(file_);
    file_ = nullptr;
    if (!ok) throw Error((dir_ / "metrics.csv.partial").string() + ": cannot write");
  }
  fs::rename(dir_ / "metrics.csv.partial", dir_ / "metrics.csv");

  json plugins = json::array();
  for (const auto& [kind, name] : s.plugins) {
    if (name == "linear") continue;
    const LoadedPlugin& p = registry.get(kind, name);
    const json record = {{"kind", kind_name(kind)},
                         {"name", name},
                         {"version", p.descriptor->version},
                         {"file", p.file.string()}};
    if (std::find(plugins.begin(), plugins.end(), record) == plugins.end())
      plugins.push_back(record);
  }
  json summary = {
      {"name", s.name},
      {"gradplug_version", GRADPLUG_VERSION},
      {"run_directory", s.run_dir.string()},
      {"stopped", stop_word(s.stop)},
      {"steps", s.steps},
      {"steps_planned", s.steps_planned},
      {"train_seconds", s.train_seconds},
      {"wall_seconds", s.wall_seconds},
      {"final",
       {{"loss", number_or_null(s.last.loss)},
        {"data_loss", number_or_null(s.last.data_loss)},
        {"lr", number_or_null(s.last.lr)},
        {"epoch", s.last.epoch}}},
      {"plugins", plugins},
  };
  if (!s.failure.empty()) summary["failure"] = s.failure;
  if (std::isfinite(s.best_validation_loss))
    summary["best"] = {{"validation_loss", s.best_validation_loss}, {"step", s.best_step}};
  // The lowest training loss seen, and where.
  std::size_t best = 0;
  for (std::size_t i = 1; i < loss_.size(); ++i)
    if (loss_[i] < loss_[best]) best = i;
  // Steps are kept as doubles for the plots; in the summary a step is a whole number.
  if (!loss_.empty())
    summary["best_train_loss"] = {{"loss", number_or_null(loss_[best])},
                                  {"step", static_cast<std::uint64_t>(steps_[best])}};
  for (const auto& [split, rows, e] : s.evaluations) {
    summary[split] = {{"rows", rows}, {"loss", number_or_null(e.loss)}};
    if (s.classification) summary[split]["accuracy"] = number_or_null(e.accuracy);
  }

  PlotData plots{
      title, steps_, loss_, accuracy_, epoch_steps_, validation_loss_, validation_accuracy_};
  write_file_atomic(dir_ / "loss.svg", loss_svg(plots));
  if (classification_) write_file_atomic(dir_ / "accuracy.svg", accuracy_svg(plots));
  write_file_atomic(dir_ / "summary.json", with_checksum(summary).dump(2) + "\n");
  return summary;
}

void print_summary(std::ostream& out, const Summary& s, const Experiment& experiment) {
  char line[256];
  if (s.stop == FitResult::Stop::EarlyStopped)
    out << "stopped early after step " << s.steps << " (no validation improvement; best at step "
        << s.best_step << ")\n";
  for (const auto& [split, rows, e] : s.evaluations) {
    if (s.classification)
      std::snprintf(line, sizeof line, "%-10s loss %.6g  accuracy %.2f%%  (%zu rows)\n",
                    split.c_str(), e.loss, 100.0 * e.accuracy, rows);
    else
      std::snprintf(line, sizeof line, "%-10s loss %.6g  (%zu rows)\n", split.c_str(), e.loss,
                    rows);
    out << line;
  }
  std::snprintf(
      line, sizeof line, "%zu steps in %.3f s (%.0f steps/s)\n", s.steps_this_session,
      s.train_seconds,
      s.train_seconds > 0 ? static_cast<double>(s.steps_this_session) / s.train_seconds : 0.0);
  out << line;
  // Small data sets: every prediction next to its target.
  const Dataset& data = experiment.data;
  if (data.rows <= 16) {
    out << "predictions (target -> output):\n";
    std::vector<double> o(experiment.model->outputs());
    std::vector<double> x(data.features);
    for (std::size_t r = 0; r < data.rows; ++r) {
      experiment.model->predict(data.row(r), o.data());
      out << "  ";
      for (std::size_t k = 0; k < data.target_columns; ++k)
        out << (k ? " " : "") << format_number(data.target(r)[k]);
      out << " ->";
      for (double v : o) {
        std::snprintf(line, sizeof line, " %.6g", v);
        out << line;
      }
      out << "\n";
    }
  }
  out << "run directory: " << s.run_dir.string() << "\n";
}

}  // namespace gradplug::host
