// Charts as standalone SVG documents, with no dependency: training curves (loss.svg, accuracy.svg),
// optimizer comparisons (curves overlaid, a mean with a min-max band, log scale) and 2-D optimizer
// trajectories over a contour map of the objective.
//
// Output is deterministic: the same chart gives the same bytes (fixed number formatting, no
// locale, no time stamps). Non-finite points never reach the file: they are skipped and split a
// line into segments. Long series are decimated (min and max per bucket, so spikes survive) to at
// most about kMaxPointsPerSeries points. Text is XML-escaped.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace gradplug::host {

// A curve. x may be empty: then x is 0, 1, 2, ... If x and y differ in length, the shorter one
// decides. y_low/y_high (both the length of y, or else ignored) give an optional band drawn
// semi-transparent behind the curve, e.g. min and max across seeds around their mean.
struct Series {
  std::string label;
  std::vector<double> x, y;
  std::vector<double> y_low, y_high;
};

// A line chart with linear x. log_y: decades on y; non-positive y values are skipped (a band's
// non-positive y_low is drawn down to the bottom of the axis).
struct LineChart {
  std::string title, x_label, y_label;
  bool log_y = false;
  std::vector<Series> series;
};

// Optimizer trajectories on f(x, y) over [x_min, x_max] x [y_min, y_max]: line contours of f on a
// grid (kContourGrid cells a side, kContourLevels levels, spaced log-wise above the grid's minimum
// when log_levels, else evenly), each path as a line with a start marker (open circle) and an end
// marker (filled square) in its colour, and the known minima as crosses. f may be empty (no
// contours); non-finite values of f leave holes in the contours.
struct ContourPlot {
  std::string title;
  std::string x_label = "x", y_label = "y";
  double x_min = -1, x_max = 1, y_min = -1, y_max = 1;
  std::function<double(double, double)> f;
  bool log_levels = true;
  std::vector<Series> paths;  // y_low and y_high are not used
  std::vector<std::pair<double, double>> minima;
};

inline constexpr std::size_t kMaxPointsPerSeries = 2000;
inline constexpr int kContourGrid = 200;
inline constexpr int kContourLevels = 12;

// A complete SVG document (800 x 500): title, axes with 1-2-5 ticks (or decades), axis titles,
// a legend inside the plot where it covers no data (else to its right), "no data" if nothing
// finite is left to draw.
std::string render_svg(const LineChart& chart);

// A complete SVG document (800 x 560) with a square plot, the legend and the contour levels to
// its right. Throws std::invalid_argument unless x_min < x_max and y_min < y_max (all finite).
std::string render_contour_svg(const ContourPlot& plot);

}  // namespace gradplug::host
