// SVG charts: see svg_plot.hpp. Everything is computed in one pass per chart: the data ranges, the
// axes (nice ticks), the layout (margins from the tick label widths, the legend placement), then
// the document is written in drawing order (grid, bands, lines, axes, legend, titles).
//
// Coordinates are written with one decimal (a tenth of a pixel); tick labels are formatted from
// integers (tick = n * 10^e), so no binary rounding noise can show. A value counts as data only if
// it is finite and within +-1e300 (so differences of two values stay finite).
#include "plot/svg_plot.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <deque>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <unordered_map>

namespace gradplug::host {
namespace {

// ---------------------------------------------------------------------------------------------
// Text and numbers.

bool usable(double v) { return std::isfinite(v) && std::abs(v) <= 1e300; }

// v with at most `decimals` decimals, trailing zeros removed, never "-0"; locale-independent.
std::string fixed(double v, int decimals) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, decimals);
  if (ec != std::errc() || !std::isfinite(v)) return "0";
  std::string s(buf, end);
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  if (s == "-0") s = "0";
  return s;
}

// A pixel coordinate.
std::string px(double v) { return fixed(v, 1); }

// Three significant digits, exponent without '+' or leading zeros: 0.0123, 1.5e3, 2e-7.
std::string general3(double v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general, 3);
  if (ec != std::errc() || !std::isfinite(v)) return "0";
  std::string s(buf, end);
  auto e = s.find('e');
  if (e == std::string::npos) return s;
  std::string mantissa = s.substr(0, e), exponent = s.substr(e + 1);
  bool negative = !exponent.empty() && exponent[0] == '-';
  if (!exponent.empty() && (exponent[0] == '-' || exponent[0] == '+')) exponent.erase(0, 1);
  while (exponent.size() > 1 && exponent[0] == '0') exponent.erase(0, 1);
  return mantissa + "e" + (negative ? "-" : "") + exponent;
}

// The number n * 10^e written exactly: fixed ("0.25", "1500") or scientific ("2.5e-4", "1.5e6").
std::string format_scaled(long long n, int e, bool scientific) {
  if (n == 0) return "0";
  std::string sign = n < 0 ? "-" : "";
  unsigned long long magnitude = n < 0 ? 0ULL - static_cast<unsigned long long>(n) : n;
  std::string d = std::to_string(magnitude);
  if (scientific) {
    int exponent = e + static_cast<int>(d.size()) - 1;
    while (d.size() > 1 && d.back() == '0') d.pop_back();
    std::string mantissa = d.substr(0, 1);
    if (d.size() > 1) mantissa += "." + d.substr(1);
    return sign + mantissa + (exponent != 0 ? "e" + std::to_string(exponent) : "");
  }
  if (e >= 0) return sign + d + std::string(static_cast<std::size_t>(e), '0');
  std::size_t decimals = static_cast<std::size_t>(-e);
  if (d.size() <= decimals) d.insert(0, decimals - d.size() + 1, '0');
  d.insert(d.size() - decimals, ".");
  while (d.back() == '0') d.pop_back();
  if (d.back() == '.') d.pop_back();
  return sign + d;
}

// XML character data or attribute value. Control characters XML 1.0 forbids become spaces.
std::string xml_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') {
          out += ' ';
        } else {
          out += c;
        }
    }
  }
  return out;
}

std::size_t utf8_length(std::string_view s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

// At most max_chars code points; a cut label ends with an ellipsis.
std::string truncate(std::string_view s, std::size_t max_chars) {
  if (utf8_length(s) <= max_chars || max_chars == 0) return std::string(s);
  std::size_t kept = 0, i = 0;
  for (; i < s.size(); ++i) {
    if ((s[i] & 0xC0) != 0x80) {
      if (kept == max_chars - 1) break;
      ++kept;
    }
  }
  return std::string(s.substr(0, i)) + "\xE2\x80\xA6";
}

// Estimated width in pixels of text in a sans-serif font: Helvetica/Arial advance widths by
// character class (w and W rounded up), plus 8 % for wider fallback fonts.
double text_width(std::string_view s, double font_px) {
  double em = 0;
  for (char c : s) {
    if ((c & 0xC0) == 0x80) continue;  // a UTF-8 continuation byte
    if (c & 0x80) {
      em += 0.7;
    } else if (std::string_view("ijl'|").find(c) != std::string_view::npos) {
      em += 0.222;
    } else if (std::string_view(" ftI[]/\\.,:;!").find(c) != std::string_view::npos) {
      em += 0.278;
    } else if (std::string_view("r()-\"").find(c) != std::string_view::npos) {
      em += 0.333;
    } else if (c == 'm' || c == 'M') {
      em += 0.833;
    } else if (c == 'w' || c == 'W') {
      em += 0.944;
    } else if (c >= 'A' && c <= 'Z') {
      em += 0.722;
    } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      em += 0.556;
    } else {
      em += 0.6;
    }
  }
  return em * font_px * 1.08;
}

// Okabe-Ito without its yellow (too faint on white), black last; after seven series the colours
// repeat with a dash pattern, so up to 21 series stay distinct.
constexpr std::array<const char*, 7> kPalette = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                                 "#E69F00", "#56B4E9", "#000000"};
constexpr std::array<const char*, 3> kDashes = {"", "7 4", "2 3"};

const char* colour(std::size_t i) { return kPalette[i % kPalette.size()]; }
std::string dash_attribute(std::size_t i) {
  const char* dash = kDashes[(i / kPalette.size()) % kDashes.size()];
  return *dash ? std::string(" stroke-dasharray=\"") + dash + "\"" : std::string();
}

constexpr const char* kFont = "Helvetica, Arial, 'Liberation Sans', 'DejaVu Sans', sans-serif";

std::string svg_open(int width, int height, const std::string& title) {
  std::string w = std::to_string(width), h = std::to_string(height);
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" +
         w + "\" height=\"" + h + "\" viewBox=\"0 0 " + w + " " + h + "\" font-family=\"" + kFont +
         "\" font-size=\"12\">\n<title>" + xml_escape(title) + "</title>\n<rect width=\"" + w +
         "\" height=\"" + h + "\" fill=\"#ffffff\"/>\n";
}

// <text> at (x, y); `markup` must already be escaped.
std::string text(double x, double y, const std::string& markup, const char* anchor,
                 const std::string& extra = "") {
  return "<text x=\"" + px(x) + "\" y=\"" + px(y) + "\" text-anchor=\"" + anchor + "\"" + extra +
         ">" + markup + "</text>\n";
}

// ---------------------------------------------------------------------------------------------
// Axes.

constexpr double kTickFont = 11;

