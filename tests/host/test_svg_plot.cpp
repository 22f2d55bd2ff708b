// The SVG chart writer: documents are well-formed XML, carry every title, label and legend entry
// (escaped), never "nan" or "inf", have compact tick labels (1-2-5 steps, decades on a log axis),
// split lines at non-finite points, draw bands, keep spikes when decimating, and are deterministic.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <regex>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "plot/svg_plot.hpp"

namespace {

using gradplug::host::ContourPlot;
using gradplug::host::LineChart;
using gradplug::host::render_contour_svg;
using gradplug::host::render_svg;
using gradplug::host::Series;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// A small XML checker: one root element, balanced tags, quoted attributes, known entities only.
// Returns an empty string if the document is well-formed, else what is wrong and where.
std::string xml_problem(const std::string& doc) {
  std::size_t i = 0;
  if (doc.rfind("<?xml", 0) == 0) {
    i = doc.find("?>");
    if (i == std::string::npos) return "unterminated declaration";
    i += 2;
  }
  std::vector<std::string> open;
  int roots = 0;
  auto is_name = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == ':';
  };
  auto check_entity = [&](std::size_t at) -> bool {
    static const std::regex entity("^&(amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);");
    return std::regex_search(doc.substr(at, 12), entity);
  };
  while (i < doc.size()) {
    char c = doc[i];
    if (c == '&') {
      if (!check_entity(i)) return "bad entity at " + std::to_string(i);
      ++i;
      continue;
    }
    if (c != '<') {
      if (open.empty() && !std::isspace(static_cast<unsigned char>(c)))
        return "text outside the root at " + std::to_string(i);
      ++i;
      continue;
    }
    if (doc.compare(i, 4, "<!--") == 0) {
      i = doc.find("-->", i);
      if (i == std::string::npos) return "unterminated comment";
      i += 3;
      continue;
    }
    bool closing = i + 1 < doc.size() && doc[i + 1] == '/';
    std::size_t j = i + (closing ? 2 : 1);
    std::size_t name_start = j;
    while (j < doc.size() && is_name(doc[j])) ++j;
    std::string name = doc.substr(name_start, j - name_start);
    if (name.empty()) return "empty tag name at " + std::to_string(i);
    if (closing) {
      if (open.empty() || open.back() != name) return "unbalanced </" + name + ">";
      open.pop_back();
      j = doc.find('>', j);
      if (j == std::string::npos) return "unterminated closing tag";
      i = j + 1;
      continue;
    }
    // Attributes.
    std::set<std::string> seen;
    while (true) {
      while (j < doc.size() && std::isspace(static_cast<unsigned char>(doc[j]))) ++j;
      if (j >= doc.size()) return "unterminated tag <" + name;
      if (doc[j] == '>' || doc.compare(j, 2, "/>") == 0) break;
      std::size_t a = j;
      while (j < doc.size() && is_name(doc[j])) ++j;
      std::string attribute = doc.substr(a, j - a);
      if (attribute.empty() || j >= doc.size() || doc[j] != '=')
        return "bad attribute in <" + name + "> at " + std::to_string(a);
      if (!seen.insert(attribute).second) return "duplicate attribute " + attribute;
      ++j;
      if (j >= doc.size() || (doc[j] != '"' && doc[j] != '\'')) return "unquoted " + attribute;
      char quote = doc[j];
      std::size_t end = doc.find(quote, j + 1);
      if (end == std::string::npos) return "unterminated value of " + attribute;
      for (std::size_t k = j + 1; k < end; ++k) {
        if (doc[k] == '<') return "'<' in the value of " + attribute;
        if (doc[k] == '&' && !check_entity(k)) return "bad entity in " + attribute;
      }
      j = end + 1;
    }
    bool self_closing = doc[j] == '/';
    if (open.empty()) ++roots;
    if (!self_closing) open.push_back(name);
    i = j + (self_closing ? 2 : 1);
  }
  if (!open.empty()) return "unclosed <" + open.back() + ">";
  if (roots != 1) return "expected one root element, found " + std::to_string(roots);
  return "";
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::size_t count(const std::string& haystack, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1))
    ++n;
  return n;
}

