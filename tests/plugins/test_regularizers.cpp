// The regularizer plugins (l1, l2, dropout), loaded for real through the Registry from the built
// plugin directory: penalties and gradients against hand computations and finite differences,
// include_bias, the dropout mask's contract and statistics, and each plugin's descriptor.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "built_in_plugins.hpp"
#include "gradplug/abi.h"
#include "gradplug/error.hpp"
#include "gradplug/random.hpp"
#include "gradplug/registry.hpp"
#include "gradplug/regularizer.hpp"
#include "gradplug/schema.hpp"

namespace {

using Overrides = std::vector<std::pair<std::string, double>>;

const gradplug::Registry& registry() { return gradplug::testing::built_in_plugins(); }

const gp_descriptor& descriptor(std::string_view name) {
  return *registry().get(GP_KIND_REGULARIZER, name).descriptor;
}

// The plugin's defaults, with some values replaced by schema name.
std::vector<gp_value> values_for(std::string_view name, const Overrides& overrides) {
  const gp_descriptor& d = descriptor(name);
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

std::shared_ptr<gradplug::Regularizer> make(std::string_view name,
                                            const Overrides& overrides = {}) {
  return registry().create_regularizer(name, values_for(name, overrides));
}

const gp_param& param(std::string_view plugin, std::string_view name) {
  const gp_descriptor& d = descriptor(plugin);
  for (std::size_t i = 0; i < d.param_count; ++i)
    if (name == d.params[i].name) return d.params[i];
  throw std::logic_error("no parameter " + std::string(name) + " in " + std::string(plugin));
}

// --- l1 and l2 ---------------------------------------------------------------------------------

const std::vector<double> kValues = {0.5, -2.0, 0.0, 3.0, -0.25};
const std::vector<unsigned char> kIsBias = {0, 0, 0, 1, 0};

TEST(L1Regularizer, PenaltyAndGradientByHand) {
  const auto l1 = make("l1", {{"lambda", 0.1}});
  std::vector<double> grads(kValues.size(), 1.0);  // the gradient is added, not assigned
  const double value = l1->penalty(kValues.data(), grads.data(), kIsBias.data(), kValues.size());
  EXPECT_DOUBLE_EQ(value, 0.1 * (0.5 + 2.0 + 0.0 + 0.25));  // the bias 3.0 is left out
  EXPECT_DOUBLE_EQ(grads[0], 1.1);
  EXPECT_DOUBLE_EQ(grads[1], 0.9);
  EXPECT_EQ(grads[2], 1.0);  // sign(0) = 0
  EXPECT_EQ(grads[3], 1.0);  // bias untouched
  EXPECT_DOUBLE_EQ(grads[4], 0.9);

  // Without grads only the value comes back.
  EXPECT_EQ(l1->penalty(kValues.data(), nullptr, kIsBias.data(), kValues.size()), value);
  EXPECT_EQ(l1->penalty(kValues.data(), nullptr, kIsBias.data(), 0), 0.0);
  EXPECT_FALSE(l1->transforms_activations());
}

TEST(L1Regularizer, IncludeBias) {
  const auto l1 = make("l1", {{"lambda", 0.1}, {"include_bias", 1.0}});
  std::vector<double> grads(kValues.size(), 0.0);
  const double value = l1->penalty(kValues.data(), grads.data(), kIsBias.data(), kValues.size());
  EXPECT_DOUBLE_EQ(value, 0.1 * (0.5 + 2.0 + 0.0 + 3.0 + 0.25));
  const std::vector<double> expected = {0.1, -0.1, 0.0, 0.1, -0.1};
  for (std::size_t i = 0; i < grads.size(); ++i) EXPECT_DOUBLE_EQ(grads[i], expected[i]) << i;
}

TEST(L1Regularizer, DefaultLambdaIsOneHundredth) {
  const auto l1 = make("l1");
  const std::array<double, 2> w = {1.0, -1.0};
  const std::array<unsigned char, 2> bias = {0, 0};
  EXPECT_DOUBLE_EQ(l1->penalty(w.data(), nullptr, bias.data(), 2), 0.02);
}

TEST(L2Regularizer, PenaltyAndGradientByHand) {
  const auto l2 = make("l2", {{"lambda", 0.1}});
  std::vector<double> grads(kValues.size(), 1.0);
  const double value = l2->penalty(kValues.data(), grads.data(), kIsBias.data(), kValues.size());
  EXPECT_DOUBLE_EQ(value, 0.1 * (0.25 + 4.0 + 0.0 + 0.0625));
  // Keras convention: gradient 2 * lambda * w.
  EXPECT_DOUBLE_EQ(grads[0], 1.0 + 0.2 * 0.5);
  EXPECT_DOUBLE_EQ(grads[1], 1.0 + 0.2 * -2.0);
  EXPECT_EQ(grads[2], 1.0);
  EXPECT_EQ(grads[3], 1.0);  // bias untouched
  EXPECT_DOUBLE_EQ(grads[4], 1.0 + 0.2 * -0.25);

  EXPECT_EQ(l2->penalty(kValues.data(), nullptr, kIsBias.data(), kValues.size()), value);
  EXPECT_EQ(l2->penalty(kValues.data(), nullptr, kIsBias.data(), 0), 0.0);
  EXPECT_FALSE(l2->transforms_activations());
}

TEST(L2Regularizer, IncludeBias) {
  const auto l2 = make("l2", {{"lambda", 0.1}, {"include_bias", 1.0}});
  std::vector<double> grads(kValues.size(), 0.0);
  const double value = l2->penalty(kValues.data(), grads.data(), kIsBias.data(), kValues.size());
  EXPECT_DOUBLE_EQ(value, 0.1 * (0.25 + 4.0 + 0.0 + 9.0 + 0.0625));
  for (std::size_t i = 0; i < grads.size(); ++i) EXPECT_DOUBLE_EQ(grads[i], 0.2 * kValues[i]) << i;
}

TEST(L2Regularizer, DefaultLambdaIsOneHundredth) {
  const auto l2 = make("l2");
  const std::array<double, 2> w = {1.0, -1.0};
  const std::array<unsigned char, 2> bias = {0, 0};
  EXPECT_DOUBLE_EQ(l2->penalty(w.data(), nullptr, bias.data(), 2), 0.02);
}

struct PenaltyCase {
  const char* name;
  double lambda;
  bool include_bias;
};

// The gradient each penalty adds equals the central difference of its value, coordinate by
// coordinate; biases get gradient 0 (and a flat penalty) unless include_bias.
TEST(PenaltyRegularizers, GradientMatchesFiniteDifferences) {
  for (const PenaltyCase& c : {PenaltyCase{"l1", 0.01, false}, PenaltyCase{"l1", 0.3, true},
                               PenaltyCase{"l2", 0.01, false}, PenaltyCase{"l2", 0.3, true},
                               PenaltyCase{"l2", 1.7, false}}) {
    SCOPED_TRACE(std::string(c.name) + " lambda " + std::to_string(c.lambda) +
                 (c.include_bias ? " with biases" : ""));
    const auto reg = make(c.name, {{"lambda", c.lambda}, {"include_bias", c.include_bias ? 1 : 0}});
    gradplug::Random rng(31337);
    const std::size_t n = 64;
    std::vector<double> w(n);
    std::vector<unsigned char> bias(n);
    for (std::size_t i = 0; i < n; ++i) {
      w[i] = rng.uniform(-3.0, 3.0);
      if (std::fabs(w[i]) < 1e-3) w[i] = 0.5;  // keep l1's kink out of the difference
      bias[i] = i % 5 == 0 ? 1 : 0;
    }
    std::vector<double> grads(n, 0.0);
    const double value = reg->penalty(w.data(), grads.data(), bias.data(), n);
    EXPECT_EQ(reg->penalty(w.data(), nullptr, bias.data(), n), value);

    const double h = 1e-6;
    for (std::size_t i = 0; i < n; ++i) {
      std::vector<double> plus = w, minus = w;
      plus[i] += h;
      minus[i] -= h;
      const double fd = (reg->penalty(plus.data(), nullptr, bias.data(), n) -
                         reg->penalty(minus.data(), nullptr, bias.data(), n)) /
                        (2 * h);
      EXPECT_NEAR(grads[i], fd, 1e-7 * std::max(1.0, std::fabs(fd))) << "i = " << i;
      if (bias[i] && !c.include_bias) {
        EXPECT_EQ(grads[i], 0.0) << "i = " << i;
      }
    }
  }
}

TEST(PenaltyRegularizers, LambdaZeroAddsNothing) {
  for (const char* name : {"l1", "l2"}) {
    const auto reg = make(name, {{"lambda", 0.0}, {"include_bias", 1.0}});
    std::vector<double> grads(kValues.size(), 0.25);
    EXPECT_EQ(reg->penalty(kValues.data(), grads.data(), kIsBias.data(), kValues.size()), 0.0);
    for (double g : grads) EXPECT_EQ(g, 0.25) << name;
  }
}

TEST(PenaltyRegularizers, NegativeLambdaIsRejected) {
  for (const char* name : {"l1", "l2"}) {
    const gp_param& lambda = param(name, "lambda");
    EXPECT_EQ(lambda.type, GP_PARAM_REAL) << name;
    EXPECT_EQ(lambda.default_value[0], 0.01) << name;
    EXPECT_TRUE(gradplug::in_range(lambda, 0.0)) << name;
    EXPECT_FALSE(gradplug::in_range(lambda, -1e-12)) << name;
    EXPECT_FALSE(gradplug::in_range(lambda, HUGE_VAL)) << name;
    const gp_param& include_bias = param(name, "include_bias");
    EXPECT_EQ(include_bias.type, GP_PARAM_BOOL) << name;
    EXPECT_EQ(include_bias.default_value[0], 0.0) << name;
    EXPECT_THROW(make(name, {{"lambda", -0.1}}), gradplug::Error) << name;
  }
}

// --- dropout -----------------------------------------------------------------------------------

TEST(DropoutRegularizer, MaskRateScaleAndMean) {
  constexpr std::size_t kDraws = 200000;
  for (double p : {0.1, 0.5, 0.9}) {
    SCOPED_TRACE("p = " + std::to_string(p));
    const auto dropout = make("dropout", {{"p", p}});
    EXPECT_TRUE(dropout->transforms_activations());
    gradplug::Random rng(2024);
    std::vector<double> scale(kDraws, -1.0);
    dropout->draw_scale(scale.data(), kDraws, rng);

    const double keep = 1.0 / (1.0 - p);
    std::size_t dropped = 0;
    double sum = 0.0;
    for (double s : scale) {
      if (s == 0.0)
        ++dropped;
      else
        ASSERT_EQ(s, keep) << "kept units are scaled by exactly 1/(1-p)";
      sum += s;
    }
    // Binomial: standard deviation sqrt(p (1-p) / n); allow 5 of them.
    const double sigma = std::sqrt(p * (1 - p) / kDraws);
    EXPECT_NEAR(static_cast<double>(dropped) / kDraws, p, 5 * sigma);
    EXPECT_NEAR(sum / kDraws, 1.0, 5 * sigma / (1 - p));  // inverted dropout keeps the mean
  }
}

TEST(DropoutRegularizer, OneUniformDrawPerUnitDroppedBelowP) {
  const double p = 0.3;
  const auto dropout = make("dropout", {{"p", p}});
  gradplug::Random rng(77), mirror(77);
  std::vector<double> scale(1001);
  dropout->draw_scale(scale.data(), scale.size(), rng);
  for (std::size_t i = 0; i < scale.size(); ++i) {
    const double expected = mirror.uniform() < p ? 0.0 : 1.0 / (1.0 - p);
    ASSERT_EQ(scale[i], expected) << "unit " << i;
  }
  EXPECT_EQ(rng.state(), mirror.state()) << "exactly one draw per unit";
}

TEST(DropoutRegularizer, SameSeedSameMaskOtherSeedOtherMask) {
  const auto dropout = make("dropout");
  const std::size_t n = 512;
  std::vector<double> a(n), b(n), c(n);
  gradplug::Random ra(5), rb(5), rc(6);
  dropout->draw_scale(a.data(), n, ra);
  dropout->draw_scale(b.data(), n, rb);
  dropout->draw_scale(c.data(), n, rc);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  // And the next mask from the same generator differs from the first.
  std::vector<double> next(n);
  dropout->draw_scale(next.data(), n, ra);
  EXPECT_NE(a, next);
}

TEST(DropoutRegularizer, PZeroKeepsEverything) {
  const auto dropout = make("dropout", {{"p", 0.0}});
  gradplug::Random rng(1);
  std::vector<double> scale(10000, -1.0);
  dropout->draw_scale(scale.data(), scale.size(), rng);
  for (double s : scale) ASSERT_EQ(s, 1.0);
}

TEST(DropoutRegularizer, NoPenalty) {
  const auto dropout = make("dropout");
  std::vector<double> grads(kValues.size(), 0.5);
  EXPECT_EQ(dropout->penalty(kValues.data(), grads.data(), kIsBias.data(), kValues.size()), 0.0);
  for (double g : grads) EXPECT_EQ(g, 0.5);
}

TEST(DropoutRegularizer, PEqualToOneIsRejected) {
  const gp_param& p = param("dropout", "p");
  EXPECT_EQ(p.type, GP_PARAM_REAL);
  EXPECT_EQ(p.default_value[0], 0.5);
  EXPECT_TRUE(gradplug::in_range(p, 0.0));
  EXPECT_TRUE(gradplug::in_range(p, 0.999));
  EXPECT_FALSE(gradplug::in_range(p, 1.0));
  EXPECT_FALSE(gradplug::in_range(p, -0.1));
  // The plugin refuses it as well, for callers that skip the schema check.
  EXPECT_THROW(make("dropout", {{"p", 1.0}}), gradplug::Error);
  EXPECT_THROW(make("dropout", {{"p", -0.5}}), gradplug::Error);
}

// --- descriptors -------------------------------------------------------------------------------

TEST(RegularizerDescriptors, KindNameVersionAndDefaultsInRange) {
  for (const char* name : {"l1", "l2", "dropout"}) {
    const gradplug::LoadedPlugin* plugin = registry().find(GP_KIND_REGULARIZER, name);
    ASSERT_NE(plugin, nullptr) << name << " not found in " << GRADPLUG_TEST_PLUGIN_DIR;
    const gp_descriptor& d = *plugin->descriptor;
    EXPECT_EQ(d.abi_version, GRADPLUG_ABI_VERSION) << name;
    EXPECT_EQ(d.kind, static_cast<std::uint32_t>(GP_KIND_REGULARIZER)) << name;
    EXPECT_EQ(plugin->kind(), GP_KIND_REGULARIZER) << name;
    EXPECT_EQ(plugin->name(), name);
    EXPECT_STREQ(d.version, "1.0.0") << name;
    ASSERT_NE(d.description, nullptr) << name;
    EXPECT_GT(std::string_view(d.description).size(), 0u) << name;
    EXPECT_TRUE(d.create != nullptr && d.destroy != nullptr) << name;
    ASSERT_GT(d.param_count, 0u) << name;
    for (std::size_t i = 0; i < d.param_count; ++i) {
      const gp_param& p = d.params[i];
      EXPECT_TRUE(gradplug::in_range(p, p.default_value[0])) << name << "." << p.name;
      if (p.type == GP_PARAM_PAIR) {
        EXPECT_TRUE(gradplug::in_range(p, p.default_value[1])) << name << "." << p.name;
      }
      ASSERT_NE(p.doc, nullptr);
      EXPECT_GT(std::string_view(p.doc).size(), 0u) << name << "." << p.name;
    }
    EXPECT_NE(registry().create_regularizer(name), nullptr) << name;
  }
  EXPECT_EQ(descriptor("l1").param_count, 2u);
  EXPECT_EQ(descriptor("l2").param_count, 2u);
  EXPECT_EQ(descriptor("dropout").param_count, 1u);
}

}  // namespace