struct Tick {
  double value;        // in axis units (log10 of the value on a log axis)
  std::string markup;  // escaped label, empty for an unlabelled tick
  double width;        // the label's width in pixels, for layout
  bool major;          // major ticks get a grid line
};

struct Axis {
  double lo = 0, hi = 1;  // in axis units
  bool log = false;
  std::vector<Tick> ticks;
  double frac(double axis_value) const { return (axis_value - lo) / (hi - lo); }
  double widest_label() const {
    double w = 0;
    for (const auto& t : ticks) w = std::max(w, t.width);
    return w;
  }
};

double pow10(int e) { return e >= 0 ? std::pow(10.0, e) : 1.0 / std::pow(10.0, -e); }

// A range of positive width around [lo, hi]: a single value v becomes v +- 10 % (or +-1 for 0);
// a range narrower than 1e-9 of its magnitude or 1e-250 counts as a single value.
std::pair<double, double> widen(double lo, double hi) {
  double scale = std::max(std::abs(lo), std::abs(hi));
  if (hi - lo > 1e-9 * scale && hi - lo > 1e-250) return {lo, hi};
  double centre = lo / 2 + hi / 2;
  double half = centre == 0 ? 1.0 : std::max(std::abs(centre) * 0.1, 1e-250);
  return {centre - half, centre + half};
}

// Ticks every m * 10^e (m in 1, 2, 5) with about `target` intervals over [lo, hi] (lo < hi).
// extend: the axis grows to whole steps; else it is [lo, hi] and only the ticks inside are kept.
Axis linear_axis(double lo, double hi, int target, bool extend) {
  double raw = (hi - lo) / std::max(target, 1);
  if (!(raw > 1e-280) || !std::isfinite(raw)) return Axis{lo, hi, false, {}};  // no ticks
  int e = static_cast<int>(std::floor(std::log10(raw)));
  double r = raw / pow10(e);
  int m = r <= 1 + 1e-9 ? 1 : r <= 2 + 1e-9 ? 2 : r <= 5 + 1e-9 ? 5 : 10;
  if (m == 10) m = 1, ++e;
  double step = e >= 0 ? m * pow10(e) : m / pow10(-e);
  auto kmin =
      static_cast<long long>(extend ? std::floor(lo / step + 1e-9) : std::ceil(lo / step - 1e-9));
  auto kmax =
      static_cast<long long>(extend ? std::ceil(hi / step - 1e-9) : std::floor(hi / step + 1e-9));
  Axis axis;
  axis.lo = extend ? static_cast<double>(kmin) * step : lo;
  axis.hi = extend ? static_cast<double>(kmax) * step : hi;
  double largest = static_cast<double>(std::max(std::llabs(kmin), std::llabs(kmax))) * step;
  bool scientific = largest >= 1e6 || (largest > 0 && largest < 1e-3);
  for (long long k = kmin; k <= kmax; ++k) {
    double value =
        e >= 0 ? static_cast<double>(k * m) * pow10(e) : static_cast<double>(k * m) / pow10(-e);
    std::string label = format_scaled(k * m, e, scientific);
    axis.ticks.push_back({value, label, text_width(label, kTickFont), true});
  }
  return axis;
}

// Whole decades covering [10^lo, 10^hi], labelled 10^k (every few decades when there are many),
// minor ticks at 2..9 when there are at most six, and 2 and 5 labelled when at most two.
Axis log_axis(double lo, double hi) {
  int a = static_cast<int>(std::floor(lo + 1e-9));
  int b = static_cast<int>(std::ceil(hi - 1e-9));
  if (b <= a) b = a + 1;
  int decades = b - a;
  int stride = (decades + 7) / 8;
  Axis axis;
  axis.log = true;
  axis.lo = a;
  axis.hi = b;
  for (int k = a; k <= b; ++k) {
    bool labelled = ((k % stride) + stride) % stride == 0;
    if (!labelled && decades > 40) continue;
    std::string exponent = std::to_string(k);
    std::string markup =
        labelled ? "10<tspan dy=\"-6\" font-size=\"8\">" + exponent + "</tspan>" : std::string();
    double width = labelled ? text_width("10", kTickFont) + text_width(exponent, 8) : 0;
    axis.ticks.push_back({static_cast<double>(k), markup, width, labelled});
    if (k == b || decades > 6) continue;
    for (int m = 2; m <= 9; ++m) {
      bool label_minor = decades <= 2 && (m == 2 || m == 5);
      std::string label = label_minor ? format_scaled(m, k, k < -3 || k >= 6) : std::string();
      axis.ticks.push_back({k + std::log10(static_cast<double>(m)), xml_escape(label),
                            text_width(label, kTickFont), false});
    }
  }
  return axis;
}

// ---------------------------------------------------------------------------------------------
// Samples, decimation and clipping.

// One usable point of a series: index, x, and two values (y twice for a line; low and high for a
// band), already in axis units.
struct Sample {
  std::size_t i;
  double x, a, b;
};
using Run = std::vector<Sample>;  // consecutive usable samples: one line segment or band piece

enum class Decimate { kMinMax, kEnvelope, kStride };

// Splits samples (nullopt = unusable) into runs at unusable points. Above kMaxPointsPerSeries,
// buckets of consecutive indices are reduced: kMinMax keeps each bucket's lowest and highest
// sample (spikes survive), kEnvelope keeps the bucket's lowest `a` and highest `b` at its first and
// last x, kStride keeps the first sample of each bucket and the last overall. A run breaks wherever
// an unusable point lies between two kept samples.
std::vector<Run> make_runs(const std::vector<std::optional<Sample>>& samples, Decimate mode) {
  std::size_t n = samples.size();
  std::vector<std::size_t> bad_before(n + 1, 0);
  for (std::size_t i = 0; i < n; ++i) bad_before[i + 1] = bad_before[i] + (samples[i] ? 0 : 1);
  std::vector<Sample> kept;
  if (n <= kMaxPointsPerSeries) {
    for (const auto& s : samples)
      if (s) kept.push_back(*s);
  } else {
    std::size_t per_bucket =
        mode == Decimate::kStride ? kMaxPointsPerSeries - 1 : kMaxPointsPerSeries / 2;
    std::size_t bucket = (n + per_bucket - 1) / per_bucket;
    for (std::size_t start = 0; start < n; start += bucket) {
      std::size_t end = std::min(n, start + bucket);
      std::optional<Sample> first, last, low, high;
      double lowest = 0, highest = 0;
      for (std::size_t i = start; i < end; ++i) {
        if (!samples[i]) continue;
        const Sample& s = *samples[i];
        if (!first) first = s, lowest = s.a, highest = s.b;
        last = s;
        if (!low || s.a < low->a) low = s;
        if (!high || s.b > high->b) high = s;
        lowest = std::min(lowest, s.a);
        highest = std::max(highest, s.b);
      }
      if (!first) continue;
      if (mode == Decimate::kMinMax) {
        const Sample& p = low->i <= high->i ? *low : *high;
        const Sample& q = low->i <= high->i ? *high : *low;
        kept.push_back(p);
        if (q.i != p.i) kept.push_back(q);
      } else if (mode == Decimate::kEnvelope) {
        kept.push_back({first->i, first->x, lowest, highest});
        if (last->i != first->i) kept.push_back({last->i, last->x, lowest, highest});
      } else {
        kept.push_back(*first);
      }
    }
    if (mode == Decimate::kStride) {
      // The path's last usable sample, wherever its bucket.
      for (std::size_t i = n; i-- > 0;) {
        if (!samples[i]) continue;
        if (kept.back().i != i) kept.push_back(*samples[i]);
        break;
      }
    }
  }
  std::vector<Run> runs;
  for (std::size_t k = 0; k < kept.size(); ++k) {
    if (k == 0 || bad_before[kept[k].i] != bad_before[kept[k - 1].i]) runs.emplace_back();
    runs.back().push_back(kept[k]);
  }
  return runs;
}

