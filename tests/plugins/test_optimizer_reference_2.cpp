// The optimizers added after the first three (AdamW, NAdam/NAdamW, RAdam/RAdamW, Adamax, Adagrad,
// Adadelta, Rprop, Lion) against tests/reference/optimizer_trajectories_2.json
// (gen_optimizer_refs_2.py: PyTorch 1.13, or a hand-written float64 implementation where 1.13
// has none): every parameter after every step to 1e-12 relative, the saved state against torch's
// final state, and a save/load halfway that resumes bit-identically.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "built_in_plugins.hpp"
#include "gradplug/schema.hpp"

namespace {

using nlohmann::json;

const json& reference() {
  static const json doc = [] {
    const std::string path =
        std::string(GRADPLUG_SOURCE_DIR) + "/tests/reference/optimizer_trajectories_2.json";
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open " + path);
    return json::parse(in);
  }();
  return doc;
}

std::shared_ptr<gradplug::Optimizer> make(const json& c) {
  const auto& registry = gradplug::testing::built_in_plugins();
  const std::string name = c.at("optimizer").get<std::string>();
  const gp_descriptor& d = *registry.get(GP_KIND_OPTIMIZER, name).descriptor;
  std::vector<gp_value> values = gradplug::default_values(d.params, d.param_count);
  for (const auto& [key, value] : c.at("params").items()) {
    std::size_t i = 0;
    while (i < d.param_count && key != d.params[i].name) ++i;
    if (i == d.param_count) throw std::logic_error(name + " has no parameter '" + key + "'");
    if (value.is_array()) {
      values[i].v[0] = value.at(0).get<double>();
      values[i].v[1] = value.at(1).get<double>();
    } else if (value.is_boolean()) {
      values[i].v[0] = value.get<bool>() ? 1.0 : 0.0;
    } else {
      values[i].v[0] = value.get<double>();
    }
  }
  return registry.create_optimizer(name, values);
}

bool close(double got, double want) {
  return std::fabs(got - want) <= 1e-12 * std::max(std::fabs(want), 1e-300);
}

const std::vector<double>* buffer(const gradplug::OptimizerState& state, const std::string& name) {
  for (const auto& [key, values] : state)
    if (key == name) return &values;
  return nullptr;
}

TEST(OptimizerReference2, EveryCaseFollowsItsReferenceAndEndsInItsState) {
  const json& cases = reference().at("cases");
  ASSERT_GE(cases.size(), 40u);
  for (const json& c : cases) {
    const std::string name = c.at("name").get<std::string>();
    SCOPED_TRACE(name);
    const auto lrs = c.at("lrs").get<std::vector<double>>();
    const auto grads = c.at("grads").get<std::vector<std::vector<double>>>();
    const auto trajectory = c.at("trajectory").get<std::vector<std::vector<double>>>();
    std::vector<double> values = c.at("initial").get<std::vector<double>>();
    const std::size_t n = values.size();
    auto opt = make(c);
    EXPECT_EQ(opt->base_lr(), c.at("params").at("lr").get<double>());
    opt->reset(n);
    int failures = 0;
    for (std::size_t t = 0; t < lrs.size(); ++t) {
      opt->step(values.data(), grads[t].data(), n, lrs[t]);
      for (std::size_t i = 0; i < n; ++i)
        if (!close(values[i], trajectory[t][i]) && ++failures <= 3)
          ADD_FAILURE() << "step " << t + 1 << ", parameter " << i << ": got "
                        << ::testing::PrintToString(values[i]) << ", reference "
                        << ::testing::PrintToString(trajectory[t][i]);
    }
    // The saved state holds what torch holds, under torch's names (Lion: the paper's m).
    const gradplug::OptimizerState state = opt->save();
    for (const auto& [key, want] : c.at("final_state").items()) {
      const std::vector<double>* got = buffer(state, key);
      if (key == "step" && !got) continue;  // Lion keeps no step in the reference
      ASSERT_NE(got, nullptr) << "no state buffer '" << key << "'";
      const std::vector<double> expected = want.is_array()
                                               ? want.get<std::vector<double>>()
                                               : std::vector<double>{want.get<double>()};
      ASSERT_EQ(got->size(), expected.size()) << key;
      for (std::size_t i = 0; i < expected.size(); ++i)
        EXPECT_TRUE(close((*got)[i], expected[i]))
            << key << "[" << i << "]: " << (*got)[i] << " vs " << expected[i];
    }
  }
}

TEST(OptimizerReference2, SaveAndLoadHalfwayResumesBitIdentically) {
  for (const json& c : reference().at("cases")) {
    const std::string name = c.at("name").get<std::string>();
    SCOPED_TRACE(name);
    const auto lrs = c.at("lrs").get<std::vector<double>>();
    const auto grads = c.at("grads").get<std::vector<std::vector<double>>>();
    const std::vector<double> initial = c.at("initial").get<std::vector<double>>();
    const std::size_t n = initial.size(), half = lrs.size() / 2;
    auto straight = make(c);
    straight->reset(n);
    std::vector<double> a = initial;
    for (std::size_t t = 0; t < lrs.size(); ++t)
      straight->step(a.data(), grads[t].data(), n, lrs[t]);

    auto first = make(c);
    first->reset(n);
    std::vector<double> b = initial;
    for (std::size_t t = 0; t < half; ++t) first->step(b.data(), grads[t].data(), n, lrs[t]);
    auto second = make(c);
    second->reset(n);
    second->load(first->save());
    for (std::size_t t = half; t < lrs.size(); ++t)
      second->step(b.data(), grads[t].data(), n, lrs[t]);
    for (std::size_t i = 0; i < n; ++i)
      EXPECT_EQ(std::bit_cast<std::uint64_t>(a[i]), std::bit_cast<std::uint64_t>(b[i]))
          << "parameter " << i;
  }
}

}  // namespace
