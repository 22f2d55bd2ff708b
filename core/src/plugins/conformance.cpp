#include "gradplug/conformance.hpp"

#include <algorithm>
#include <bit>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <limits>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "gradplug/abi.h"
#include "gradplug/random.hpp"
#include "gradplug/schema.hpp"

namespace gradplug {

namespace {

constexpr double kEps = std::numeric_limits<double>::epsilon();

// A short number for messages ("0.01", "1e+300", "nan").
std::string num(double x) {
  char text[40];
  std::snprintf(text, sizeof text, "%.6g", x);
  return text;
}

bool is_identifier(const char* text) {
  if (!text || !*text) return false;
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  if (!alpha(text[0])) return false;
  for (const char* p = text + 1; *p; ++p)
    if (!alpha(*p) && !(*p >= '0' && *p <= '9')) return false;
  return true;
}

bool same_bits(double a, double b) {
  return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
}

struct Verdict {
  bool passed;
  std::string detail;
};
Verdict pass(std::string detail) { return {true, std::move(detail)}; }
Verdict fail(std::string detail) { return {false, std::move(detail)}; }

// Runs checks one by one, reporting each through the options' hooks. An exception that escapes a
// check fails that check (and only that one).
class Runner {
 public:
  explicit Runner(const ConformanceOptions& options) : options_(options) {}

  template <class F>
  void run(const char* name, F&& check) {
    if (options_.on_start) options_.on_start(name);
    CheckResult result{name, false, ""};
    try {
      Verdict v = check();
      result.passed = v.passed;
      result.detail = std::move(v.detail);
    } catch (const std::exception& e) {
      result.detail = std::string("the plugin threw: ") + e.what();
    } catch (...) {
      result.detail = "the plugin threw an exception that is not a std::exception";
    }
    add(std::move(result));
  }

  void add(CheckResult result) {
    if (options_.on_result) options_.on_result(result);
    results_.push_back(std::move(result));
  }

  std::vector<CheckResult> take() { return std::move(results_); }