struct Box {
  double x0, y0, x1, y1;  // x0 < x1, y0 < y1
  bool contains(double x, double y) const { return x >= x0 && x <= x1 && y >= y0 && y <= y1; }
};

struct Point {
  double x, y;
};

// Liang-Barsky: the part of p->q inside the box, if any.
std::optional<std::pair<Point, Point>> clip_segment(Point p, Point q, const Box& box) {
  double t0 = 0, t1 = 1, dx = q.x - p.x, dy = q.y - p.y;
  const std::array<double, 4> ps = {-dx, dx, -dy, dy};
  const std::array<double, 4> qs = {p.x - box.x0, box.x1 - p.x, p.y - box.y0, box.y1 - p.y};
  for (int k = 0; k < 4; ++k) {
    if (ps[k] == 0) {
      if (qs[k] < 0) return std::nullopt;
    } else {
      double t = qs[k] / ps[k];
      if (ps[k] < 0) {
        if (t > t1) return std::nullopt;
        t0 = std::max(t0, t);
      } else {
        if (t < t0) return std::nullopt;
        t1 = std::min(t1, t);
      }
    }
  }
  // Unclipped ends stay exact, so the caller can tell a clipped end from an original one.
  return std::make_pair(t0 == 0 ? p : Point{p.x + t0 * dx, p.y + t0 * dy},
                        t1 == 1 ? q : Point{p.x + t1 * dx, p.y + t1 * dy});
}

// The pieces of a polyline (in axis units) inside the box.
std::vector<std::vector<Point>> clip_polyline(const std::vector<Point>& line, const Box& box) {
  std::vector<std::vector<Point>> pieces;
  if (line.size() == 1) {
    if (box.contains(line[0].x, line[0].y)) pieces.push_back(line);
    return pieces;
  }
  bool open = false;
  for (std::size_t k = 1; k < line.size(); ++k) {
    auto clipped = clip_segment(line[k - 1], line[k], box);
    if (!clipped) {
      open = false;
      continue;
    }
    bool entered = clipped->first.x != line[k - 1].x || clipped->first.y != line[k - 1].y;
    if (!open || entered) {
      pieces.push_back({clipped->first});
      open = true;
    }
    pieces.back().push_back(clipped->second);
    if (clipped->second.x != line[k].x || clipped->second.y != line[k].y) open = false;
  }
  return pieces;
}

// Maps axis units to pixels.
struct Frame {
  double left, top, right, bottom;
  Axis x, y;
  double to_px_x(double v) const { return left + x.frac(v) * (right - left); }
  double to_px_y(double v) const { return bottom - y.frac(v) * (bottom - top); }
};

// Ramer-Douglas-Peucker: drops the points of a pixel polyline that lie within `tolerance` of the
// segment between the points kept around them. Ends, corners and spikes stay.
std::vector<Point> simplify(const std::vector<Point>& pts, double tolerance) {
  if (pts.size() < 3) return pts;
  auto distance = [](Point p, Point a, Point b) {
    double dx = b.x - a.x, dy = b.y - a.y, length2 = dx * dx + dy * dy;
    double t =
        length2 > 0 ? std::clamp(((p.x - a.x) * dx + (p.y - a.y) * dy) / length2, 0.0, 1.0) : 0.0;
    return std::hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy));
  };
  std::vector<bool> keep(pts.size(), false);
  keep.front() = keep.back() = true;
  std::vector<std::pair<std::size_t, std::size_t>> stack = {{0, pts.size() - 1}};
  while (!stack.empty()) {
    auto [first, last] = stack.back();
    stack.pop_back();
    double worst = tolerance;
    std::size_t at = 0;
    for (std::size_t k = first + 1; k < last; ++k) {
      double d = distance(pts[k], pts[first], pts[last]);
      if (d > worst) worst = d, at = k;
    }
    if (at == 0) continue;
    keep[at] = true;
    stack.push_back({first, at});
    stack.push_back({at, last});
  }
  std::vector<Point> out;
  for (std::size_t k = 0; k < pts.size(); ++k)
    if (keep[k]) out.push_back(pts[k]);
  return out;
}

constexpr double kSimplify = 0.25;  // pixels: invisible, and smooth curves shrink to a few points

// "x,y x,y ..." in pixels, simplified, dropping points that round to the previous one.
std::string points_attribute(const std::vector<Point>& pts, const Frame& f) {
  std::vector<Point> pixels;
  for (const auto& p : pts) pixels.push_back({f.to_px_x(p.x), f.to_px_y(p.y)});
  std::string out, previous;
  for (const auto& p : simplify(pixels, kSimplify)) {
    std::string xy = px(p.x) + "," + px(p.y);
    if (xy == previous) continue;
    if (!out.empty()) out += ' ';
    out += xy;
    previous = std::move(xy);
  }
  return out;
}

