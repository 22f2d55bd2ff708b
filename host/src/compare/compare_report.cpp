#include "compare/compare_report.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <numeric>
#include <sstream>

#include "cli/suggest.hpp"
#include "compare/run_records.hpp"
#include "config/number_text.hpp"
#include "gradplug/error.hpp"
#include "gradplug/schema.hpp"
#include "plot/svg_plot.hpp"
#include "run/files.hpp"

namespace gradplug::host {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

Stat stat_of(const std::vector<double>& values) {
  Stat s;
  std::vector<double> v;
  for (double x : values)
    if (std::isfinite(x)) v.push_back(x);
  s.n = v.size();
  if (v.empty()) return s;
  s.mean = std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
  double ss = 0;
  for (double x : v) ss += (x - s.mean) * (x - s.mean);
  // Sample standard deviation (n - 1): the spread a new seed would show.
  s.sd = v.size() > 1 ? std::sqrt(ss / static_cast<double>(v.size() - 1)) : 0.0;
  s.min = *std::min_element(v.begin(), v.end());
  s.max = *std::max_element(v.begin(), v.end());
  return s;
}

// The first swept value as a number for the sensitivity plot; false when it is none (a sweep
// over names, such as model.activation=relu,swish).
bool sweep_number(const VariantSummary& v, double& x) {
  return !v.sweep.empty() && real_problem(v.sweep.front(), "", x).empty();
}

std::string pm(const Stat& s, int digits = 4) {
  if (s.n == 0) return "-";
  char text[64];
  if (s.n == 1)
    std::snprintf(text, sizeof text, "%.*g", digits, s.mean);
  else
    std::snprintf(text, sizeof text, "%.*g ± %.2g", digits, s.mean, s.sd);
  return text;
}

std::string percent_pm(const Stat& s) {
  if (s.n == 0) return "-";
  char text[64];
  if (s.n == 1)
    std::snprintf(text, sizeof text, "%.2f%%", 100 * s.mean);
  else
    std::snprintf(text, sizeof text, "%.2f ± %.2f%%", 100 * s.mean, 100 * s.sd);
  return text;
}

std::string csv_number(double x) { return std::isfinite(x) ? format_number(x) : ""; }

std::string csv_text(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

json stat_json(const Stat& s) {
  auto n = [](double x) { return std::isfinite(x) ? json(x) : json(nullptr); };
  return {{"mean", n(s.mean)}, {"sd", n(s.sd)}, {"min", n(s.min)}, {"max", n(s.max)}, {"n", s.n}};
}

}  // namespace

CompareReport collect(std::vector<RunInfo> runs, double target_loss) {
  CompareReport report;
  for (RunInfo& r : runs) read_run(r);
  for (const RunInfo& r : runs)
    if (r.status == "ok") report.split = r.split;
  // Variants in the order given.
  std::map<std::string, std::size_t> index;
  for (const RunInfo& r : runs) {
    if (!index.count(r.variant)) {
      index[r.variant] = report.variants.size();
      VariantSummary v;
      v.label = r.variant;
      v.base = r.base;
      v.sweep = r.sweep;
      report.variants.push_back(v);
    }
  }
  auto finals = [&](const VariantSummary& v) {
    std::vector<double> values;
    for (const RunInfo& r : runs)
      if (r.variant == v.label && !r.curve.empty() && r.status == "ok")
        values.push_back(r.curve.back());
    return stat_of(values);
  };
  if (std::isnan(target_loss)) {
    for (const auto& v : report.variants) {
      const Stat s = finals(v);
      if (s.n && std::isfinite(s.mean) && !(s.mean <= target_loss)) target_loss = s.mean;
    }
  }
  report.target_loss = target_loss;
  for (RunInfo& r : runs) {
    r.steps_to_target = 0;
    for (std::size_t i = 0; i < r.curve.size(); ++i)
      if (r.curve[i] <= target_loss) {
        r.steps_to_target = i + 1;
        break;
      }
  }
  for (VariantSummary& v : report.variants) {
    std::vector<double> final_loss, best, accuracy, steps, seconds;
    for (const RunInfo& r : runs) {
      if (r.variant != v.label) continue;
      ++v.runs;
      if (r.status != "ok") continue;
      ++v.succeeded;
      final_loss.push_back(r.final_loss);
      best.push_back(r.best_loss);
      accuracy.push_back(r.final_accuracy);
      seconds.push_back(r.train_seconds);
      if (r.steps_to_target) {
        ++v.reached_target;
        steps.push_back(static_cast<double>(r.steps_to_target));
      }
    }
    v.final_loss = stat_of(final_loss);
    v.best_loss = stat_of(best);
    v.final_accuracy = stat_of(accuracy);
    v.steps_to_target = stat_of(steps);
    v.seconds = stat_of(seconds);
  }
  // Rank by mean final loss; variants without a finite result come last, unranked.
  std::vector<VariantSummary*> ranked;
  for (auto& v : report.variants)
    if (v.final_loss.n) ranked.push_back(&v);
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const VariantSummary* a, const VariantSummary* b) {
                     return a->final_loss.mean < b->final_loss.mean;
                   });
  for (std::size_t i = 0; i < ranked.size(); ++i) ranked[i]->rank = i + 1;
  report.runs = std::move(runs);
  return report;
}