// The contents of every <text> element, markup included.
std::vector<std::string> texts(const std::string& doc) {
  std::vector<std::string> out;
  for (auto at = doc.find("<text "); at != std::string::npos; at = doc.find("<text ", at + 1)) {
    auto from = doc.find('>', at) + 1;
    out.push_back(doc.substr(from, doc.find("</text>", from) - from));
  }
  return out;
}

bool has_text(const std::string& doc, const std::string& content) {
  auto all = texts(doc);
  return std::find(all.begin(), all.end(), content) != all.end();
}

// The points attributes of every <tag points="...">, in order. (No std::regex on long strings:
// libstdc++'s recursion would overflow the stack.)
std::vector<std::string> points_of(const std::string& doc, const std::string& tag) {
  std::vector<std::string> out;
  const std::string start = "<" + tag + " points=\"";
  for (auto at = doc.find(start); at != std::string::npos; at = doc.find(start, at + 1)) {
    auto from = at + start.size();
    out.push_back(doc.substr(from, doc.find('"', from) - from));
  }
  return out;
}
std::vector<std::string> polylines(const std::string& doc) { return points_of(doc, "polyline"); }

std::vector<std::pair<double, double>> parse_points(const std::string& points) {
  std::vector<std::pair<double, double>> out;
  std::size_t at = 0;
  while (at < points.size()) {
    auto comma = points.find(',', at);
    auto space = points.find(' ', comma);
    if (space == std::string::npos) space = points.size();
    out.emplace_back(std::stod(points.substr(at, comma - at)),
                     std::stod(points.substr(comma + 1, space - comma - 1)));
    at = space + 1;
  }
  return out;
}

// The plot frame: the first rect without fill.
struct Rect {
  double x, y, w, h;
};
Rect attribute_rect(const std::string& element) {
  auto get = [&](const std::string& name) {
    std::smatch m;
    std::regex re(" " + name + "=\"(-?[0-9.]+)\"");
    EXPECT_TRUE(std::regex_search(element, m, re)) << name << " in " << element;
    return std::stod(m[1]);
  };
  return {get("x"), get("y"), get("width"), get("height")};
}
Rect frame_of(const std::string& doc) {
  std::smatch m;
  EXPECT_TRUE(std::regex_search(doc, m, std::regex("<rect[^>]*fill=\"none\"[^>]*/>")));
  return attribute_rect(m[0]);
}
Rect legend_of(const std::string& doc) {
  std::smatch m;
  EXPECT_TRUE(std::regex_search(doc, m, std::regex("<g class=\"legend\">\n(<rect[^>]*/>)")));
  return attribute_rect(m[1]);
}

void expect_clean(const std::string& doc) {
  EXPECT_EQ(xml_problem(doc), "");
  EXPECT_EQ(lower(doc).find("nan"), std::string::npos);
  EXPECT_EQ(lower(doc).find("inf"), std::string::npos);
  // Coordinates have one decimal, labels are exact: no long binary expansions anywhere.
  EXPECT_FALSE(std::regex_search(doc, std::regex("[0-9]\\.[0-9]{5,}")));
}

Series ramp(const std::string& label, std::size_t n, double from, double to) {
  Series s;
  s.label = label;
  for (std::size_t i = 0; i < n; ++i) {
    s.x.push_back(static_cast<double>(i));
    s.y.push_back(from + (to - from) * static_cast<double>(i) / static_cast<double>(n - 1));
  }
  return s;
}

TEST(SvgPlot, CheckerRejectsBrokenXml) {
  EXPECT_EQ(xml_problem("<svg><g></g></svg>"), "");
  EXPECT_NE(xml_problem("<svg><g></svg>"), "");
  EXPECT_NE(xml_problem("<svg><text>a & b</text></svg>"), "");
  EXPECT_NE(xml_problem("<svg a=\"<\"/>"), "");
  EXPECT_NE(xml_problem("<svg/><svg/>"), "");
}