// A coarse bitmap of the plot area marking where data is drawn, to place the legend on none.
class Occupancy {
 public:
  Occupancy(double left, double top, double right, double bottom)
      : left_(left),
        top_(top),
        w_(static_cast<int>((right - left) / kCell) + 1),
        h_(static_cast<int>((bottom - top) / kCell) + 1),
        bits_(static_cast<std::size_t>(w_ * h_), 0) {}
  void mark(double x, double y) {
    int i = static_cast<int>((x - left_) / kCell), j = static_cast<int>((y - top_) / kCell);
    if (i >= 0 && i < w_ && j >= 0 && j < h_) bits_[static_cast<std::size_t>(j * w_ + i)] = 1;
  }
  void segment(Point p, Point q) {
    double length = std::hypot(q.x - p.x, q.y - p.y);
    int steps = static_cast<int>(std::min(length / (kCell / 2), 1e5)) + 1;
    for (int s = 0; s <= steps; ++s) {
      double t = static_cast<double>(s) / steps;
      mark(p.x + t * (q.x - p.x), p.y + t * (q.y - p.y));
    }
  }
  void column(double x, double y_top, double y_bottom) {
    for (double y = y_top; y <= y_bottom + kCell / 2; y += kCell / 2)
      mark(x, std::min(y, y_bottom));
  }
  bool any(const Box& box) const {
    for (double y = box.y0; y <= box.y1 + kCell / 2; y += kCell / 2) {
      for (double x = box.x0; x <= box.x1 + kCell / 2; x += kCell / 2) {
        int i = static_cast<int>((std::min(x, box.x1) - left_) / kCell);
        int j = static_cast<int>((std::min(y, box.y1) - top_) / kCell);
        if (i >= 0 && i < w_ && j >= 0 && j < h_ && bits_[static_cast<std::size_t>(j * w_ + i)])
          return true;
      }
    }
    return false;
  }

 private:
  static constexpr double kCell = 4;
  double left_, top_;
  int w_, h_;
  std::vector<unsigned char> bits_;
};

// ---------------------------------------------------------------------------------------------
// Legend.

enum class Swatch { kLine, kLineBand, kStart, kEnd, kCross };

struct LegendEntry {
  std::string label;  // raw text, truncated
  Swatch swatch;
  std::size_t style;  // colour and dash index
};

constexpr std::size_t kMaxLabelChars = 36;
constexpr double kLegendRow = 18, kLegendPad = 8, kLegendSwatch = 24, kLegendFont = 12;

struct LegendSize {
  double width, height;
  std::size_t rows_per_column;
};

double legend_column(const std::vector<LegendEntry>& entries) {
  double widest = 0;
  for (const auto& e : entries) widest = std::max(widest, text_width(e.label, kLegendFont));
  return kLegendSwatch + 6 + widest + kLegendPad;
}

// The legend's size in columns of at most max_height; labels are shortened (down to 6 characters)
// until it is at most max_width wide.
LegendSize legend_size(std::vector<LegendEntry>& entries, double max_width, double max_height) {
  auto fit = static_cast<std::size_t>(std::max(1.0, (max_height - 2 * kLegendPad) / kLegendRow));
  std::size_t rows = std::min(entries.size(), fit);
  std::size_t columns = rows == 0 ? 0 : (entries.size() + rows - 1) / rows;
  for (std::size_t chars = kMaxLabelChars;; chars = chars * 3 / 4) {
    for (auto& e : entries) e.label = truncate(e.label, chars);
    double width = kLegendPad + static_cast<double>(columns) * legend_column(entries);
    if (width <= max_width || chars <= 6) {
      return {width, 2 * kLegendPad + static_cast<double>(rows) * kLegendRow - 4,
              std::max<std::size_t>(rows, 1)};
    }
  }
}

std::string legend_svg(const std::vector<LegendEntry>& entries, double x, double y,
                       const LegendSize& size) {
  double column = legend_column(entries);
  std::string out = "<g class=\"legend\">\n<rect x=\"" + px(x) + "\" y=\"" + px(y) + "\" width=\"" +
                    px(size.width) + "\" height=\"" + px(size.height) +
                    "\" fill=\"#ffffff\" fill-opacity=\"0.9\" stroke=\"#bbbbbb\"/>\n";
  for (std::size_t k = 0; k < entries.size(); ++k) {
    const auto& e = entries[k];
    double ex = x + kLegendPad + static_cast<double>(k / size.rows_per_column) * column;
    double ey = y + kLegendPad + static_cast<double>(k % size.rows_per_column) * kLegendRow + 7;
    std::string c = colour(e.style);
    double mid = ex + kLegendSwatch / 2;
    switch (e.swatch) {
      case Swatch::kLineBand:
        out += "<rect x=\"" + px(ex) + "\" y=\"" + px(ey - 6) + "\" width=\"" + px(kLegendSwatch) +
               "\" height=\"12\" fill=\"" + c + "\" fill-opacity=\"0.2\"/>\n";
        [[fallthrough]];
      case Swatch::kLine:
        out += "<line x1=\"" + px(ex) + "\" y1=\"" + px(ey) + "\" x2=\"" + px(ex + kLegendSwatch) +
               "\" y2=\"" + px(ey) + "\" stroke=\"" + c + "\" stroke-width=\"2\"" +
               dash_attribute(e.style) + "/>\n";
        break;
      case Swatch::kStart:
        out += "<circle cx=\"" + px(mid) + "\" cy=\"" + px(ey) +
               "\" r=\"4.5\" fill=\"#ffffff\" stroke=\"#555555\" stroke-width=\"2\"/>\n";
        break;
      case Swatch::kEnd:
        out += "<rect x=\"" + px(mid - 4) + "\" y=\"" + px(ey - 4) +
               "\" width=\"8\" height=\"8\" fill=\"#555555\"/>\n";
        break;
      case Swatch::kCross:
        out += "<path d=\"M" + px(mid - 5) + " " + px(ey - 5) + "L" + px(mid + 5) + " " +
               px(ey + 5) + "M" + px(mid - 5) + " " + px(ey + 5) + "L" + px(mid + 5) + " " +
               px(ey - 5) + "\" stroke=\"#000000\" stroke-width=\"2\"/>\n";
        break;
    }
    out += text(ex + kLegendSwatch + 6, ey + 4, xml_escape(e.label), "start");
  }
  return out + "</g>\n";
}

// ---------------------------------------------------------------------------------------------
// Shared drawing: grid, frame, ticks, labels, titles.

std::string grid_svg(const Frame& f) {
  std::string out = "<g stroke=\"#e6e6e6\" stroke-width=\"1\">\n";
  for (const auto& t : f.x.ticks) {
    if (!t.major || t.value <= f.x.lo || t.value >= f.x.hi) continue;
    double x = f.to_px_x(t.value);
    out += "<line x1=\"" + px(x) + "\" y1=\"" + px(f.top) + "\" x2=\"" + px(x) + "\" y2=\"" +
           px(f.bottom) + "\"/>\n";
  }
  for (const auto& t : f.y.ticks) {
    if (!(t.major || !t.markup.empty()) || t.value <= f.y.lo || t.value >= f.y.hi) continue;
    double y = f.to_px_y(t.value);
    out += "<line x1=\"" + px(f.left) + "\" y1=\"" + px(y) + "\" x2=\"" + px(f.right) + "\" y2=\"" +
           px(y) + "\"/>\n";
  }
  return out + "</g>\n";
}