 private:
  const ConformanceOptions& options_;
  std::vector<CheckResult> results_;
};

// One choice of hyperparameters: the defaults, or the defaults with one parameter at an edge.
struct ParamSet {
  std::string label;  // "defaults" or e.g. "lr=0"
  std::vector<gp_value> values;
};

// Makes an instance through the descriptor; null (and why in *refusal) when create() refuses. The
// deleter holds the library, as the registry's does.
template <class T>
std::shared_ptr<T> make(const LoadedPlugin& plugin, const std::vector<gp_value>& values,
                        std::string* refusal) {
  char error[1024] = {0};
  void* instance = plugin.descriptor->create(values.data(), error, sizeof error);
  if (!instance) {
    *refusal = error[0] ? error : "create returned nothing";
    return nullptr;
  }
  auto destroy = plugin.descriptor->destroy;
  auto library = plugin.library;
  return std::shared_ptr<T>(static_cast<T*>(instance),
                            [destroy, library](T* object) { destroy(object); });
}

bool defaults_valid(const gp_descriptor& d) {
  for (std::size_t i = 0; i < d.param_count; ++i) {
    const gp_param& p = d.params[i];
    if (!in_range(p, p.default_value[0])) return false;
    if (p.type == GP_PARAM_PAIR && !in_range(p, p.default_value[1])) return false;
  }
  return true;
}

// The edge values of one parameter: each finite end of its range, or the nearest value inside an
// open end; 0 and 1 for a bool.
std::vector<double> edge_values(const gp_param& p) {
  std::vector<double> candidates;
  const bool whole = p.type == GP_PARAM_INT || p.type == GP_PARAM_CHOICE;
  if (p.type == GP_PARAM_BOOL) {
    candidates = {0.0, 1.0};
  } else {
    if (std::isfinite(p.min)) {
      double lo = p.min_open ? std::nextafter(p.min, HUGE_VAL) : p.min;
      if (whole) lo = p.min_open ? std::floor(p.min) + 1.0 : std::ceil(p.min);
      candidates.push_back(lo);
    }
    if (std::isfinite(p.max)) {
      double hi = p.max_open ? std::nextafter(p.max, -HUGE_VAL) : p.max;
      if (whole) hi = p.max_open ? std::ceil(p.max) - 1.0 : std::floor(p.max);
      candidates.push_back(hi);
    }
  }
  std::vector<double> edges;
  for (double v : candidates)
    if (in_range(p, v) && std::find(edges.begin(), edges.end(), v) == edges.end())
      edges.push_back(v);
  return edges;
}

std::string value_text(const gp_param& p, double v) {
  if (p.type == GP_PARAM_BOOL) return v != 0.0 ? "true" : "false";
  if (p.type == GP_PARAM_CHOICE) return choice_word(p, v);
  if (p.type == GP_PARAM_PAIR) return "[" + format_number(v) + ", " + format_number(v) + "]";
  return format_number(v);
}

// ---------------------------------------------------------------------------------------------
// Activations.

// Thousands of inputs: 0, a fine grid over [-8, 8], +-10^e for e from -12 to 300 in quarter
// decades, and normal draws of scale 4 from a fixed seed.
std::vector<double> activation_points() {
  std::vector<double> x{0.0};
  for (int i = -800; i <= 800; ++i) x.push_back(i / 100.0);
  for (int e = -48; e <= 1200; ++e) {
    const double m = std::pow(10.0, e / 4.0);
    x.push_back(m);
    x.push_back(-m);
  }
  Random rng(20240601);
  for (int i = 0; i < 1000; ++i) x.push_back(4.0 * rng.normal());
  x.push_back(1e300);
  x.push_back(-1e300);
  return x;
}

Verdict check_derivative(const Activation& a) {
  const std::vector<double> points = activation_points();
  std::size_t compared = 0, kinks = 0, not_finite = 0, mismatches = 0;
  double worst = 0.0, worst_x = 0.0;
  std::string first;
  for (double x : points) {
    const double h = 1e-5 * std::max(1.0, std::fabs(x));
    const double xp = x + h, xm = x - h;
    const double y = a.f(x), fp = a.f(xp), fm = a.f(xm);
    if (!std::isfinite(y) || !std::isfinite(fp) || !std::isfinite(fm)) {
      ++not_finite;  // the "finite outputs" check reports these
      continue;
    }
    const double forward = (fp - y) / (xp - x);
    const double backward = (y - fm) / (x - xm);
    if (std::fabs(forward - backward) >
        1e-3 * std::max({1.0, std::fabs(forward), std::fabs(backward)})) {
      ++kinks;  // not smooth around x (a kink within h): no derivative to compare against
      continue;
    }
    const double central = (fp - fm) / (xp - xm);
    const double d = a.df(x, y);
    ++compared;
    const double rounding = 8.0 * kEps * std::max(std::fabs(fp), std::fabs(fm)) / h;
    const double tolerance = 1e-5 * std::max(std::fabs(d), std::fabs(central)) + 1e-9 + rounding;
    const double error = std::fabs(d - central);
    if (!(error <= tolerance)) {
      if (++mismatches == 1)
        first = "f'(" + num(x) + ") = " + num(d) + " but finite differences give " + num(central);
      continue;
    }
    const double relative = error / std::max(1e-300, std::max(std::fabs(d), std::fabs(central)));
    if (relative > worst && std::fabs(central) > 1e-6) {
      worst = relative;
      worst_x = x;
    }
  }
  const std::string counts = std::to_string(compared) + " of " + std::to_string(points.size()) +
                             " points compared (x from -1e300 through 0 to 1e300), " +
                             std::to_string(kinks) + " skipped next to kinks, " +
                             std::to_string(not_finite) + " skipped where f is not finite";
  if (mismatches)
    return fail(first + " (" + std::to_string(mismatches) + " mismatches; " + counts +
                "): df(x, y) must be the derivative of f");
  if (compared * 2 < points.size())
    return fail("only " + counts + ": f must be smooth at most points");
  return pass(counts + "; largest relative difference " + num(worst) + " at x = " + num(worst_x));
}

Verdict check_finite(const Activation& a) {
  std::vector<double> points = activation_points();
  for (double x : {DBL_MIN, -DBL_MIN, std::numeric_limits<double>::denorm_min(),
                   -std::numeric_limits<double>::denorm_min()})
    points.push_back(x);
  std::size_t bad = 0;
  std::string first;
  for (double x : points) {
    const double y = a.f(x);
    const double d = a.df(x, y);
    if (std::isfinite(y) && std::isfinite(d)) continue;
    if (++bad == 1)
      first = std::isfinite(y) ? "f'(" + num(x) + ") = " + num(d) + " (with f = " + num(y) + ")"
                               : "f(" + num(x) + ") = " + num(y);
  }
  if (bad)
    return fail(first + " (" + std::to_string(bad) + " of " + std::to_string(points.size()) +
                " inputs give a non-finite f or f'): both must be finite for every finite x");
  return pass("f and f' are finite at " + std::to_string(points.size()) +
              " inputs, including +-1e300 and subnormals");
}

bool agree(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return a == b || std::fabs(a - b) <= 1e-12 * std::max(std::fabs(a), std::fabs(b));
}

Verdict check_arrays(const Activation& a) {
  const std::vector<double> x = activation_points();
  const std::size_t n = x.size();
  // One guard element past the end: the array forms must write exactly n values.
  constexpr double kGuard = -12345.678;
  std::vector<double> y(n + 1, kGuard), d(n + 1, kGuard);
  a.f_array(x.data(), y.data(), n);
  if (y[n] != kGuard) return fail("f_array wrote past the n values it was given");
  a.df_array(x.data(), y.data(), d.data(), n);
  if (d[n] != kGuard) return fail("df_array wrote past the n values it was given");
  for (std::size_t i = 0; i < n; ++i) {
    const double ys = a.f(x[i]);
    if (!agree(y[i], ys))
      return fail("f_array gives " + num(y[i]) + " at x = " + num(x[i]) + ", f gives " + num(ys) +
                  ": the array forms must equal the scalar forms");
    const double ds = a.df(x[i], y[i]);
    if (!agree(d[i], ds))
      return fail("df_array gives " + num(d[i]) + " at x = " + num(x[i]) + ", df gives " + num(ds) +
                  ": the array forms must equal the scalar forms");
  }
  // Short runs starting one element in, as a vectorised loop's head and tail see them.
  for (std::size_t len = 1; len <= 17; ++len) {
    std::vector<double> ys(len + 1, kGuard), ds(len + 1, kGuard);
    a.f_array(x.data() + 1, ys.data(), len);
    a.df_array(x.data() + 1, ys.data(), ds.data(), len);
    if (ys[len] != kGuard || ds[len] != kGuard)
      return fail("the array forms wrote past the " + std::to_string(len) +
                  " values they were given");
    for (std::size_t i = 0; i < len; ++i)
      if (!agree(ys[i], a.f(x[1 + i])) || !agree(ds[i], a.df(x[1 + i], ys[i])))
        return fail("on a run of " + std::to_string(len) +
                    " values, the array forms differ from "
                    "the scalar forms at x = " +
                    num(x[1 + i]));
  }
  return pass("f_array and df_array equal f and df at " + std::to_string(n) +
              " points and on runs of 1 to 17 values");
}

// Light use of an edge-value instance: must neither crash nor throw.
void exercise(Activation& a) {
  const double x[] = {-1e300, -3.0, -1.0, 0.0, 1.0, 3.0, 1e300};
  double y[7], d[7];
  for (int i = 0; i < 7; ++i) y[i] = a.f(x[i]), d[i] = a.df(x[i], y[i]);
  a.f_array(x, y, 7);
  a.df_array(x, y, d, 7);
}

// ---------------------------------------------------------------------------------------------
// Optimizers.

// The convex quadratic f(x) = 0.5 * sum a_i x_i^2 with a_i from 1 to 10, and a fixed start.
constexpr std::size_t kDims = 10;
double curvature(std::size_t i) { return 1.0 + 9.0 * static_cast<double>(i) / (kDims - 1); }
std::vector<double> quadratic_start() {
  std::vector<double> x(kDims);
  for (std::size_t i = 0; i < kDims; ++i) x[i] = (i % 2 ? -1.0 : 1.0) * (1.0 + 0.1 * i);
  return x;
}
double quadratic(const std::vector<double>& x) {
  double f = 0.0;
  for (std::size_t i = 0; i < kDims; ++i) f += 0.5 * curvature(i) * x[i] * x[i];
  return f;
}
// The quadratic's gradient plus a small deterministic wobble, so no gradient is exactly zero.
std::vector<double> gradient(const std::vector<double>& x, int step) {
  std::vector<double> g(kDims);
  for (std::size_t i = 0; i < kDims; ++i)
    g[i] = curvature(i) * x[i] + 0.05 * std::cos(1.3 * static_cast<double>(i) + 0.7 * step);
  return g;
}
// A decaying learning rate, as a schedule would pass it.
double lr_at(const Optimizer& o, int step) { return o.base_lr() * (1.0 - 0.01 * step); }

// Steps [from, to) from x, returning the parameters after each step.
std::vector<std::vector<double>> trajectory(Optimizer& o, std::vector<double> x, int from, int to) {
  std::vector<std::vector<double>> out;
  for (int k = from; k < to; ++k) {
    const std::vector<double> g = gradient(x, k);
    o.step(x.data(), g.data(), x.size(), lr_at(o, k));
    out.push_back(x);
  }
  return out;
}

// Where two trajectories first differ in any bit, as "step k, parameter i: a vs b"; "" if never.
std::string first_difference(const std::vector<std::vector<double>>& a,
                             const std::vector<std::vector<double>>& b, int first_step) {
  for (std::size_t k = 0; k < a.size() && k < b.size(); ++k)
    for (std::size_t i = 0; i < a[k].size(); ++i)
      if (!same_bits(a[k][i], b[k][i]))
        return "step " + std::to_string(first_step + static_cast<int>(k) + 1) + ", parameter " +
               std::to_string(i) + ": " + format_number(a[k][i]) + " vs " + format_number(b[k][i]);
  return "";
}

const gp_param* find_param(const gp_descriptor& d, const char* name) {
  for (std::size_t i = 0; i < d.param_count; ++i)
    if (std::string(d.params[i].name) == name) return &d.params[i];
  return nullptr;
}

Verdict check_zero_gradient(const gp_descriptor& d, Optimizer& o) {
  if (const gp_param* wd = find_param(d, "weight_decay"); wd && wd->default_value[0] > 0.0)
    return pass("not checked: the default weight_decay " + num(wd->default_value[0]) +
                " > 0 moves parameters even with a zero gradient");
  constexpr std::size_t n = 16;
  Random rng(5);
  std::vector<double> x(n), g(n, 0.0);
  for (double& v : x) v = rng.uniform(-2.0, 2.0);
  const std::vector<double> start = x;
  o.reset(n);
  for (int k = 1; k <= 10; ++k) {
    o.step(x.data(), g.data(), n, o.base_lr());
    for (std::size_t i = 0; i < n; ++i)
      if (!(x[i] == start[i]))
        return fail("step " + std::to_string(k) + " with a zero gradient moved parameter " +
                    std::to_string(i) + " from " + format_number(start[i]) + " to " +
                    format_number(x[i]) + ": parameters must stay still without a gradient");
  }
  return pass("10 steps with zero gradients at lr " + num(o.base_lr()) +
              " left 16 parameters unchanged");
}

Verdict check_quadratic(Optimizer& o) {
  std::vector<double> x = quadratic_start();
  const double f0 = quadratic(x);
  const double lr = o.base_lr();
  o.reset(kDims);
  constexpr int kSteps = 200;
  for (int k = 1; k <= kSteps; ++k) {
    std::vector<double> g(kDims);
    for (std::size_t i = 0; i < kDims; ++i) g[i] = curvature(i) * x[i];
    o.step(x.data(), g.data(), kDims, lr);
    if (!std::isfinite(quadratic(x)))
      return fail("f = 0.5 sum a_i x_i^2 (a_i in [1, 10]) became " + num(quadratic(x)) +
                  " at step " + std::to_string(k) + " at the default lr " + num(lr));
  }
  const double f1 = quadratic(x);
  const std::string what = "f = 0.5 sum a_i x_i^2 (a_i in [1, 10]) went from " + num(f0) + " to " +
                           num(f1) + " in " + std::to_string(kSteps) + " steps at the default lr " +
                           num(lr);
  if (!(f1 < f0)) return fail(what + "; it must decrease");
  return pass(what);
}

// Two fresh instances of one parameter set, each reset for kDims parameters; the plugin's refusal,
// or "" when both were made.
std::string two_optimizers(const LoadedPlugin& plugin, const ParamSet& set,
                           std::shared_ptr<Optimizer>& a, std::shared_ptr<Optimizer>& b) {
  std::string refusal;
  a = make<Optimizer>(plugin, set.values, &refusal);
  b = make<Optimizer>(plugin, set.values, &refusal);
  if (!a || !b) return refusal.empty() ? std::string("create returned nothing") : refusal;
  a->reset(kDims);
  b->reset(kDims);
  return "";
}

Verdict check_save_restore(const LoadedPlugin& plugin, const std::vector<ParamSet>& sets) {
  constexpr int kBefore = 7, kAfter = 6;
  for (const ParamSet& set : sets) {
    std::shared_ptr<Optimizer> a, b;
    if (std::string refusal = two_optimizers(plugin, set, a, b); !refusal.empty())
      return fail("[" + set.label + "] create failed the second time: " + refusal);
    std::vector<double> x = trajectory(*a, quadratic_start(), 0, kBefore).back();
    const OptimizerState state = a->save();
    const auto uninterrupted = trajectory(*a, x, kBefore, kBefore + kAfter);
    try {
      b->load(state);
    } catch (const std::exception& e) {
      return fail("[" + set.label + "] load() refused the state save() gave: " + e.what());
    }
    const auto resumed = trajectory(*b, x, kBefore, kBefore + kAfter);
    const std::string diff = first_difference(uninterrupted, resumed, kBefore);
    if (!diff.empty())
      return fail("[" + set.label + "] a fresh instance given load(save()) after step " +
                  std::to_string(kBefore) + " differs from the uninterrupted run at " + diff +
                  ": save() and load() must carry all the state");
  }
  return pass(std::to_string(sets.size()) +
              " parameter set(s): a fresh instance restored from "
              "save() after step 7 repeated the next 6 steps bit for bit");
}

Verdict check_determinism(const LoadedPlugin& plugin, const std::vector<ParamSet>& sets) {
  constexpr int kSteps = 20;
  for (const ParamSet& set : sets) {
    std::shared_ptr<Optimizer> a, b;
    if (std::string refusal = two_optimizers(plugin, set, a, b); !refusal.empty())
      return fail("[" + set.label + "] create failed the second time: " + refusal);
    const auto first = trajectory(*a, quadratic_start(), 0, kSteps);
    const auto second = trajectory(*b, quadratic_start(), 0, kSteps);
    std::string diff = first_difference(first, second, 0);
    if (!diff.empty())
      return fail("[" + set.label + "] two instances given the same inputs differ at " + diff);
    a->reset(kDims);
    const auto again = trajectory(*a, quadratic_start(), 0, kSteps);
    diff = first_difference(first, again, 0);
    if (!diff.empty())
      return fail("[" + set.label + "] after reset() the same inputs give other outputs at " +
                  diff + ": reset() must forget all state");
  }
  return pass(std::to_string(sets.size()) +
              " parameter set(s): two instances, and one instance "
              "after reset(), gave the same 20 steps bit for bit");
}

void exercise(Optimizer& o) {
  std::vector<double> x{1.0, -2.0, 0.5, 0.0}, g{0.1, -0.3, 0.0, 2.0};
  o.reset(4);
  o.step(x.data(), g.data(), 4, o.base_lr());
  const OptimizerState state = o.save();
  o.reset(4);
  o.load(state);
  o.step(x.data(), g.data(), 4, o.base_lr());
}

// ---------------------------------------------------------------------------------------------
// Regularizers.

Verdict penalty_gradient(const Regularizer& r, const std::string& label, bool with_biases,
                         std::size_t* compared, std::size_t* kinks) {
  constexpr std::size_t n = 24;
  constexpr double kBase = 0.25;  // the gradient must be added to what is there
  Random rng(11);
  std::vector<double> w(n);
  for (double& v : w) v = (rng.uniform() < 0.5 ? -1.0 : 1.0) * rng.uniform(0.1, 2.0);
  std::vector<unsigned char> mask(n);
  for (std::size_t i = 0; i < n; ++i) mask[i] = i % 3 == 2;
  const unsigned char* is_bias = with_biases ? mask.data() : nullptr;
  const std::string where = "[" + label + (with_biases ? ", with biases] " : ", no biases] ");

  std::vector<double> g(n, kBase);
  const double p0 = r.penalty(w.data(), g.data(), is_bias, n);
  const double p0_plain = r.penalty(w.data(), nullptr, is_bias, n);
  if (!std::isfinite(p0)) return fail(where + "the penalty is " + num(p0));
  if (!agree(p0, p0_plain))
    return fail(where + "penalty() returns " + num(p0) + " when given grads and " + num(p0_plain) +
                " without: it must not depend on grads");
  double scale = 0.0;
  for (std::size_t i = 0; i < n; ++i) scale = std::max(scale, std::fabs(g[i] - kBase));
  for (std::size_t i = 0; i < n; ++i) {
    const double h = 1e-6 * std::max(1.0, std::fabs(w[i]));
    std::vector<double> wp = w, wm = w;
    wp[i] += h;
    wm[i] -= h;
    const double step_up = wp[i] - w[i], step_down = w[i] - wm[i];
    const double pp = r.penalty(wp.data(), nullptr, is_bias, n);
    const double pm = r.penalty(wm.data(), nullptr, is_bias, n);
    const double forward = (pp - p0) / step_up, backward = (p0 - pm) / step_down;
    const double central = (pp - pm) / (step_up + step_down);
    scale = std::max(scale, std::fabs(central));
    if (std::fabs(forward - backward) >
        1e-3 * std::max({scale, std::fabs(forward), std::fabs(backward)})) {
      ++*kinks;
      continue;
    }
    const double analytic = g[i] - kBase;
    const double rounding = 8.0 * kEps * std::max(std::fabs(pp), std::fabs(pm)) / h;
    const double tolerance =
        1e-5 * std::max(std::fabs(analytic), std::fabs(central)) + 1e-7 * scale + rounding;
    ++*compared;
    if (!(std::fabs(analytic - central) <= tolerance))
      return fail(where + "d penalty / d w[" + std::to_string(i) + "] at w = " + num(w[i]) +
                  ": penalty() adds " + num(analytic) + " to grads, finite differences give " +
                  num(central) + (with_biases && mask[i] ? " (a bias)" : ""));
  }
  return pass("");
}

Verdict check_penalty(const std::vector<std::pair<ParamSet, std::shared_ptr<Regularizer>>>& sets) {
  std::size_t compared = 0, kinks = 0;
  for (const auto& [set, r] : sets)
    for (bool biases : {false, true})
      if (Verdict v = penalty_gradient(*r, set.label, biases, &compared, &kinks); !v.passed)
        return v;
  return pass(std::to_string(sets.size()) + " parameter set(s), with and without biases: " +
              std::to_string(compared) + " partial derivatives match finite differences" +
              (kinks ? ", " + std::to_string(kinks) + " skipped at kinks" : std::string()));
}

Verdict check_transform(
    const std::vector<std::pair<ParamSet, std::shared_ptr<Regularizer>>>& sets) {
  const Regularizer& defaults = *sets.front().second;
  constexpr std::size_t kUnits = 32;
  std::vector<double> scale(kUnits);
  if (!defaults.transforms_activations()) {
    Random rng(3);
    defaults.draw_scale(scale.data(), kUnits, rng);
    for (double s : scale)
      if (s != 1.0)
        return fail("transforms_activations() is false but draw_scale() gives " + num(s) +
                    ", not 1");
    return pass("does not transform activations: scale 1 in training and evaluation alike");
  }
  // Every instance: entries finite and >= 0, the same seed giving the same scales.
  for (const auto& [set, r] : sets) {
    if (!r->transforms_activations()) continue;
    Random rng(3), twin(3);
    std::vector<double> again(kUnits);
    for (int draw = 0; draw < 200; ++draw) {
      r->draw_scale(scale.data(), kUnits, rng);
      r->draw_scale(again.data(), kUnits, twin);
      for (std::size_t i = 0; i < kUnits; ++i) {
        if (!(std::isfinite(scale[i]) && scale[i] >= 0.0))
          return fail("[" + set.label + "] draw_scale() gave " + num(scale[i]) +
                      ": every scale must be finite and >= 0");
        if (!same_bits(scale[i], again[i]))
          return fail("[" + set.label + "] the same seed gave other scales (" + num(scale[i]) +
                      " vs " + num(again[i]) + "): draw from rng only");
      }
    }
  }
  // The defaults: the mean scale is 1, so evaluation (which skips the transform) sees the same
  // expected activations as training.
  constexpr int kDraws = 4000;
  Random rng(17);
  double sum = 0.0, sum_sq = 0.0;
  for (int draw = 0; draw < kDraws; ++draw) {
    defaults.draw_scale(scale.data(), kUnits, rng);
    for (double s : scale) sum += s, sum_sq += s * s;
  }
  const double count = static_cast<double>(kDraws) * kUnits;
  const double mean = sum / count;
  const double variance = std::max(0.0, sum_sq / count - mean * mean);
  const double tolerance = std::max(0.01, 6.0 * std::sqrt(variance / count));
  const std::string what =
      "mean scale " + num(mean) + " over " + format_number(count) + " draws with the defaults";
  if (!(std::fabs(mean - 1.0) <= tolerance))
    return fail(what + "; it must be 1 (within " + num(tolerance) +
                "), as evaluation uses no transform: scale the kept units up (inverted scaling)");
  return pass(what + " (within " + num(tolerance) +
              " of 1); every scale finite and >= 0, and "
              "the same seed gives the same scales");
}

void exercise(Regularizer& r) {
  double w[4] = {1.0, -2.0, 0.0, 0.5}, g[4] = {0, 0, 0, 0};
  const unsigned char mask[4] = {0, 0, 1, 0};
  r.penalty(w, g, mask, 4);
  r.penalty(w, nullptr, nullptr, 4);
  if (r.transforms_activations()) {
    Random rng(1);
    double scale[8];
    r.draw_scale(scale, 8, rng);
  }
}

// ---------------------------------------------------------------------------------------------
// Every plugin.

Verdict check_descriptor(const gp_descriptor& d) {
  std::vector<std::string> problems;
  auto missing = [](const char* text) { return !text || !*text; };
  if (d.kind != GP_KIND_ACTIVATION && d.kind != GP_KIND_OPTIMIZER && d.kind != GP_KIND_REGULARIZER)
    problems.push_back("kind " + std::to_string(d.kind) + " is not a gp_kind");
  if (missing(d.name)) problems.push_back("no name");
  if (missing(d.version)) problems.push_back("no version");
  if (missing(d.description)) problems.push_back("no description");
  if (!d.create) problems.push_back("no create function");
  if (!d.destroy) problems.push_back("no destroy function");
  if (d.param_count && !d.params) problems.push_back("parameters declared but no schema");
  for (std::size_t i = 0; d.params && i < d.param_count; ++i) {
    const gp_param& p = d.params[i];
    const std::string who =
        "parameter " + std::to_string(i) + (p.name ? " '" + std::string(p.name) + "'" : "");
    if (missing(p.name)) problems.push_back(who + " has no name");
    if (p.type < GP_PARAM_REAL || p.type > GP_PARAM_CHOICE)
      problems.push_back(who + " has type " + std::to_string(p.type) + ", not a gp_param_type");
    if (p.type == GP_PARAM_CHOICE) {
      const std::vector<std::string> words = choice_words(p);
      bool identifiers = true;
      for (const std::string& w : words) identifiers = identifiers && is_identifier(w.c_str());
      if (words.empty() || !identifiers ||
          std::set<std::string>(words.begin(), words.end()).size() != words.size())
        problems.push_back(who + " is a choice without a list of distinct identifiers");
      else if (p.min != 0.0 || p.max != static_cast<double>(words.size() - 1) || p.min_open ||
               p.max_open)
        problems.push_back(who + " is a choice whose range is not [0, " +
                           std::to_string(words.size() - 1) + "]");
    }
    if (missing(p.doc)) problems.push_back(who + " has no doc");
    if (std::isnan(p.min) || std::isnan(p.max) || p.min > p.max)
      problems.push_back(who + " has the range [" + num(p.min) + ", " + num(p.max) + "]");
  }
  if (!problems.empty()) {
    std::string text;
    for (const auto& p : problems) text += (text.empty() ? "" : "; ") + p;
    return fail(text);
  }
  return pass(std::string(kind_name(static_cast<gp_kind>(d.kind))) + " '" + d.name + "' " +
              d.version + ": name, version, description, create, destroy and " +
              std::to_string(d.param_count) + " documented parameter(s)");
}

Verdict check_defaults(const gp_descriptor& d) {
  std::string problems;
  for (std::size_t i = 0; i < d.param_count; ++i) {
    const gp_param& p = d.params[i];
    const int elements = p.type == GP_PARAM_PAIR ? 2 : 1;
    for (int e = 0; e < elements; ++e)
      if (!in_range(p, p.default_value[e]))
        problems += std::string(problems.empty() ? "" : "; ") + p.name + ": default " +
                    format_default(p) + " is outside its own range (" + describe_accepted(p) + ")";
  }
  if (!problems.empty()) return fail(problems);
  return pass(d.param_count ? std::to_string(d.param_count) + " default(s) inside their ranges"
                            : "no parameters");
}

Verdict check_names(const gp_descriptor& d) {
  if (!is_identifier(d.name))
    return fail("the plugin name '" + std::string(d.name ? d.name : "") +
                "' is not an identifier (letters, digits and '_', not starting with a digit)");
  std::set<std::string> seen;
  for (std::size_t i = 0; i < d.param_count; ++i) {
    const char* name = d.params[i].name;
    if (!is_identifier(name))
      return fail("parameter name '" + std::string(name ? name : "") +
                  "' is not an identifier (letters, digits and '_', not starting with a digit)");
    if (!seen.insert(name).second)
      return fail("two parameters are named '" + std::string(name) + "'");
  }
  return pass("'" + std::string(d.name) + "' and " + std::to_string(d.param_count) +
              " parameter name(s): unique identifiers");
}

// Creates, uses lightly and destroys an instance of the interface T; false (and why in *refusal)
// when create() refuses.
template <class T>
bool create_and_exercise_as(const LoadedPlugin& plugin, const std::vector<gp_value>& values,
                            std::string* refusal) {
  const std::shared_ptr<T> instance = make<T>(plugin, values, refusal);
  if (!instance) return false;
  exercise(*instance);
  return true;
}

bool create_and_exercise(const LoadedPlugin& plugin, const std::vector<gp_value>& values,
                         std::string* refusal) {
  switch (plugin.kind()) {
    case GP_KIND_ACTIVATION:
      return create_and_exercise_as<Activation>(plugin, values, refusal);
    case GP_KIND_OPTIMIZER:
      return create_and_exercise_as<Optimizer>(plugin, values, refusal);
    case GP_KIND_REGULARIZER:
      return create_and_exercise_as<Regularizer>(plugin, values, refusal);
  }
  return false;
}

}  // namespace

std::vector<CheckResult> check_plugin(const LoadedPlugin& plugin,
                                      const ConformanceOptions& options) {
  Runner runner(options);
  const gp_descriptor& d = *plugin.descriptor;
  runner.run(check::kDescriptor, [&] { return check_descriptor(d); });
  runner.run(check::kAbiVersion, [&] {
    if (d.abi_version != GRADPLUG_ABI_VERSION)
      return fail("built for ABI version " + std::to_string(d.abi_version) +
                  ", this gradplug has " + std::to_string(GRADPLUG_ABI_VERSION) +
                  " (rebuild it against this SDK)");
    return pass("ABI version " + std::to_string(d.abi_version));
  });
  runner.run(check::kSchemaDefaults, [&] { return check_defaults(d); });
  runner.run(check::kNames, [&] { return check_names(d); });
  const bool defaults_ok = defaults_valid(d);
  const std::vector<gp_value> defaults = default_values(d.params, d.param_count);

  bool created = false;
  runner.run(check::kCreateDefaults, [&] {
    if (!defaults_ok)
      return fail(
          "not tried: a default lies outside its range (see 'schema defaults'); the "
          "checks of the plugin's kind need an instance made from the defaults");
    std::string refusal;
    if (!create_and_exercise(plugin, defaults, &refusal))
      return fail("create() refused the defaults: " + refusal);
    created = true;
    return pass("created, used and destroyed with the defaults");
  });

  // The defaults, then every edge value that create() accepts.
  std::vector<ParamSet> sets;
  if (created) sets.push_back({"defaults", defaults});
  runner.run(check::kCreateEdges, [&] {
    if (d.param_count == 0) return pass("no parameters: nothing to vary");
    std::size_t tried = 0, refused = 0;
    std::string note;
    for (std::size_t i = 0; i < d.param_count; ++i) {
      const gp_param& p = d.params[i];
      for (double v : edge_values(p)) {
        std::vector<gp_value> values = defaults;
        values[i] = gp_value{{v, p.type == GP_PARAM_PAIR ? v : 0.0}};
        bool valid = true;
        for (std::size_t j = 0; j < d.param_count; ++j)
          if (j != i &&
              (!in_range(d.params[j], values[j].v[0]) ||
               (d.params[j].type == GP_PARAM_PAIR && !in_range(d.params[j], values[j].v[1]))))
            valid = false;
        if (!valid) continue;  // another default is out of range: not a set the host would pass
        const std::string label = std::string(p.name) + "=" + value_text(p, v);
        ++tried;
        std::string refusal;
        try {
          if (create_and_exercise(plugin, values, &refusal)) {
            sets.push_back({label, values});
            continue;
          }
        } catch (const std::exception& e) {
          return fail("[" + label + "] created, but using it threw: " + e.what());
        }
        if (++refused == 1) note = std::string(label).append(": ").append(refusal);
      }
    }
    if (tried == 0) return pass("no finite edge values to try");
    std::string text = std::to_string(tried) + " edge value(s) tried, " +
                       std::to_string(tried - refused) + " created, used and destroyed";
    if (refused)
      text += "; " + std::to_string(refused) +
              " refused by the constructor with an exception, which is allowed (e.g. " + note + ")";
    return pass(text);
  });

  if (!created) return runner.take();
  std::string refusal;
  switch (plugin.kind()) {
    case GP_KIND_ACTIVATION: {
      const auto a = make<Activation>(plugin, defaults, &refusal);
      if (!a) break;
      runner.run(check::kDerivative, [&] { return check_derivative(*a); });
      runner.run(check::kFiniteOutputs, [&] { return check_finite(*a); });
      runner.run(check::kArrayForms, [&] { return check_arrays(*a); });
      break;
    }
    case GP_KIND_OPTIMIZER: {
      runner.run(check::kZeroGradient, [&] {
        const auto o = make<Optimizer>(plugin, defaults, &refusal);
        return o ? check_zero_gradient(d, *o) : fail("create failed: " + refusal);
      });
      runner.run(check::kQuadratic, [&] {
        const auto o = make<Optimizer>(plugin, defaults, &refusal);
        return o ? check_quadratic(*o) : fail("create failed: " + refusal);
      });
      runner.run(check::kSaveRestore, [&] { return check_save_restore(plugin, sets); });
      runner.run(check::kDeterminism, [&] { return check_determinism(plugin, sets); });
      break;
    }
    case GP_KIND_REGULARIZER: {
      std::vector<std::pair<ParamSet, std::shared_ptr<Regularizer>>> instances;
      for (const ParamSet& set : sets)
        if (auto r = make<Regularizer>(plugin, set.values, &refusal))
          instances.emplace_back(set, std::move(r));
      if (instances.empty()) break;
      runner.run(check::kPenaltyGradient, [&] { return check_penalty(instances); });
      runner.run(check::kEvaluationIdentity, [&] { return check_transform(instances); });
      break;
    }
  }
  return runner.take();
}

std::vector<CheckResult> check_plugin_file(const std::filesystem::path& file,
                                           const ConformanceOptions& options) {
  Registry registry;
  if (!registry.load_file(file)) {
    const std::string reason = registry.skipped().back().reason;
    const bool abi = reason.rfind("built for plugin ABI version", 0) == 0;
    CheckResult result{abi ? check::kAbiVersion : check::kLoad, false, reason};
    if (options.on_start) options.on_start(result.name);
    if (options.on_result) options.on_result(result);
    return {result};
  }
  const LoadedPlugin& plugin = registry.plugins().back();
  CheckResult loaded{check::kLoad, true,
                     "loaded " + std::string(kind_name(plugin.kind())) + " '" +
                         std::string(plugin.name()) + "' from " + file.string()};
  if (options.on_start) options.on_start(loaded.name);
  if (options.on_result) options.on_result(loaded);
  std::vector<CheckResult> results{loaded};
  for (auto& r : check_plugin(plugin, options)) results.push_back(std::move(r));
  return results;
}

bool all_passed(const std::vector<CheckResult>& results) {
  return !results.empty() &&
         std::all_of(results.begin(), results.end(), [](const CheckResult& r) { return r.passed; });
}

}  // namespace gradplug