TEST(SvgPlot, HasTitleAxisTitlesAndEscapedLegend) {
  LineChart chart;
  chart.title = "Loss <train> & \"test\"";
  chart.x_label = "step";
  chart.y_label = "loss's value";
  chart.series = {ramp("adam <lr=1e-3>", 50, 1.0, 0.1), ramp("sgd & momentum", 50, 0.9, 0.3),
                  ramp("it's \"rms\"", 50, 0.8, 0.2)};
  std::string doc = render_svg(chart);
  expect_clean(doc);
  EXPECT_EQ(doc.rfind("<?xml", 0), 0u);
  EXPECT_NE(doc.find("<svg xmlns=\"http://www.w3.org/2000/svg\""), std::string::npos);
  EXPECT_NE(doc.find("<title>Loss &lt;train&gt; &amp; &quot;test&quot;</title>"),
            std::string::npos);
  EXPECT_TRUE(has_text(doc, "Loss &lt;train&gt; &amp; &quot;test&quot;"));
  EXPECT_TRUE(has_text(doc, "step"));
  EXPECT_TRUE(has_text(doc, "loss&apos;s value"));
  EXPECT_TRUE(has_text(doc, "adam &lt;lr=1e-3&gt;"));
  EXPECT_TRUE(has_text(doc, "sgd &amp; momentum"));
  EXPECT_TRUE(has_text(doc, "it&apos;s &quot;rms&quot;"));
  EXPECT_EQ(doc.find("<train>"), std::string::npos);
  EXPECT_EQ(polylines(doc).size(), 3u);
}

TEST(SvgPlot, TickLabelsAreNiceAndCompact) {
  LineChart chart;
  chart.series = {ramp("a", 31, 0.0, 0.3)};
  std::string doc = render_svg(chart);
  expect_clean(doc);
  for (const char* label : {"0", "0.05", "0.1", "0.15", "0.2", "0.25", "0.3"})
    EXPECT_TRUE(has_text(doc, label)) << label;
  EXPECT_EQ(doc.find("0.30000000000000004"), std::string::npos);
  EXPECT_EQ(doc.find("0.10000000000000001"), std::string::npos);
  // The x axis runs 0..30 with whole-number ticks.
  EXPECT_TRUE(has_text(doc, "30"));
  EXPECT_FALSE(has_text(doc, "30.0"));

  // Big and tiny ranges switch to scientific notation.
  LineChart big;
  big.series = {ramp("big", 11, 0, 2e6)};
  big.series[0].x = big.series[0].y;
  std::string big_doc = render_svg(big);
  expect_clean(big_doc);
  EXPECT_TRUE(has_text(big_doc, "1e6"));
  EXPECT_TRUE(has_text(big_doc, "2e6"));
  LineChart tiny;
  tiny.series = {ramp("tiny", 11, 0, 4e-5)};
  std::string tiny_doc = render_svg(tiny);
  expect_clean(tiny_doc);
  EXPECT_TRUE(has_text(tiny_doc, "4e-5"));
}