std::string axes_svg(const Frame& f, bool with_ticks) {
  std::string out = "<rect x=\"" + px(f.left) + "\" y=\"" + px(f.top) + "\" width=\"" +
                    px(f.right - f.left) + "\" height=\"" + px(f.bottom - f.top) +
                    "\" fill=\"none\" stroke=\"#333333\"/>\n";
  if (!with_ticks) return out;
  out += "<g stroke=\"#333333\">\n";
  std::string labels = "<g font-size=\"11\" fill=\"#333333\">\n";
  for (const auto& t : f.x.ticks) {
    double x = f.to_px_x(t.value);
    out += "<line x1=\"" + px(x) + "\" y1=\"" + px(f.bottom) + "\" x2=\"" + px(x) + "\" y2=\"" +
           px(f.bottom + (t.major ? 5 : 3)) + "\"/>\n";
    if (!t.markup.empty()) labels += text(x, f.bottom + 18, t.markup, "middle");
  }
  for (const auto& t : f.y.ticks) {
    double y = f.to_px_y(t.value);
    out += "<line x1=\"" + px(f.left - (t.major ? 5 : 3)) + "\" y1=\"" + px(y) + "\" x2=\"" +
           px(f.left) + "\" y2=\"" + px(y) + "\"/>\n";
    if (!t.markup.empty()) labels += text(f.left - 8, y + 4, t.markup, "end");
  }
  return out + "</g>\n" + labels + "</g>\n";
}

std::string titles_svg(const Frame& f, double width, double height, const std::string& title,
                       const std::string& x_label, const std::string& y_label) {
  std::string out;
  auto fit = [](const std::string& s, double room, double font) {
    std::string fitted = s;
    for (std::size_t chars = utf8_length(s); chars > 4 && text_width(fitted, font) > room; --chars)
      fitted = truncate(s, chars - 1);
    return xml_escape(fitted);
  };
  if (!title.empty()) {
    out += text(width / 2, 26, fit(title, width - 20, 16 * 1.1), "middle",
                " font-size=\"16\" font-weight=\"bold\"");
  }
  if (!x_label.empty()) {
    out += text((f.left + f.right) / 2, height - 14, fit(x_label, f.right - f.left, 13), "middle",
                " font-size=\"13\"");
  }
  if (!y_label.empty()) {
    double cy = (f.top + f.bottom) / 2;
    out += text(18, cy, fit(y_label, f.bottom - f.top, 13), "middle",
                " font-size=\"13\" transform=\"rotate(-90 18 " + px(cy) + ")\"");
  }
  return out;
}

std::string clip_def(const std::string& id, const Frame& f, double slack) {
  return "<defs><clipPath id=\"" + id + "\"><rect x=\"" + px(f.left - slack) + "\" y=\"" +
         px(f.top - slack) + "\" width=\"" + px(f.right - f.left + 2 * slack) + "\" height=\"" +
         px(f.bottom - f.top + 2 * slack) + "\"/></clipPath></defs>\n";
}

// Chooses the x ticks for a plot width: about one per 75 pixels, fewer if the labels collide.
Axis fitted_axis(double lo, double hi, double width, bool extend) {
  for (int target = std::max(2, static_cast<int>(width / 75)); target > 1; --target) {
    Axis axis = linear_axis(lo, hi, target, extend);
    if (axis.ticks.size() < 2) return axis;
    double spacing = width / (axis.hi - axis.lo) * (axis.ticks[1].value - axis.ticks[0].value);
    if (axis.widest_label() + 12 <= spacing) return axis;
  }
  return linear_axis(lo, hi, 1, extend);
}

// The x axis of a line chart: grown to whole steps if that adds at most 5 % (else the data would
// end far from the edge, as 0..49 on an axis of 0..60), else exactly the data's range.
Axis chart_x_axis(double lo, double hi, double width) {
  Axis whole = fitted_axis(lo, hi, width, true);
  return whole.hi - whole.lo <= 1.05 * (hi - lo) ? whole : fitted_axis(lo, hi, width, false);
}

// ---------------------------------------------------------------------------------------------
// Line chart.

constexpr int kChartWidth = 800, kChartHeight = 500;
constexpr double kChartTop = 44, kChartBottom = kChartHeight - 58, kChartRightGap = 20;
struct SeriesRuns {
  std::vector<Run> line, band;
};

SeriesRuns series_runs(const Series& s, bool log_y) {
  std::size_t n = s.x.empty() ? s.y.size() : std::min(s.x.size(), s.y.size());
  auto x_at = [&](std::size_t i) { return s.x.empty() ? static_cast<double>(i) : s.x[i]; };
  auto y_ok = [&](double v) { return usable(v) && (!log_y || v > 0); };
  auto to_axis = [&](double v) { return log_y ? std::log10(v) : v; };
  std::vector<std::optional<Sample>> line(n), band;
  for (std::size_t i = 0; i < n; ++i) {
    double x = x_at(i), y = s.y[i];
    if (usable(x) && y_ok(y)) line[i] = Sample{i, x, to_axis(y), to_axis(y)};
  }
  SeriesRuns runs;
  runs.line = make_runs(line, Decimate::kMinMax);
  if (s.y_low.size() == s.y.size() && s.y_high.size() == s.y.size() && n > 0) {
    band.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      double x = x_at(i), low = s.y_low[i], high = s.y_high[i];
      if (!usable(x) || !y_ok(high) || !usable(low)) continue;
      // On a log axis a band reaching zero or below is drawn down to the axis (see below).
      double a = y_ok(low) ? to_axis(low) : -std::numeric_limits<double>::infinity();
      band[i] = Sample{i, x, std::min(a, to_axis(high)), std::max(a, to_axis(high))};
    }
    runs.band = make_runs(band, Decimate::kEnvelope);
  }
  return runs;
}

}  // namespace