void check_table_format(const std::string& format) {
  const std::vector<std::string> formats = {"table", "markdown", "csv", "json"};
  if (std::find(formats.begin(), formats.end(), format) == formats.end())
    throw Error("--format: unknown format '" + format + "'" + did_you_mean(format, formats) +
                "; valid: " + join(formats));
}

std::string render_table(const CompareReport& r, const std::string& format) {
  const std::string loss = r.split + " loss";
  char target[48];
  std::snprintf(target, sizeof target, "steps to loss %.3g", r.target_loss);
  const std::vector<std::string> header = {
      "variant", "final " + loss, "best " + loss, "final " + r.split + " accuracy",
      target,    "train s",       "runs ok",      "rank"};
  std::vector<std::vector<std::string>> rows;
  for (const auto& v : r.variants) {
    char steps[48] = "-";
    if (v.steps_to_target.n)
      std::snprintf(steps, sizeof steps, "%.0f%s", v.steps_to_target.mean,
                    v.reached_target < v.succeeded ? (" (" + std::to_string(v.reached_target) +
                                                      "/" + std::to_string(v.succeeded) + ")")
                                                         .c_str()
                                                   : "");
    char seconds[32] = "-";
    if (v.seconds.n) std::snprintf(seconds, sizeof seconds, "%.3f", v.seconds.mean);
    rows.push_back({v.label, pm(v.final_loss), pm(v.best_loss), percent_pm(v.final_accuracy), steps,
                    seconds, std::to_string(v.succeeded) + "/" + std::to_string(v.runs),
                    v.rank ? std::to_string(v.rank) : "-"});
  }
  std::ostringstream out;
  if (format == "json") {
    json j = json::array();
    for (const auto& v : r.variants)
      j.push_back({{"variant", v.label},
                   {"final_loss", stat_json(v.final_loss)},
                   {"best_loss", stat_json(v.best_loss)},
                   {"final_accuracy", stat_json(v.final_accuracy)},
                   {"steps_to_target", stat_json(v.steps_to_target)},
                   {"train_seconds", stat_json(v.seconds)},
                   {"runs", v.runs},
                   {"succeeded", v.succeeded},
                   {"rank", v.rank ? json(v.rank) : json(nullptr)}});
    out << json{{"split", r.split},
                {"target_loss", std::isfinite(r.target_loss) ? json(r.target_loss) : json(nullptr)},
                {"variants", j}}
               .dump(2)
        << "\n";
    return out.str();
  }
  if (format == "csv") {
    // Numbers only, one column each, for spreadsheets and scripts.
    out << "variant,final_loss_mean,final_loss_sd,best_loss_mean,best_loss_sd,final_accuracy_mean,"
           "final_accuracy_sd,"
           "steps_to_target_mean,runs_reaching_target,train_seconds_mean,runs,succeeded,rank,split,"
           "target_loss\n";
    for (const auto& v : r.variants)
      out << csv_text(v.label) << "," << csv_number(v.final_loss.mean) << ","
          << csv_number(v.final_loss.sd) << "," << csv_number(v.best_loss.mean) << ","
          << csv_number(v.best_loss.sd) << "," << csv_number(v.final_accuracy.mean) << ","
          << csv_number(v.final_accuracy.sd) << "," << csv_number(v.steps_to_target.mean) << ","
          << v.reached_target << "," << csv_number(v.seconds.mean) << "," << v.runs << ","
          << v.succeeded << "," << (v.rank ? std::to_string(v.rank) : "") << "," << r.split << ","
          << csv_number(r.target_loss) << "\n";
    return out.str();
  }
  // Display width: "±" is one column but two bytes.
  auto width = [](const std::string& s) {
    std::size_t w = 0;
    for (unsigned char c : s) w += (c & 0xC0) != 0x80;
    return w;
  };
  std::vector<std::size_t> widths(header.size());
  for (std::size_t i = 0; i < header.size(); ++i) {
    widths[i] = width(header[i]);
    for (const auto& row : rows) widths[i] = std::max(widths[i], width(row[i]));
  }
  auto line = [&](const std::vector<std::string>& cells) {
    if (format == "markdown") out << "|";
    for (std::size_t i = 0; i < cells.size(); ++i) {
      const std::string pad(widths[i] - width(cells[i]), ' ');
      out << (format == "markdown" ? " " : (i ? "  " : "")) << (i ? pad + cells[i] : cells[i] + pad)
          << (format == "markdown" ? " |" : "");
    }
    out << "\n";
  };
  if (format == "table")
    out << r.title << ": " << r.variants.size() << " variants, " << r.runs.size() << " runs\n";
  line(header);
  if (format == "markdown") {
    out << "|";
    for (std::size_t i = 0; i < header.size(); ++i)
      out << (i ? " " + std::string(widths[i] - 1, '-') + ": |"
                : " " + std::string(widths[i], '-') + " |");
    out << "\n";
  } else {
    std::size_t total = 0;
    for (auto w : widths) total += w + 2;
    out << std::string(total - 2, '-') << "\n";
  }
  for (const auto& row : rows) line(row);
  for (const auto& run : r.runs)
    if (run.status != "ok")
      out << (format == "markdown" ? "\n" : "") << "  " << run.variant << " seed " << run.seed
          << ": " << run.status << (run.failure.empty() ? "" : " (" + run.failure + ")") << "\n";
  return out.str();
}

