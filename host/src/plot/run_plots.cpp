#include "plot/run_plots.hpp"

#include <algorithm>
#include <cmath>

#include "plot/svg_plot.hpp"

namespace gradplug::host {

namespace {
// A log scale reads losses best when they span decades and stay positive.
bool wants_log(const std::vector<double>& values) {
  double lo = INFINITY, hi = 0;
  for (double v : values) {
    if (!std::isfinite(v)) continue;
    if (v <= 0) return false;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  return hi > 0 && lo > 0 && hi / lo > 100;
}

std::vector<double> percent(const std::vector<double>& fractions) {
  std::vector<double> out(fractions.size());
  std::transform(fractions.begin(), fractions.end(), out.begin(),
                 [](double f) { return 100.0 * f; });
  return out;
}
}  // namespace

std::string loss_svg(const PlotData& d) {
  LineChart chart;
  chart.title = d.title + ": loss";
  chart.x_label = "step";
  chart.y_label = "loss";
  chart.log_y = wants_log(d.loss);
  chart.series.push_back({"training (batch, with penalties)", d.steps, d.loss, {}, {}});
  if (!d.validation_loss.empty())
    chart.series.push_back({"validation", d.epoch_steps, d.validation_loss, {}, {}});
  return render_svg(chart);
}

std::string accuracy_svg(const PlotData& d) {
  LineChart chart;
  chart.title = d.title + ": accuracy";
  chart.x_label = "step";
  chart.y_label = "accuracy (%)";
  chart.series.push_back({"training (batch)", d.steps, percent(d.accuracy), {}, {}});
  if (!d.validation_accuracy.empty())
    chart.series.push_back({"validation", d.epoch_steps, percent(d.validation_accuracy), {}, {}});
  return render_svg(chart);
}

}  // namespace gradplug::host
