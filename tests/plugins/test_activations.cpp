// The activation plugins (tanh, relu, leaky_relu, swish), loaded for real through the Registry
// from the built plugin directory: derivatives against central finite differences, values against
// closed forms, the array forms against the scalar forms bit for bit, finiteness at extreme inputs,
// the conventions at the kinks, and each plugin's descriptor and schema.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "built_in_plugins.hpp"
#include "gradplug/abi.h"
#include "gradplug/activation.hpp"
#include "gradplug/error.hpp"
#include "gradplug/random.hpp"
#include "gradplug/registry.hpp"
#include "gradplug/schema.hpp"

namespace {

using Overrides = std::vector<std::pair<std::string, double>>;

const gradplug::Registry& registry() { return gradplug::testing::built_in_plugins(); }

// The plugin's defaults, with some values replaced by schema name.
std::vector<gp_value> values_for(std::string_view name, const Overrides& overrides) {
  const gp_descriptor& d = *registry().get(GP_KIND_ACTIVATION, name).descriptor;
  std::vector<gp_value> values = gradplug::default_values(d.params, d.param_count);
  for (const auto& [key, value] : overrides) {
    bool found = false;
    for (std::size_t i = 0; i < d.param_count; ++i) {
      if (key == d.params[i].name) {
        values[i].v[0] = value;
        found = true;
      }
    }
    if (!found) throw std::logic_error("test asks for unknown parameter " + key);
  }
  return values;
}

std::shared_ptr<gradplug::Activation> make(std::string_view name, const Overrides& overrides = {}) {
  return registry().create_activation(name, values_for(name, overrides));
}

bool same_bits(double a, double b) {
  return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
}

// Edge points every activation must handle (0 itself is added separately: it is a kink for some).
std::vector<double> edge_points() {
  std::vector<double> points;
  for (double x : {1e-300, 1e-8, 1e-3, 0.5, 1.0, 2.0, 6.0, 20.0, 30.0, 40.0, 100.0, 700.0, 745.0,
                   800.0, 1e10, 1e300}) {
    points.push_back(x);
    points.push_back(-x);
  }
  return points;
}

std::vector<double> random_points(std::uint64_t seed, std::size_t n, double lo, double hi) {
  gradplug::Random rng(seed);
  std::vector<double> points(n);
  for (double& x : points) x = rng.uniform(lo, hi);
  return points;
}

struct Case {
  std::string label;  // test name suffix
  std::string name;   // plugin name
  Overrides overrides;
  bool kinked;  // has a kink at 0 (finite differences must not straddle it)
  // Largest |x| at which f must be finite: leaky_relu with a slope above 1 overflows, as it must,
  // when negative_slope * x exceeds the largest double.
  double max_abs_x = std::numeric_limits<double>::max();
};

std::ostream& operator<<(std::ostream& out, const Case& c) { return out << c.label; }

class ActivationCase : public ::testing::TestWithParam<Case> {
 protected:
  void SetUp() override { act_ = make(GetParam().name, GetParam().overrides); }
  std::shared_ptr<gradplug::Activation> act_;
};

TEST_P(ActivationCase, DerivativeMatchesCentralDifferences) {
  const Case& c = GetParam();
  std::vector<double> points = random_points(0x5eed + c.label.size(), 2000, -6.0, 6.0);
  const std::vector<double> edges = edge_points();
  points.insert(points.end(), edges.begin(), edges.end());
  if (!c.kinked) points.push_back(0.0);

  for (double x : points) {
    const double y = act_->f(x);
    const double d = act_->df(x, y);
    ASSERT_TRUE(std::isfinite(y)) << "f(" << x << ") = " << y;
    ASSERT_TRUE(std::isfinite(d)) << "f'(" << x << ") = " << d;
    double h = 1e-5 * std::max(1.0, std::fabs(x));
    // Piecewise-linear near the kink: a step inside the linear piece makes the difference exact.
    if (c.kinked) h = std::min(h, std::fabs(x) / 4);
    const double fd = (act_->f(x + h) - act_->f(x - h)) / (2 * h);
    EXPECT_NEAR(d, fd, 1e-7 * std::max(1.0, std::fabs(d))) << "at x = " << x << ", h = " << h;
  }
}

TEST_P(ActivationCase, FiniteAtExtremeInputs) {
  constexpr double kMax = std::numeric_limits<double>::max();
  constexpr double kMin = std::numeric_limits<double>::min();
  constexpr double kDenorm = std::numeric_limits<double>::denorm_min();
  for (double x :
       {0.0, -0.0, kDenorm, -kDenorm, kMin, -kMin, 1e300, -1e300, 1e308, -1e308, kMax, -kMax}) {
    if (std::fabs(x) > GetParam().max_abs_x) continue;
    const double y = act_->f(x);
    EXPECT_TRUE(std::isfinite(y)) << "f(" << x << ") = " << y;
    EXPECT_TRUE(std::isfinite(act_->df(x, y))) << "f'(" << x << ") = " << act_->df(x, y);
  }
}

TEST_P(ActivationCase, ArrayFormsEqualScalarFormsBitForBit) {
  std::vector<double> xs = random_points(99, 1003, -8.0, 8.0);
  const std::vector<double> wide = random_points(7, 101, -1000.0, 1000.0);
  const std::vector<double> edges = edge_points();
  xs.insert(xs.end(), wide.begin(), wide.end());
  xs.insert(xs.end(), edges.begin(), edges.end());
  xs.push_back(0.0);
  xs.push_back(-0.0);

  std::vector<double> ys(xs.size()), ds(xs.size());
  act_->f_array(xs.data(), ys.data(), xs.size());
  act_->df_array(xs.data(), ys.data(), ds.data(), xs.size());
  for (std::size_t i = 0; i < xs.size(); ++i) {
    const double y = act_->f(xs[i]);
    EXPECT_TRUE(same_bits(ys[i], y)) << "f at x = " << xs[i] << ": " << ys[i] << " vs " << y;
    const double d = act_->df(xs[i], y);
    EXPECT_TRUE(same_bits(ds[i], d)) << "f' at x = " << xs[i] << ": " << ds[i] << " vs " << d;
  }

  // An unaligned start and an odd length (vector loops' peeled head and tail).
  std::vector<double> ys2(xs.size() - 3), ds2(xs.size() - 3);
  act_->f_array(xs.data() + 1, ys2.data(), ys2.size());
  act_->df_array(xs.data() + 1, ys2.data(), ds2.data(), ds2.size());
  for (std::size_t i = 0; i < ys2.size(); ++i) {
    EXPECT_TRUE(same_bits(ys2[i], ys[i + 1])) << "at x = " << xs[i + 1];
    EXPECT_TRUE(same_bits(ds2[i], ds[i + 1])) << "at x = " << xs[i + 1];
  }

  // n = 0 touches nothing.
  act_->f_array(nullptr, nullptr, 0);
  act_->df_array(nullptr, nullptr, nullptr, 0);
}

INSTANTIATE_TEST_SUITE_P(
    Plugins, ActivationCase,
    ::testing::Values(
        Case{"tanh", "tanh", {}, false}, Case{"relu", "relu", {}, true},
        Case{"leaky_relu", "leaky_relu", {}, true},
        Case{"leaky_relu_slope_0_2", "leaky_relu", {{"negative_slope", 0.2}}, true},
        Case{"leaky_relu_slope_0", "leaky_relu", {{"negative_slope", 0.0}}, true},
        Case{"leaky_relu_slope_3", "leaky_relu", {{"negative_slope", 3.0}}, true, 1e300},
        Case{"swish", "swish", {}, false}, Case{"swish_beta_0", "swish", {{"beta", 0.0}}, false},
        Case{"swish_beta_0_5", "swish", {{"beta", 0.5}}, false},
        Case{"swish_beta_5", "swish", {{"beta", 5.0}}, false}),
    [](const ::testing::TestParamInfo<Case>& info) { return info.param.label; });

// --- closed forms and conventions -------------------------------------------------------------

TEST(TanhActivation, MatchesStdTanhAndOneMinusSquare) {
  const auto act = make("tanh");
  std::vector<double> xs = random_points(1, 500, -10.0, 10.0);
  const std::vector<double> edges = edge_points();
  xs.insert(xs.end(), edges.begin(), edges.end());
  xs.push_back(0.0);
  for (double x : xs) {
    const double t = std::tanh(x);
    EXPECT_DOUBLE_EQ(act->f(x), t) << "x = " << x;
    EXPECT_DOUBLE_EQ(act->df(x, act->f(x)), 1.0 - t * t) << "x = " << x;
  }
  EXPECT_EQ(act->f(1e300), 1.0);
  EXPECT_EQ(act->f(-1e300), -1.0);
  EXPECT_EQ(act->df(1e300, 1.0), 0.0);
  EXPECT_EQ(act->df(0.0, act->f(0.0)), 1.0);
}

TEST(ReluActivation, ClosedFormAndZeroDerivativeAtKink) {
  const auto act = make("relu");
  for (double x : random_points(2, 500, -6.0, 6.0)) {
    EXPECT_EQ(act->f(x), std::max(0.0, x)) << "x = " << x;
    EXPECT_EQ(act->df(x, act->f(x)), x > 0 ? 1.0 : 0.0) << "x = " << x;
  }
  EXPECT_EQ(act->f(0.0), 0.0);
  EXPECT_EQ(act->df(0.0, 0.0), 0.0);  // PyTorch convention
  EXPECT_EQ(act->df(-0.0, 0.0), 0.0);
  EXPECT_EQ(act->f(1e300), 1e300);
  EXPECT_EQ(act->f(-1e300), 0.0);
  EXPECT_EQ(act->df(1e-300, act->f(1e-300)), 1.0);
  EXPECT_EQ(act->df(-1e-300, act->f(-1e-300)), 0.0);
}

TEST(LeakyReluActivation, ClosedFormWithDefaultAndCustomSlope) {
  for (double slope : {0.01, 0.2, 0.0, 3.0}) {
    const auto act =
        slope == 0.01 ? make("leaky_relu") : make("leaky_relu", {{"negative_slope", slope}});
    for (double x : random_points(3, 300, -6.0, 6.0)) {
      EXPECT_EQ(act->f(x), x > 0 ? x : slope * x) << "slope " << slope << ", x = " << x;
      EXPECT_EQ(act->df(x, act->f(x)), x > 0 ? 1.0 : slope) << "slope " << slope << ", x = " << x;
    }
    EXPECT_EQ(act->f(0.0), 0.0);
    EXPECT_EQ(act->df(0.0, 0.0), slope) << "PyTorch convention: x > 0 ? 1 : slope";
    EXPECT_EQ(act->df(-0.0, 0.0), slope);
    EXPECT_EQ(act->f(1e300), 1e300);
    EXPECT_DOUBLE_EQ(act->f(-1e300), slope * -1e300);
  }
  const auto act = make("leaky_relu", {{"negative_slope", 0.2}});
  EXPECT_DOUBLE_EQ(act->f(-3.0), -0.6);
  EXPECT_EQ(act->f(2.5), 2.5);
  EXPECT_EQ(act->df(-3.0, act->f(-3.0)), 0.2);
  EXPECT_EQ(act->df(2.5, act->f(2.5)), 1.0);
  EXPECT_DOUBLE_EQ(make("leaky_relu")->f(-100.0), -1.0);  // default slope 0.01
}

TEST(LeakyReluActivation, SlopeZeroIsRelu) {
  const auto leaky = make("leaky_relu", {{"negative_slope", 0.0}});
  const auto relu = make("relu");
  for (double x : random_points(4, 300, -6.0, 6.0)) {
    EXPECT_EQ(leaky->f(x), relu->f(x)) << "x = " << x;  // -0 == 0
    EXPECT_EQ(leaky->df(x, leaky->f(x)), relu->df(x, relu->f(x))) << "x = " << x;
  }
}

TEST(SwishActivation, MatchesClosedFormAtModerateInputs) {
  for (double beta : {1.0, 0.5, 2.0, 5.0}) {
    const auto act = beta == 1.0 ? make("swish") : make("swish", {{"beta", beta}});
    std::vector<double> xs = random_points(5, 500, -20.0, 20.0);
    xs.push_back(0.0);
    for (double x : xs) {
      const double s = 1.0 / (1.0 + std::exp(-beta * x));
      const double y = x / (1.0 + std::exp(-beta * x));
      EXPECT_NEAR(act->f(x), y, 1e-14 * std::fabs(y)) << "beta " << beta << ", x = " << x;
      const double d = s + beta * x * s * (1.0 - s);
      EXPECT_NEAR(act->df(x, act->f(x)), d, 1e-13 * std::max(1.0, std::fabs(d)))
          << "beta " << beta << ", x = " << x;
    }
  }
  const auto silu = make("swish");
  EXPECT_DOUBLE_EQ(silu->f(1.0), 0.7310585786300049);  // 1 / (1 + e^-1)
  EXPECT_EQ(silu->f(0.0), 0.0);
  EXPECT_EQ(silu->df(0.0, 0.0), 0.5);
}

TEST(SwishActivation, BetaZeroIsHalfIdentity) {
  const auto act = make("swish", {{"beta", 0.0}});
  for (double x : {-1e300, -7.0, -1.0, 0.0, 0.3, 5.0, 1e300}) {
    EXPECT_EQ(act->f(x), x / 2) << "x = " << x;
    EXPECT_EQ(act->df(x, act->f(x)), 0.5) << "x = " << x;
  }
}

TEST(SwishActivation, SaturatesCleanlyForHugeInputs) {
  // beta * x overflowing to inf (huge beta) must not produce inf * 0 = NaN either.
  for (double beta : {1.0, 5.0, 1e10}) {
    const auto act = make("swish", {{"beta", beta}});
    EXPECT_EQ(act->f(1e300), 1e300) << "beta " << beta;
    EXPECT_EQ(act->df(1e300, act->f(1e300)), 1.0) << "beta " << beta;
    EXPECT_EQ(act->f(-1e300), 0.0) << "beta " << beta;
    EXPECT_EQ(act->df(-1e300, act->f(-1e300)), 0.0) << "beta " << beta;
    EXPECT_EQ(act->f(1e308), 1e308) << "beta " << beta;
    EXPECT_EQ(act->df(-1e308, act->f(-1e308)), 0.0) << "beta " << beta;
  }
  // Deep in the negative tail the derivative is tiny and negative: s * (1 + z) with s ~ e^z.
  const auto act = make("swish");
  const double d = act->df(-50.0, act->f(-50.0));
  EXPECT_LT(d, 0.0);
  EXPECT_NEAR(d, std::exp(-50.0) * (1.0 - 50.0), 1e-12 * std::fabs(d));
}

// --- descriptors and schemas -----------------------------------------------------------------

TEST(ActivationDescriptors, KindNameVersionAndDefaultsInRange) {
  for (const char* name : {"tanh", "relu", "leaky_relu", "swish"}) {
    const gradplug::LoadedPlugin* plugin = registry().find(GP_KIND_ACTIVATION, name);
    ASSERT_NE(plugin, nullptr) << name << " not found in " << GRADPLUG_TEST_PLUGIN_DIR;
    const gp_descriptor& d = *plugin->descriptor;
    EXPECT_EQ(d.abi_version, GRADPLUG_ABI_VERSION) << name;
    EXPECT_EQ(d.kind, static_cast<std::uint32_t>(GP_KIND_ACTIVATION)) << name;
    EXPECT_EQ(plugin->kind(), GP_KIND_ACTIVATION) << name;
    EXPECT_EQ(plugin->name(), name);
    EXPECT_STREQ(d.version, "1.0.0") << name;
    ASSERT_NE(d.description, nullptr) << name;
    EXPECT_GT(std::string_view(d.description).size(), 0u) << name;
    EXPECT_TRUE(d.create != nullptr && d.destroy != nullptr) << name;
    for (std::size_t i = 0; i < d.param_count; ++i) {
      const gp_param& p = d.params[i];
      EXPECT_TRUE(gradplug::in_range(p, p.default_value[0])) << name << "." << p.name;
      if (p.type == GP_PARAM_PAIR) {
        EXPECT_TRUE(gradplug::in_range(p, p.default_value[1])) << name << "." << p.name;
      }
      ASSERT_NE(p.doc, nullptr);
      EXPECT_GT(std::string_view(p.doc).size(), 0u) << name << "." << p.name;
    }
    // Created with all defaults (empty values) works too.
    EXPECT_NE(registry().create_activation(name), nullptr) << name;
  }
  EXPECT_EQ(registry().get(GP_KIND_ACTIVATION, "tanh").descriptor->param_count, 0u);
  EXPECT_EQ(registry().get(GP_KIND_ACTIVATION, "relu").descriptor->param_count, 0u);
}

TEST(ActivationDescriptors, LeakyReluSchema) {
  const gp_descriptor& d = *registry().get(GP_KIND_ACTIVATION, "leaky_relu").descriptor;
  ASSERT_EQ(d.param_count, 1u);
  const gp_param& p = d.params[0];
  EXPECT_STREQ(p.name, "negative_slope");
  EXPECT_EQ(p.type, GP_PARAM_REAL);
  EXPECT_EQ(p.default_value[0], 0.01);
  EXPECT_TRUE(gradplug::in_range(p, 0.0));
  EXPECT_TRUE(gradplug::in_range(p, 1e6));
  EXPECT_FALSE(gradplug::in_range(p, -1e-9));
  EXPECT_FALSE(gradplug::in_range(p, HUGE_VAL));
  EXPECT_THROW(make("leaky_relu", {{"negative_slope", -0.1}}), gradplug::Error);
}

TEST(ActivationDescriptors, SwishSchema) {
  const gp_descriptor& d = *registry().get(GP_KIND_ACTIVATION, "swish").descriptor;
  ASSERT_EQ(d.param_count, 1u);
  const gp_param& p = d.params[0];
  EXPECT_STREQ(p.name, "beta");
  EXPECT_EQ(p.type, GP_PARAM_REAL);
  EXPECT_EQ(p.default_value[0], 1.0);
  EXPECT_TRUE(gradplug::in_range(p, 0.0));
  EXPECT_TRUE(gradplug::in_range(p, 50.0));
  EXPECT_FALSE(gradplug::in_range(p, -0.5));
  EXPECT_FALSE(gradplug::in_range(p, HUGE_VAL));
  EXPECT_THROW(make("swish", {{"beta", -1.0}}), gradplug::Error);
}

}  // namespace