void write_outputs(const CompareReport& r, const fs::path& out, bool log_y) {
  std::ostringstream csv;
  csv << "variant,seed,status,split,final_loss,best_loss,final_accuracy,steps,steps_to_target,"
         "train_seconds,run_dir";
  for (const auto& k : r.sweep_keys) csv << "," << csv_text(k);
  csv << "\n";
  json runs = json::array();
  for (const auto& run : r.runs) {
    csv << csv_text(run.variant) << "," << run.seed << "," << run.status << "," << run.split << ","
        << csv_number(run.final_loss) << "," << csv_number(run.best_loss) << ","
        << csv_number(run.final_accuracy) << "," << run.steps << ","
        << (run.steps_to_target ? std::to_string(run.steps_to_target) : "") << ","
        << csv_number(run.train_seconds) << ","
        << csv_text(fs::relative(run.run_dir, out).string());
    for (const auto& v : run.sweep) csv << "," << csv_text(v);
    csv << "\n";
    auto n = [](double x) { return std::isfinite(x) ? json(x) : json(nullptr); };
    runs.push_back({{"variant", run.variant},
                    {"seed", run.seed},
                    {"status", run.status},
                    {"final_loss", n(run.final_loss)},
                    {"best_loss", n(run.best_loss)},
                    {"final_accuracy", n(run.final_accuracy)},
                    {"steps", run.steps},
                    {"steps_to_target", run.steps_to_target},
                    {"train_seconds", n(run.train_seconds)},
                    {"run_dir", fs::relative(run.run_dir, out).string()},
                    {"failure", run.failure}});
  }
  write_file_atomic(out / "compare.csv", csv.str());
  json summary = json::parse(render_table(r, "json"));
  summary["command"] = r.command;
  summary["title"] = r.title;
  summary["runs"] = runs;
  write_file_atomic(out / "summary.json", summary.dump(2) + "\n");

  // Mean training loss per step over seeds, with the min-max band.
  LineChart chart;
  chart.title = r.title + ": training loss, mean over seeds (band: min to max)";
  chart.x_label = "step";
  chart.y_label = "training loss";
  bool spans_decades = false;
  for (const auto& v : r.variants) {
    std::vector<const std::vector<double>*> curves;
    for (const auto& run : r.runs)
      if (run.variant == v.label && run.status == "ok" && !run.curve.empty())
        curves.push_back(&run.curve);
    if (curves.empty()) continue;
    std::size_t length = 0;
    for (const auto* c : curves) length = std::max(length, c->size());
    Series s;
    s.label = v.label;
    for (std::size_t i = 0; i < length; ++i) {
      std::vector<double> at;
      for (const auto* c : curves)
        if (i < c->size()) at.push_back((*c)[i]);
      const Stat st = stat_of(at);
      s.x.push_back(static_cast<double>(i + 1));
      s.y.push_back(st.mean);
      s.y_low.push_back(st.min);
      s.y_high.push_back(st.max);
      if (st.n && st.max > 0 && st.min > 0 && st.max / st.min > 1000) spans_decades = true;
    }
    chart.series.push_back(std::move(s));
  }
  double lo = INFINITY, hi = 0;
  for (const auto& s : chart.series)
    for (double y : s.y)
      if (std::isfinite(y) && y > 0) lo = std::min(lo, y), hi = std::max(hi, y);
  chart.log_y = log_y || spans_decades || (hi > 0 && lo < INFINITY && hi / lo > 100);
  write_file_atomic(out / "loss.svg", render_svg(chart));

  // Sweeps: final loss against the first swept value, one line per variant (DeepOBS style).
  bool numeric = !r.sweep_keys.empty();
  for (const auto& v : r.variants) {
    double x = 0;
    numeric = numeric && (v.sweep.empty() || sweep_number(v, x));
  }
  if (numeric) {
    LineChart sens;
    sens.title = r.title + ": final " + r.split + " loss against " + r.sweep_keys.front();
    bool positive = true;
    for (const auto& v : r.variants) {
      double x = 0;
      positive = positive && sweep_number(v, x) && x > 0;
    }
    sens.x_label = positive ? "log10(" + r.sweep_keys.front() + ")" : r.sweep_keys.front();
    sens.y_label = "final " + r.split + " loss (mean over seeds)";
    std::map<std::string, Series> lines;
    std::vector<std::string> order;
    for (const auto& v : r.variants) {
      if (v.sweep.empty()) continue;
      std::string key = v.base;
      for (std::size_t i = 1; i < v.sweep.size(); ++i)
        key += " " + r.sweep_keys[i] + "=" + v.sweep[i];
      if (!lines.count(key)) order.push_back(key);
      Series& s = lines[key];
      s.label = key;
      double x = 0;
      sweep_number(v, x);
      s.x.push_back(positive ? std::log10(x) : x);
      s.y.push_back(v.final_loss.mean);
      s.y_low.push_back(v.final_loss.min);
      s.y_high.push_back(v.final_loss.max);
    }
    for (const auto& k : order) sens.series.push_back(lines[k]);
    sens.log_y = true;
    write_file_atomic(out / "sensitivity.svg", render_svg(sens));
  }
}

}  // namespace gradplug::host