std::string render_svg(const LineChart& chart) {
  std::vector<SeriesRuns> all;
  double x_lo = INFINITY, x_hi = -INFINITY, y_lo = INFINITY, y_hi = -INFINITY;
  for (const auto& s : chart.series) {
    all.push_back(series_runs(s, chart.log_y));
    for (const auto* runs : {&all.back().line, &all.back().band}) {
      for (const auto& run : *runs) {
        for (const auto& p : run) {
          x_lo = std::min(x_lo, p.x);
          x_hi = std::max(x_hi, p.x);
          if (std::isfinite(p.a)) y_lo = std::min(y_lo, p.a);
          y_hi = std::max(y_hi, p.b);
        }
      }
    }
  }
  bool has_data = x_lo <= x_hi;
  if (has_data && y_lo > y_hi) y_lo = y_hi;  // only bands reaching <= 0 on a log axis

  Axis y_axis;
  if (!has_data) {
    y_axis = Axis{};
  } else if (chart.log_y) {
    y_axis = log_axis(y_lo, y_hi);
  } else {
    auto [lo, hi] = widen(y_lo, y_hi);
    y_axis = linear_axis(lo, hi, static_cast<int>((kChartBottom - kChartTop) / 50), true);
  }
  // Bands reaching zero or below on a log axis go down to the axis.
  for (auto& runs : all)
    for (auto& run : runs.band)
      for (auto& p : run) p.a = std::max(p.a, y_axis.lo);

  Frame f;
  f.top = kChartTop;
  f.bottom = kChartBottom;
  f.left = has_data ? std::max(56.0, 44 + y_axis.widest_label()) : 44;
  f.right = kChartWidth - kChartRightGap;
  f.y = y_axis;
  auto [xl, xh] = has_data ? widen(x_lo, x_hi) : std::pair<double, double>{0, 1};
  f.x = chart_x_axis(xl, xh, f.right - f.left);

  // Legend: the first corner of the plot where it covers no data, else to the right of the plot.
  std::vector<LegendEntry> entries;
  for (std::size_t k = 0; k < chart.series.size(); ++k) {
    entries.push_back(
        {chart.series[k].label, all[k].band.empty() ? Swatch::kLine : Swatch::kLineBand, k});
  }
  std::optional<Point> legend_at;
  LegendSize legend{};
  if (!entries.empty()) {
    legend = legend_size(entries, 0.45 * kChartWidth, f.bottom - f.top - 16);
    Occupancy occupied(f.left, f.top, f.right, f.bottom);
    for (const auto& runs : all) {
      for (const auto& run : runs.line) {
        for (std::size_t k = 0; k < run.size(); ++k) {
          Point p{f.to_px_x(run[k].x), f.to_px_y(run[k].a)};
          Point q =
              k + 1 < run.size() ? Point{f.to_px_x(run[k + 1].x), f.to_px_y(run[k + 1].a)} : p;
          occupied.segment(p, q);
        }
      }
      for (const auto& run : runs.band) {
        for (std::size_t k = 0; k < run.size(); ++k) {
          const Sample& p = run[k];
          const Sample& q = k + 1 < run.size() ? run[k + 1] : p;
          double x0 = f.to_px_x(p.x), x1 = f.to_px_x(q.x);
          int steps = static_cast<int>(std::min(std::abs(x1 - x0) / 2, 1e4)) + 1;
          for (int s = 0; s <= steps; ++s) {
            double t = static_cast<double>(s) / steps;
            occupied.column(x0 + t * (x1 - x0), f.to_px_y(p.b + t * (q.b - p.b)),
                            f.to_px_y(p.a + t * (q.a - p.a)));
          }
        }
      }
    }
    double inset = 8, w = legend.width, h = legend.height;
    const std::array<Point, 4> corners = {Point{f.right - inset - w, f.top + inset},
                                          Point{f.left + inset, f.top + inset},
                                          Point{f.right - inset - w, f.bottom - inset - h},
                                          Point{f.left + inset, f.bottom - inset - h}};
    if (has_data && w + 2 * inset < f.right - f.left && h + 2 * inset < f.bottom - f.top) {
      for (const auto& c : corners) {
        if (!occupied.any({c.x - 3, c.y - 3, c.x + w + 3, c.y + h + 3})) {
          legend_at = c;
          break;
        }
      }
    }
    if (!legend_at) {
      f.right = std::max(f.left + 100, kChartWidth - kChartRightGap - legend.width);
      f.x = chart_x_axis(xl, xh, f.right - f.left);
      legend_at = Point{f.right + 12, f.top};
    }
  }

  std::string out = svg_open(kChartWidth, kChartHeight, chart.title);
  if (has_data) {
    out += clip_def("gp-plot", f, 2);
    out += grid_svg(f);
    out += "<g clip-path=\"url(#gp-plot)\">\n";
    for (std::size_t k = 0; k < all.size(); ++k) {
      for (const auto& run : all[k].band) {
        std::vector<Point> outline;
        for (const auto& p : run) outline.push_back({p.x, p.b});
        for (auto it = run.rbegin(); it != run.rend(); ++it) outline.push_back({it->x, it->a});
        out += "<polygon points=\"" + points_attribute(outline, f) + "\" fill=\"" + colour(k) +
               "\" fill-opacity=\"0.2\" stroke=\"none\"/>\n";
      }
    }
    Box box{f.x.lo, f.y.lo, f.x.hi, f.y.hi};
    for (std::size_t k = 0; k < all.size(); ++k) {
      for (const auto& run : all[k].line) {
        std::vector<Point> line;
        for (const auto& p : run) line.push_back({p.x, p.a});
        for (const auto& piece : clip_polyline(line, box)) {
          if (piece.size() == 1) {
            out += "<circle cx=\"" + px(f.to_px_x(piece[0].x)) + "\" cy=\"" +
                   px(f.to_px_y(piece[0].y)) + "\" r=\"2.5\" fill=\"" + colour(k) + "\"/>\n";
          } else {
            out += "<polyline points=\"" + points_attribute(piece, f) +
                   "\" fill=\"none\" stroke=\"" + colour(k) +
                   "\" stroke-width=\"1.8\" stroke-linejoin=\"round\"" + dash_attribute(k) + "/>\n";
          }
        }
      }
    }
    out += "</g>\n";
  } else {
    out += text((f.left + f.right) / 2, (f.top + f.bottom) / 2, "no data", "middle",
                " font-size=\"14\" fill=\"#777777\"");
  }
  out += axes_svg(f, has_data);
  if (legend_at) out += legend_svg(entries, legend_at->x, legend_at->y, legend);
  out += titles_svg(f, kChartWidth, kChartHeight, chart.title, chart.x_label, chart.y_label);
  return out + "</svg>\n";
}

// ---------------------------------------------------------------------------------------------
// Contour plot.