TEST(SvgPlot, LogScalePicksDecadesAndIgnoresNonPositive) {
  LineChart chart;
  chart.log_y = true;
  Series s;
  s.label = "loss";
  s.y = {10.0, 3.0, 1.0, 0.3, 0.0, -1.0, 0.1, 0.01, 0.002};
  chart.series = {s};
  std::string doc = render_svg(chart);
  expect_clean(doc);
  for (int k = -3; k <= 1; ++k) {
    EXPECT_TRUE(
        has_text(doc, "10<tspan dy=\"-6\" font-size=\"8\">" + std::to_string(k) + "</tspan>"))
        << k;
  }
  EXPECT_FALSE(has_text(doc, "10<tspan dy=\"-6\" font-size=\"8\">2</tspan>"));
  EXPECT_FALSE(has_text(doc, "10<tspan dy=\"-6\" font-size=\"8\">-4</tspan>"));
  // 0 and -1 are skipped, which splits the line in two.
  EXPECT_EQ(polylines(doc).size(), 2u);

  // Within two decades, 2 and 5 are labelled too.
  LineChart narrow;
  narrow.log_y = true;
  narrow.series = {ramp("narrow", 20, 0.9, 0.2)};
  std::string narrow_doc = render_svg(narrow);
  expect_clean(narrow_doc);
  EXPECT_TRUE(has_text(narrow_doc, "0.2"));
  EXPECT_TRUE(has_text(narrow_doc, "0.5"));
  EXPECT_TRUE(has_text(narrow_doc, "10<tspan dy=\"-6\" font-size=\"8\">-1</tspan>"));
  EXPECT_TRUE(has_text(narrow_doc, "10<tspan dy=\"-6\" font-size=\"8\">0</tspan>"));

  // Nothing positive: no data.
  LineChart none;
  none.log_y = true;
  none.series = {ramp("flat", 5, 0, -1)};
  std::string none_doc = render_svg(none);
  expect_clean(none_doc);
  EXPECT_TRUE(has_text(none_doc, "no data"));
}

TEST(SvgPlot, NonFinitePointsSplitTheLine) {
  LineChart chart;
  Series s;
  s.label = "gaps";
  s.y = {1, 2, kNaN, 3, 4, kInf, -kInf, 5, 6, 7};
  s.x = {0, 1, 2, 3, 4, 5, 6, 7, kNaN, 9};
  chart.series = {s};
  std::string doc = render_svg(chart);
  expect_clean(doc);
  // Usable: 0-1, 3-4, then 7 alone (x is NaN at 8), then 9 alone: two lines and two dots.
  auto lines = polylines(doc);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(parse_points(lines[0]).size(), 2u);
  EXPECT_EQ(parse_points(lines[1]).size(), 2u);
  EXPECT_EQ(count(doc, "<circle"), 2u);
}

TEST(SvgPlot, IsolatedPointsBecomeDots) {
  LineChart chart;
  Series s;
  s.label = "dots";
  s.y = {1, kNaN, 2, kNaN, 3};
  chart.series = {s};
  std::string doc = render_svg(chart);
  expect_clean(doc);
  EXPECT_TRUE(polylines(doc).empty());
  EXPECT_EQ(count(doc, "<circle"), 3u);
}

TEST(SvgPlot, BandIsDrawnWhenGiven) {
  LineChart chart;
  Series s = ramp("mean of 5 seeds", 40, 1.0, 0.2);
  for (double y : s.y) {
    s.y_low.push_back(y * 0.8);
    s.y_high.push_back(y * 1.25);
  }
  chart.series = {s, ramp("no band", 40, 0.9, 0.5)};
  std::string doc = render_svg(chart);
  expect_clean(doc);
  EXPECT_EQ(count(doc, "<polygon"), 1u);
  EXPECT_NE(doc.find("fill-opacity=\"0.2\""), std::string::npos);
  // The range covers the band: 1.25 is above the mean's maximum.
  EXPECT_TRUE(has_text(doc, "1.2"));

  chart.series[0].y_low.clear();
  EXPECT_EQ(count(render_svg(chart), "<polygon"), 0u);

  // On a log axis a band reaching zero goes down to the axis.
  chart.log_y = true;
  chart.series[0].y_low.assign(chart.series[0].y.size(), 0.0);
  std::string log_doc = render_svg(chart);
  expect_clean(log_doc);
  EXPECT_EQ(count(log_doc, "<polygon"), 1u);
}