namespace {

constexpr int kContourWidth = 800, kContourHeight = 560;
constexpr double kContourLeft = 70, kContourTop = 44, kContourSize = 460;

// A colour along viridis (t in [0, 1]), stopping short of its faint yellow end.
std::string viridis(double t) {
  static constexpr std::array<std::array<double, 3>, 5> stops = {
      {{68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98}, {253, 231, 37}}};
  t = std::clamp(t, 0.0, 1.0) * 0.85 * (stops.size() - 1);
  auto k = std::min(static_cast<std::size_t>(t), stops.size() - 2);
  double u = t - static_cast<double>(k);
  char buf[8];
  std::string out = "#";
  for (int c = 0; c < 3; ++c) {
    auto v = static_cast<int>(std::lround(stops[k][c] + u * (stops[k + 1][c] - stops[k][c])));
    static constexpr const char* kHex = "0123456789abcdef";
    buf[0] = kHex[v / 16];
    buf[1] = kHex[v % 16];
    out.append(buf, 2);
  }
  return out;
}

// Marching squares for one level on a (n+1) x (n+1) node grid; returns polylines in grid units.
std::vector<std::vector<Point>> contour_lines(const std::vector<double>& v, int n, double level) {
  const int nodes = n + 1;
  auto at = [&](int i, int j) { return v[static_cast<std::size_t>(j * nodes + i)]; };
  // An edge point is named by its edge: horizontal (i,j)-(i+1,j) or vertical (i,j)-(i,j+1).
  auto key = [&](int vertical, int i, int j) {
    return (static_cast<std::int64_t>(vertical) * (nodes + 1) + j) * (nodes + 1) + i;
  };
  auto point = [&](std::int64_t k) {
    int i = static_cast<int>(k % (nodes + 1));
    int j = static_cast<int>((k / (nodes + 1)) % (nodes + 1));
    bool vertical = k / ((nodes + 1) * (nodes + 1)) != 0;
    double a = at(i, j), b = vertical ? at(i, j + 1) : at(i + 1, j);
    double t = (level - a) / (b - a);
    return vertical ? Point{static_cast<double>(i), j + t} : Point{i + t, static_cast<double>(j)};
  };
  std::vector<std::array<std::int64_t, 2>> segments;
  for (int j = 0; j < n; ++j) {
    for (int i = 0; i < n; ++i) {
      double c0 = at(i, j), c1 = at(i + 1, j), c2 = at(i + 1, j + 1), c3 = at(i, j + 1);
      if (!std::isfinite(c0) || !std::isfinite(c1) || !std::isfinite(c2) || !std::isfinite(c3))
        continue;
      bool b0 = c0 > level, b1 = c1 > level, b2 = c2 > level, b3 = c3 > level;
      std::int64_t bottom = key(0, i, j), right = key(1, i + 1, j), top = key(0, i, j + 1),
                   left = key(1, i, j);
      std::vector<std::int64_t> crossed;
      if (b0 != b1) crossed.push_back(bottom);
      if (b1 != b2) crossed.push_back(right);
      if (b2 != b3) crossed.push_back(top);
      if (b3 != b0) crossed.push_back(left);
      if (crossed.size() == 2) {
        segments.push_back({crossed[0], crossed[1]});
      } else if (crossed.size() == 4) {
        // Saddle: the centre decides which pair of corners is joined.
        bool centre = (c0 + c1 + c2 + c3) / 4 > level;
        if (centre == b0) {  // corners 1 and 3 are cut off
          segments.push_back({bottom, right});
          segments.push_back({left, top});
        } else {  // corners 0 and 2 are cut off
          segments.push_back({left, bottom});
          segments.push_back({right, top});
        }
      }
    }
  }
  std::unordered_map<std::int64_t, std::array<int, 2>> touching;
  for (int s = 0; s < static_cast<int>(segments.size()); ++s) {
    for (auto k : segments[static_cast<std::size_t>(s)]) {
      auto [it, fresh] = touching.try_emplace(k, std::array<int, 2>{-1, -1});
      it->second[it->second[0] < 0 ? 0 : 1] = s;
    }
  }
  std::vector<bool> used(segments.size(), false);
  auto next = [&](std::int64_t k) -> std::optional<std::int64_t> {
    for (int s : touching.at(k)) {
      if (s < 0 || used[static_cast<std::size_t>(s)]) continue;
      used[static_cast<std::size_t>(s)] = true;
      const auto& seg = segments[static_cast<std::size_t>(s)];
      return seg[0] == k ? seg[1] : seg[0];
    }
    return std::nullopt;
  };
  std::vector<std::vector<Point>> lines;
  for (std::size_t s = 0; s < segments.size(); ++s) {
    if (used[s]) continue;
    used[s] = true;
    std::deque<std::int64_t> chain = {segments[s][0], segments[s][1]};
    while (auto k = next(chain.back())) chain.push_back(*k);
    while (auto k = next(chain.front())) chain.push_front(*k);
    std::vector<Point> line;
    for (auto k : chain) line.push_back(point(k));
    lines.push_back(std::move(line));
  }
  return lines;
}

}  // namespace