TEST(SvgPlot, DecimationKeepsSpikesAndStaysSmall) {
  LineChart chart;
  Series s;
  s.label = "long";
  const std::size_t n = 100000;
  for (std::size_t i = 0; i < n; ++i) s.y.push_back(1.0 + 0.1 * std::sin(0.001 * i));
  s.y[54321] = 100.0;
  s.y[77777] = -50.0;
  chart.series = {s};
  std::string doc = render_svg(chart);
  expect_clean(doc);
  EXPECT_LT(doc.size(), 60000u);
  auto lines = polylines(doc);
  ASSERT_EQ(lines.size(), 1u);
  auto points = parse_points(lines[0]);
  EXPECT_LE(points.size(), gradplug::host::kMaxPointsPerSeries);
  // The spikes reach the top and bottom of the plot.
  Rect frame = frame_of(doc);
  double top = 1e9, bottom = -1e9;
  for (auto [x, y] : points) top = std::min(top, y), bottom = std::max(bottom, y);
  EXPECT_LT(top, frame.y + 0.1 * frame.h);
  EXPECT_GT(bottom, frame.y + 0.9 * frame.h);

  // A band keeps its envelope: its outline reaches past the line's spikes.
  for (double y : s.y) {
    chart.series[0].y_low.push_back(y - 1);
    chart.series[0].y_high.push_back(y + 1);
  }
  std::string band_doc = render_svg(chart);
  expect_clean(band_doc);
  EXPECT_LT(band_doc.size(), 120000u);
  ASSERT_EQ(points_of(band_doc, "polygon").size(), 1u);
  auto outline = parse_points(points_of(band_doc, "polygon")[0]);
  EXPECT_LE(outline.size(), 2 * gradplug::host::kMaxPointsPerSeries);
  auto band_line = parse_points(polylines(band_doc).at(0));
  auto y_less = [](auto a, auto b) { return a.second < b.second; };
  EXPECT_LT(std::min_element(outline.begin(), outline.end(), y_less)->second,
            std::min_element(band_line.begin(), band_line.end(), y_less)->second);
  EXPECT_GT(std::max_element(outline.begin(), outline.end(), y_less)->second,
            std::max_element(band_line.begin(), band_line.end(), y_less)->second);
}

TEST(SvgPlot, SinglePointAndConstantGiveSensibleRanges) {
  LineChart one;
  Series s;
  s.label = "one";
  s.x = {5};
  s.y = {0.25};
  one.series = {s};
  std::string doc = render_svg(one);
  expect_clean(doc);
  EXPECT_EQ(count(doc, "<circle"), 1u);
  EXPECT_GE(texts(doc).size(), 6u);  // tick labels on both axes, the legend

  LineChart flat;
  flat.series = {ramp("flat", 10, 3.0, 3.0), ramp("zero", 10, 0.0, 0.0)};
  flat.series[0].y.assign(10, 0.0);  // all zero: the range is still positive
  std::string flat_doc = render_svg(flat);
  expect_clean(flat_doc);
  EXPECT_TRUE(has_text(flat_doc, "0"));
  EXPECT_EQ(polylines(flat_doc).size(), 2u);
}

TEST(SvgPlot, ExtremeValuesStayFinite) {
  for (bool log_y : {false, true}) {
    for (const std::vector<double>& y : std::vector<std::vector<double>>{{1e300, -1e300, 0.0},
                                                                         {1e-310, 2e-310, 3e-310},
                                                                         {1.0, 1.0 + 1e-15, 1.0},
                                                                         {1e300, 1e-300, 1e300},
                                                                         {1e308, 1.5e308}}) {
      LineChart chart;
      chart.log_y = log_y;
      Series s;
      s.label = "extreme";
      s.y = y;
      s.x = y;  // the same values on x
      chart.series = {s};
      std::string doc = render_svg(chart);
      expect_clean(doc);
      EXPECT_FALSE(std::regex_search(doc, std::regex("[0-9]{7,}"))) << doc;
    }
  }
}

TEST(SvgPlot, EmptyChartSaysNoData) {
  LineChart chart;
  chart.title = "empty";
  std::string doc = render_svg(chart);
  expect_clean(doc);
  EXPECT_TRUE(has_text(doc, "no data"));
  EXPECT_TRUE(has_text(doc, "empty"));

  Series s;
  s.label = "all missing";
  s.y = {kNaN, kInf};
  chart.series = {s};
  std::string nan_doc = render_svg(chart);
  expect_clean(nan_doc);
  EXPECT_TRUE(has_text(nan_doc, "no data"));
  EXPECT_TRUE(has_text(nan_doc, "all missing"));
}

TEST(SvgPlot, ManySeriesKeepDistinctStyles) {
  LineChart chart;
  for (int k = 0; k < 14; ++k)
    chart.series.push_back(ramp("series " + std::to_string(k), 20, k, k + 1.0));
  std::string doc = render_svg(chart);
  expect_clean(doc);
  std::set<std::string> styles;
  static const std::regex line(
      "<polyline [^>]*stroke=\"(#[0-9A-Fa-f]{6})\"[^>]*?( stroke-dasharray=\"[^\"]*\")?/>");
  for (auto it = std::sregex_iterator(doc.begin(), doc.end(), line); it != std::sregex_iterator();
       ++it)
    styles.insert((*it)[1].str() + (*it)[2].str());
  EXPECT_EQ(styles.size(), 14u);
  for (int k = 0; k < 14; ++k) EXPECT_TRUE(has_text(doc, "series " + std::to_string(k)));
}

TEST(SvgPlot, CrowdedLegendStaysOnTheCanvas) {
  LineChart chart;
  chart.title = std::string(300, 'T');
  for (int k = 0; k < 40; ++k) {
    chart.series.push_back(
        ramp("adam lr=" + std::to_string(k) + "e-3 beta1=0.9 beta2=0.999 eps=1e-8 weight_decay=0",
             20, k, 0));
  }
  std::string doc = render_svg(chart);
  expect_clean(doc);
  Rect frame = frame_of(doc), legend = legend_of(doc);
  EXPECT_GE(legend.x, frame.x + frame.w);
  EXPECT_LE(legend.x + legend.w, 800);
  EXPECT_GT(frame.w, 300);
  std::size_t entries = 0;
  for (const auto& t : texts(doc)) entries += t.rfind("adam lr=", 0) == 0 ? 1 : 0;
  EXPECT_EQ(entries, 40u);
  // Too long a title is cut with an ellipsis on the canvas (the <title> element keeps it whole).
  EXPECT_NE(doc.find("TT\xE2\x80\xA6</text>"), std::string::npos);
  EXPECT_EQ(doc.find(std::string(300, 'T') + "</text>"), std::string::npos);
  EXPECT_NE(doc.find("<title>" + std::string(300, 'T') + "</title>"), std::string::npos);
}

TEST(SvgPlot, LegendAvoidsTheData) {
  // A falling curve leaves the top-right corner free: the legend goes inside, away from it.
  LineChart falling;
  falling.series = {ramp("loss", 100, 1.0, 0.0)};
  std::string doc = render_svg(falling);
  Rect frame = frame_of(doc), legend = legend_of(doc);
  EXPECT_GT(legend.x, frame.x + frame.w / 2);
  EXPECT_LT(legend.x + legend.w, frame.x + frame.w);
  EXPECT_LT(legend.y, frame.y + frame.h / 2);

  // Noise over the whole plot: the legend moves to the right of it.
  LineChart noisy;
  Series s;
  s.label = "noise";
  for (int i = 0; i < 400; ++i) s.y.push_back((i * 7919 % 101) / 100.0);
  noisy.series = {s};
  std::string noisy_doc = render_svg(noisy);
  Rect noisy_frame = frame_of(noisy_doc), noisy_legend = legend_of(noisy_doc);
  EXPECT_GE(noisy_legend.x, noisy_frame.x + noisy_frame.w);
  EXPECT_LE(noisy_legend.x + noisy_legend.w, 800);
}