std::string render_contour_svg(const ContourPlot& plot) {
  if (!usable(plot.x_min) || !usable(plot.x_max) || !usable(plot.y_min) || !usable(plot.y_max) ||
      !(plot.x_min < plot.x_max) || !(plot.y_min < plot.y_max)) {
    throw std::invalid_argument(
        "render_contour_svg: the plot needs x_min < x_max and "
        "y_min < y_max, all finite");
  }
  Frame f;
  f.left = kContourLeft;
  f.top = kContourTop;
  f.right = kContourLeft + kContourSize;
  f.bottom = kContourTop + kContourSize;
  f.x = fitted_axis(plot.x_min, plot.x_max, kContourSize, false);
  f.y = linear_axis(plot.y_min, plot.y_max, 7, false);

  // The objective on the grid and its levels.
  const int n = kContourGrid;
  std::vector<double> values;
  double f_min = INFINITY, f_max = -INFINITY;
  if (plot.f) {
    values.resize(static_cast<std::size_t>((n + 1) * (n + 1)));
    for (int j = 0; j <= n; ++j) {
      for (int i = 0; i <= n; ++i) {
        double x = plot.x_min + (plot.x_max - plot.x_min) * i / n;
        double y = plot.y_min + (plot.y_max - plot.y_min) * j / n;
        double v = plot.f(x, y);
        if (!usable(v)) v = NAN;
        values[static_cast<std::size_t>(j * (n + 1) + i)] = v;
        if (std::isfinite(v)) f_min = std::min(f_min, v), f_max = std::max(f_max, v);
      }
    }
  }
  std::vector<double> levels;
  if (f_min < f_max) {
    double span = f_max - f_min;
    for (int k = 0; k < kContourLevels; ++k) {
      double t = static_cast<double>(k) / (kContourLevels - 1);
      // Log levels: from 1e-4 to about 0.8 of the span above the minimum, evenly in log.
      levels.push_back(plot.log_levels ? f_min + span * std::pow(10.0, -4 + 3.9 * t)
                                       : f_min + span * (k + 1) / (kContourLevels + 1));
    }
  }

  std::string out = svg_open(kContourWidth, kContourHeight, plot.title);
  out += clip_def("gp-contour", f, 0);
  out += "<g clip-path=\"url(#gp-contour)\">\n<g fill=\"none\" stroke-width=\"1\">\n";
  for (std::size_t k = 0; k < levels.size(); ++k) {
    std::string d;
    for (const auto& line : contour_lines(values, n, levels[k])) {
      std::vector<Point> pixels;
      for (const auto& p : line)
        pixels.push_back({f.left + p.x / n * kContourSize, f.bottom - p.y / n * kContourSize});
      std::string piece, previous;
      std::size_t points = 0;
      for (const auto& p : simplify(pixels, kSimplify)) {
        std::string xy = px(p.x) + " " + px(p.y);
        if (xy == previous) continue;
        piece += (piece.empty() ? "M" : " ") + xy;  // pairs after M are implicit line-tos
        previous = std::move(xy);
        ++points;
      }
      if (points > 1) d += piece;
    }
    if (d.empty()) continue;
    out += "<path stroke=\"" + viridis(static_cast<double>(k) / (kContourLevels - 1)) + "\" d=\"" +
           d + "\"/>\n";
  }
  out += "</g>\n";

  // Paths: white halos under all lines so they read over the contours, the lines, then markers
  // and minima on top.
  Box box{plot.x_min, plot.y_min, plot.x_max, plot.y_max};
  std::vector<LegendEntry> entries;
  std::string halos, lines, markers;
  for (std::size_t k = 0; k < plot.paths.size(); ++k) {
    const Series& s = plot.paths[k];
    entries.push_back({s.label, Swatch::kLine, k});
    std::size_t count = std::min(s.x.size(), s.y.size());
    std::vector<std::optional<Sample>> samples(count);
    for (std::size_t i = 0; i < count; ++i) {
      if (usable(s.x[i]) && usable(s.y[i])) samples[i] = Sample{i, s.x[i], s.y[i], s.y[i]};
    }
    auto runs = make_runs(samples, Decimate::kStride);
    for (const auto& run : runs) {
      std::vector<Point> line;
      for (const auto& p : run) line.push_back({p.x, p.a});
      for (const auto& piece : clip_polyline(line, box)) {
        if (piece.size() < 2) continue;
        std::string pts = points_attribute(piece, f);
        halos += "<polyline points=\"" + pts +
                 "\" fill=\"none\" stroke=\"#ffffff\" stroke-opacity=\"0.85\" "
                 "stroke-width=\"4.5\" stroke-linejoin=\"round\"/>\n";
        lines += "<polyline points=\"" + pts + "\" fill=\"none\" stroke=\"" + colour(k) +
                 "\" stroke-width=\"2\" stroke-linejoin=\"round\"" + dash_attribute(k) + "/>\n";
      }
    }
    if (runs.empty()) continue;
    const Sample& start = runs.front().front();
    const Sample& end = runs.back().back();
    if (box.contains(start.x, start.a)) {
      markers += "<circle cx=\"" + px(f.to_px_x(start.x)) + "\" cy=\"" + px(f.to_px_y(start.a)) +
                 "\" r=\"4.5\" fill=\"#ffffff\" stroke=\"" + colour(k) +
                 "\" stroke-width=\"2\"/>\n";
    }
    if (box.contains(end.x, end.a)) {
      markers += "<rect x=\"" + px(f.to_px_x(end.x) - 4) + "\" y=\"" + px(f.to_px_y(end.a) - 4) +
                 "\" width=\"8\" height=\"8\" fill=\"" + colour(k) +
                 "\" stroke=\"#ffffff\" stroke-width=\"1\"/>\n";
    }
  }
  out += halos + lines + markers;
  for (const auto& [mx, my] : plot.minima) {
    if (!usable(mx) || !usable(my) || !box.contains(mx, my)) continue;
    double cx = f.to_px_x(mx), cy = f.to_px_y(my);
    std::string d = "M" + px(cx - 6) + " " + px(cy - 6) + "L" + px(cx + 6) + " " + px(cy + 6) +
                    "M" + px(cx - 6) + " " + px(cy + 6) + "L" + px(cx + 6) + " " + px(cy - 6);
    out += "<path d=\"" + d + "\" stroke=\"#ffffff\" stroke-width=\"5\"/>\n";
    out += "<path d=\"" + d + "\" stroke=\"#000000\" stroke-width=\"2\"/>\n";
  }
  out += "</g>\n";
  out += axes_svg(f, true);

  // To the right: the legend, then the key of contour levels.
  if (!plot.paths.empty()) {
    entries.push_back({"start", Swatch::kStart, 0});
    entries.push_back({"end", Swatch::kEnd, 0});
  }
  if (!plot.minima.empty()) entries.push_back({"minimum", Swatch::kCross, 0});
  double side = f.right + 24, next_y = f.top;
  if (!entries.empty()) {
    LegendSize size = legend_size(entries, kContourWidth - side - 8, kContourSize / 2);
    out += legend_svg(entries, side, next_y, size);
    next_y += size.height + 20;
  }
  if (!levels.empty()) {
    out += text(side, next_y + 10, plot.log_levels ? "f levels (log-spaced)" : "f levels", "start",
                " font-size=\"11\" fill=\"#333333\"");
    next_y += 18;
    double row = std::min(16.0, (f.bottom - next_y) / static_cast<double>(levels.size()));
    for (std::size_t k = levels.size(); k-- > 0;) {
      double y = next_y + static_cast<double>(levels.size() - 1 - k) * row + row / 2;
      out += "<line x1=\"" + px(side) + "\" y1=\"" + px(y) + "\" x2=\"" + px(side + 24) +
             "\" y2=\"" + px(y) + "\" stroke=\"" +
             viridis(static_cast<double>(k) / (kContourLevels - 1)) + "\" stroke-width=\"2\"/>\n";
      out += text(side + 30, y + 4, general3(levels[k]), "start",
                  " font-size=\"11\" fill=\"#333333\"");
    }
  } else if (plot.f) {
    out += text(side, next_y + 10, "f: no contours (constant or not finite)", "start",
                " font-size=\"11\" fill=\"#777777\"");
  }
  out += titles_svg(f, kContourWidth, kContourHeight, plot.title, plot.x_label, plot.y_label);
  return out + "</svg>\n";
}

}  // namespace gradplug::host