TEST(SvgPlot, OutputIsDeterministic) {
  LineChart chart;
  chart.title = "same";
  chart.series = {ramp("a", 3000, 2.0, 0.1), ramp("b", 100, 1.0, 0.5)};
  chart.series[0].y[1234] = kNaN;
  LineChart copy = chart;
  EXPECT_EQ(render_svg(chart), render_svg(copy));
  chart.log_y = true;
  EXPECT_EQ(render_svg(chart), render_svg(chart));
}

ContourPlot rosenbrock() {
  ContourPlot plot;
  plot.title = "Rosenbrock <a=1, b=100>";
  plot.x_min = -2;
  plot.x_max = 2;
  plot.y_min = -1;
  plot.y_max = 3;
  plot.f = [](double x, double y) { return (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x); };
  plot.minima = {{1.0, 1.0}};
  Series adam;
  adam.label = "adam & friends";
  Series sgd;
  sgd.label = "sgd <lr=1e-3>";
  for (int t = 0; t <= 200; ++t) {
    double u = t / 200.0;
    adam.x.push_back(-1.5 + 2.5 * u);
    adam.y.push_back(2.0 - 1.0 * u + 0.3 * std::sin(10 * u));
    sgd.x.push_back(-1.8 + 1.0 * u);
    sgd.y.push_back(-0.5 + 2.0 * u * u);
  }
  sgd.y[100] = kNaN;  // splits the path
  plot.paths = {adam, sgd};
  return plot;
}

TEST(SvgPlot, ContourPlotHasLevelsPathsMarkersAndMinima) {
  ContourPlot plot = rosenbrock();
  std::string doc = render_contour_svg(plot);
  expect_clean(doc);
  EXPECT_NE(doc.find("<title>Rosenbrock &lt;a=1, b=100&gt;</title>"), std::string::npos);
  EXPECT_TRUE(has_text(doc, "adam &amp; friends"));
  EXPECT_TRUE(has_text(doc, "sgd &lt;lr=1e-3&gt;"));
  EXPECT_TRUE(has_text(doc, "start"));
  EXPECT_TRUE(has_text(doc, "end"));
  EXPECT_TRUE(has_text(doc, "minimum"));
  EXPECT_TRUE(has_text(doc, "x"));
  EXPECT_TRUE(has_text(doc, "y"));
  EXPECT_GE(count(doc, "<path stroke=\"#"), 10u);  // contour levels
  // A halo and a line for adam's path, and for each of the two pieces of sgd's (split by NaN).
  EXPECT_EQ(polylines(doc).size(), 2u * 3u);
  EXPECT_GE(count(doc, "<circle"), 3u);  // two starts + the legend's
  EXPECT_EQ(count(doc, "stroke=\"#000000\" stroke-width=\"2\"/>"), 2u);  // minimum + legend cross
  EXPECT_LT(doc.size(), 200000u);
  EXPECT_EQ(doc, render_contour_svg(plot));

  plot.log_levels = false;
  std::string linear = render_contour_svg(plot);
  expect_clean(linear);
  EXPECT_NE(linear, doc);
}

TEST(SvgPlot, ContourPlotCopesWithBadInput) {
  ContourPlot plot = rosenbrock();
  plot.f = [](double x, double y) { return x > 0 ? std::log(y) : kInf * x; };
  std::string holes = render_contour_svg(plot);
  expect_clean(holes);

  plot.f = [](double, double) { return 4.0; };
  std::string flat = render_contour_svg(plot);
  expect_clean(flat);
  EXPECT_EQ(count(flat, "<path stroke=\"#"), 0u);

  plot.f = nullptr;
  plot.paths[0].x[0] = 1e200;  // far outside: clipped, no huge coordinates
  plot.paths[0].y[0] = -1e300;
  std::string no_f = render_contour_svg(plot);
  expect_clean(no_f);
  EXPECT_FALSE(std::regex_search(no_f, std::regex("[0-9]{7,}")));

  plot.x_max = plot.x_min;
  EXPECT_THROW(render_contour_svg(plot), std::invalid_argument);
  plot.x_max = kNaN;
  EXPECT_THROW(render_contour_svg(plot), std::invalid_argument);
}

}  // namespace
