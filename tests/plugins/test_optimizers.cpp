// The optimizer plugins (sgd, rmsprop, adam), loaded for real through the Registry from the built
// plugin directory: every step of PyTorch 1.13's trajectories (tests/reference/
// optimizer_trajectories.json, written by gen_optimizer_refs.py) replayed from the recorded
// gradients and learning rates; save/load resuming bit for bit; load() refusing states that do
// not fit; SGD's Nesterov rule; zero gradients leaving parameters alone; and the schemas.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "built_in_plugins.hpp"
#include "gradplug/abi.h"
#include "gradplug/error.hpp"
#include "gradplug/optimizer.hpp"
#include "gradplug/registry.hpp"
#include "gradplug/schema.hpp"

namespace {

using nlohmann::json;

const gradplug::Registry& registry() { return gradplug::testing::built_in_plugins(); }

// The plugin's defaults, overwritten by schema name from a JSON object such as
// {"lr": 0.1, "betas": [0.8, 0.9], "amsgrad": true}.
std::vector<gp_value> values_for(std::string_view optimizer, const json& params) {
  const gp_descriptor& d = *registry().get(GP_KIND_OPTIMIZER, optimizer).descriptor;
  std::vector<gp_value> values = gradplug::default_values(d.params, d.param_count);
  for (const auto& [key, value] : params.items()) {
    std::size_t i = 0;
    while (i < d.param_count && key != d.params[i].name) ++i;
    if (i == d.param_count)
      throw std::logic_error(std::string(optimizer) + " has no parameter '" + key + "'");
    if (d.params[i].type == GP_PARAM_PAIR) {
      values[i].v[0] = value.at(0).get<double>();
      values[i].v[1] = value.at(1).get<double>();
    } else if (value.is_boolean()) {
      values[i].v[0] = value.get<bool>() ? 1.0 : 0.0;
    } else {
      values[i].v[0] = value.get<double>();
    }
  }
  return values;
}

std::shared_ptr<gradplug::Optimizer> make(std::string_view optimizer, const json& params) {
  return registry().create_optimizer(optimizer, values_for(optimizer, params));
}

std::uint64_t bits(double x) { return std::bit_cast<std::uint64_t>(x); }

// ---------------------------------------------------------------------------------------------
// PyTorch's trajectories.

struct ReferenceCase {
  std::string name;
  std::string optimizer;
  json params;
  std::vector<double> initial;
  std::vector<double> lrs;
  std::vector<std::vector<double>> grads;
  std::vector<std::vector<double>> trajectory;
};

void PrintTo(const ReferenceCase& c, std::ostream* os) { *os << c.name; }

json read_reference_file() {
  const std::string path =
      std::string(GRADPLUG_SOURCE_DIR) + "/tests/reference/optimizer_trajectories.json";
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  return json::parse(in);
}

std::vector<ReferenceCase> parse_cases(const json& doc) {
  std::vector<ReferenceCase> cases;
  for (const json& c : doc.at("cases")) {
    cases.push_back({c.at("name").get<std::string>(), c.at("optimizer").get<std::string>(),
                     c.at("params"), c.at("initial").get<std::vector<double>>(),
                     c.at("lrs").get<std::vector<double>>(),
                     c.at("grads").get<std::vector<std::vector<double>>>(),
                     c.at("trajectory").get<std::vector<std::vector<double>>>()});
  }
  return cases;
}

// For the parameterised suite; a broken file yields no cases here and fails
// OptimizerReferenceFile.LoadsAndCoversEveryRule instead.
std::vector<ReferenceCase> reference_cases() {
  try {
    return parse_cases(read_reference_file());
  } catch (const std::exception&) {
    return {};
  }
}

TEST(OptimizerReferenceFile, LoadsAndCoversEveryRule) {
  std::vector<ReferenceCase> cases;
  ASSERT_NO_THROW(cases = parse_cases(read_reference_file()));
  auto covered = [&](std::string_view optimizer, auto&& predicate) {
    return std::any_of(cases.begin(), cases.end(), [&](const ReferenceCase& c) {
      return c.optimizer == optimizer && predicate(c.params);
    });
  };
  auto real = [](const json& p, const char* key) { return p.at(key).get<double>(); };
  auto flag = [](const json& p, const char* key) { return p.at(key).get<bool>(); };
  EXPECT_TRUE(covered("sgd", [&](const json& p) {
    return real(p, "momentum") == 0 && real(p, "weight_decay") == 0;
  })) << "sgd plain";
  EXPECT_TRUE(covered("sgd", [&](const json& p) {
    return real(p, "momentum") > 0 && real(p, "dampening") > 0;
  })) << "sgd momentum + dampening";
  EXPECT_TRUE(covered("sgd", [&](const json& p) { return flag(p, "nesterov"); })) << "sgd nesterov";
  EXPECT_TRUE(covered("sgd", [&](const json& p) {
    return real(p, "momentum") > 0 && real(p, "weight_decay") > 0;
  })) << "sgd weight_decay + momentum";
  EXPECT_TRUE(covered("rmsprop", [&](const json& p) {
    return real(p, "momentum") == 0 && !flag(p, "centered") && real(p, "weight_decay") == 0;
  })) << "rmsprop plain";
  EXPECT_TRUE(covered("rmsprop", [&](const json& p) {
    return real(p, "momentum") > 0 && !flag(p, "centered");
  })) << "rmsprop momentum";
  EXPECT_TRUE(covered("rmsprop", [&](const json& p) { return flag(p, "centered"); }))
      << "rmsprop centered";
  EXPECT_TRUE(covered("rmsprop", [&](const json& p) {
    return flag(p, "centered") && real(p, "momentum") > 0;
  })) << "rmsprop centered + momentum";
  EXPECT_TRUE(covered("rmsprop", [&](const json& p) { return real(p, "weight_decay") > 0; }))
      << "rmsprop weight_decay";
  EXPECT_TRUE(covered("adam", [&](const json& p) {
    return !flag(p, "amsgrad") && real(p, "weight_decay") == 0;
  })) << "adam plain";
  EXPECT_TRUE(covered("adam", [&](const json& p) { return flag(p, "amsgrad"); })) << "adam amsgrad";
  EXPECT_TRUE(covered("adam", [&](const json& p) { return real(p, "weight_decay") > 0; }))
      << "adam weight_decay";
  EXPECT_TRUE(covered("adam", [&](const json& p) {
    return p.at("betas") != json::array({0.9, 0.999}) && real(p, "eps") != 1e-8;
  })) << "adam non-default betas and eps";
  for (std::string_view optimizer : {"sgd", "rmsprop", "adam"}) {
    EXPECT_TRUE(std::any_of(cases.begin(), cases.end(),
                            [&](const ReferenceCase& c) {
                              return c.optimizer == optimizer &&
                                     std::any_of(c.lrs.begin(), c.lrs.end(), [&](double lr) {
                                       return lr != real(c.params, "lr");
                                     });
                            }))
        << optimizer << " with a learning rate that changes between steps";
  }
}

class OptimizerReference : public testing::TestWithParam<ReferenceCase> {};

// Every parameter after every step equals PyTorch's to 1e-12 relative. (The plugins reproduce
// PyTorch's float64 arithmetic exactly, fused multiply-adds included, so in practice every value
// is bit-identical; the summary line says how many.)
TEST_P(OptimizerReference, FollowsPyTorchTrajectory) {
  const ReferenceCase& c = GetParam();
  const std::size_t n = c.initial.size();
  const std::size_t steps = c.trajectory.size();
  ASSERT_GT(steps, 0u);
  ASSERT_EQ(c.grads.size(), steps);
  ASSERT_EQ(c.lrs.size(), steps);

  auto opt = make(c.optimizer, c.params);
  EXPECT_EQ(opt->base_lr(), c.params.at("lr").get<double>());
  opt->reset(n);
  std::vector<double> values = c.initial;
  std::size_t identical = 0;
  std::size_t mismatches = 0;
  double worst = 0.0;
  for (std::size_t t = 0; t < steps; ++t) {
    ASSERT_EQ(c.grads[t].size(), n);
    ASSERT_EQ(c.trajectory[t].size(), n);
    opt->step(values.data(), c.grads[t].data(), n, c.lrs[t]);
    for (std::size_t i = 0; i < n; ++i) {
      const double got = values[i];
      const double want = c.trajectory[t][i];
      const double deviation = std::abs(got - want);
      const double scale = std::max(std::abs(want), 1e-300);
      worst = std::max(worst, deviation / scale);
      if (bits(got) == bits(want)) ++identical;
      if (!(deviation <= 1e-12 * scale) && ++mismatches <= 5)
        ADD_FAILURE() << c.name << ": step " << t + 1 << ", parameter " << i << ": got "
                      << testing::PrintToString(got) << ", PyTorch " << testing::PrintToString(want)
                      << " (relative deviation " << deviation / scale << ")";
    }
  }
  EXPECT_EQ(mismatches, 0u) << c.name << ": values off by more than 1e-12 relative";
  std::printf(
      "[          ] %s: %zu of %zu values bit-identical to PyTorch, worst relative "
      "deviation %.3g\n",
      c.name.c_str(), identical, n * steps, worst);
}

INSTANTIATE_TEST_SUITE_P(PyTorch, OptimizerReference, testing::ValuesIn(reference_cases()),
                         [](const testing::TestParamInfo<ReferenceCase>& info) {
                           return info.param.name;
                         });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(OptimizerReference);

// ---------------------------------------------------------------------------------------------
// State: save/load.

struct StateCase {
  const char* label;
  const char* optimizer;
  json params;
  std::vector<std::string> buffers;  // what save() must hold
};

// Configurations that use every state buffer of each optimizer.
std::vector<StateCase> state_cases() {
  return {
      {"sgd_momentum",
       "sgd",
       {{"lr", 0.05}, {"momentum", 0.9}, {"dampening", 0.1}, {"weight_decay", 0.01}},
       {"step", "momentum_buffer"}},
      {"sgd_nesterov",
       "sgd",
       {{"lr", 0.05}, {"momentum", 0.8}, {"nesterov", true}},
       {"step", "momentum_buffer"}},
      {"sgd_plain", "sgd", {{"lr", 0.05}}, {"step"}},
      {"rmsprop_centered_momentum",
       "rmsprop",
       {{"lr", 0.01}, {"momentum", 0.5}, {"centered", true}, {"weight_decay", 0.01}},
       {"step", "square_avg", "grad_avg", "momentum_buffer"}},
      {"rmsprop_plain", "rmsprop", json::object(), {"step", "square_avg"}},
      {"adam_amsgrad",
       "adam",
       {{"lr", 0.02}, {"betas", {0.8, 0.9}}, {"amsgrad", true}, {"weight_decay", 0.01}},
       {"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"}},
      {"adam_plain", "adam", json::object(), {"step", "exp_avg", "exp_avg_sq"}},
  };
}

constexpr std::size_t kN = 7;

// A deterministic gradient that depends on the parameters, so trajectories diverge when the state
// does.
std::vector<double> gradient(const std::vector<double>& values, std::size_t t) {
  std::vector<double> g(values.size());
  for (std::size_t i = 0; i < values.size(); ++i)
    g[i] = std::sin(1.3 * static_cast<double>(i) + 0.7 * static_cast<double>(t)) +
           0.2 * values[i] * values[i] * values[i];
  return g;
}

double schedule(std::size_t t) { return 0.02 * (1.0 + 0.1 * static_cast<double>(t % 5)); }

std::vector<double> start() {
  std::vector<double> v(kN);
  for (std::size_t i = 0; i < kN; ++i) v[i] = 0.5 + 0.25 * static_cast<double>(i) - 1.0;
  return v;
}

// Runs steps [from, to) on values.
void run(gradplug::Optimizer& opt, std::vector<double>& values, std::size_t from, std::size_t to,
         std::vector<std::vector<double>>* record = nullptr) {
  for (std::size_t t = from; t < to; ++t) {
    const std::vector<double> g = gradient(values, t);
    opt.step(values.data(), g.data(), values.size(), schedule(t));
    if (record) record->push_back(values);
  }
}

const std::vector<double>* buffer(const gradplug::OptimizerState& state, std::string_view name) {
  for (const auto& [key, values] : state)
    if (key == name) return &values;
  return nullptr;
}

class OptimizerState : public testing::TestWithParam<StateCase> {};

TEST_P(OptimizerState, SaveHoldsEveryBufferAndTheStepCounter) {
  const StateCase& c = GetParam();
  auto opt = make(c.optimizer, c.params);
  opt->reset(kN);
  std::vector<double> values = start();
  run(*opt, values, 0, 6);
  const gradplug::OptimizerState state = opt->save();
  std::vector<std::string> names;
  for (const auto& [key, data] : state) names.push_back(key);
  EXPECT_EQ(names, c.buffers);
  ASSERT_NE(buffer(state, "step"), nullptr);
  EXPECT_EQ(*buffer(state, "step"), std::vector<double>{6.0});
  for (const auto& [key, data] : state) {
    if (key != "step") {
      EXPECT_EQ(data.size(), kN) << key;
    }
  }
}

TEST_P(OptimizerState, LoadResumesBitIdentically) {
  const StateCase& c = GetParam();
  constexpr std::size_t kSteps = 20;
  constexpr std::size_t kSplit = 8;

  auto straight = make(c.optimizer, c.params);
  straight->reset(kN);
  std::vector<double> values = start();
  std::vector<std::vector<double>> expected;
  run(*straight, values, 0, kSteps, &expected);

  auto first = make(c.optimizer, c.params);
  first->reset(kN);
  std::vector<double> saved_values = start();
  run(*first, saved_values, 0, kSplit);
  const gradplug::OptimizerState state = first->save();

  // A fresh instance, and one that has already taken steps of its own: load() replaces all.
  auto fresh = make(c.optimizer, c.params);
  fresh->reset(kN);
  auto used = make(c.optimizer, c.params);
  used->reset(kN);
  std::vector<double> scratch = start();
  for (double& x : scratch) x = -2.0 * x + 0.3;
  run(*used, scratch, 3, 7);

  for (auto* resumed : {fresh.get(), used.get()}) {
    resumed->load(state);
    std::vector<double> v = saved_values;
    std::vector<std::vector<double>> got;
    run(*resumed, v, kSplit, kSteps, &got);
    ASSERT_EQ(got.size(), kSteps - kSplit);
    for (std::size_t t = 0; t < got.size(); ++t)
      for (std::size_t i = 0; i < kN; ++i)
        ASSERT_EQ(bits(got[t][i]), bits(expected[kSplit + t][i]))
            << (resumed == fresh.get() ? "fresh" : "used") << " instance, step " << kSplit + t + 1
            << ", parameter " << i << ": " << got[t][i] << " vs " << expected[kSplit + t][i];
  }
}

TEST_P(OptimizerState, LoadRefusesStatesThatDoNotFit) {
  const StateCase& c = GetParam();
  auto opt = make(c.optimizer, c.params);
  opt->reset(kN);
  std::vector<double> values = start();
  run(*opt, values, 0, 3);
  const gradplug::OptimizerState good = opt->save();

  auto expect_refused = [&](const gradplug::OptimizerState& bad, const std::string& name,
                            const char* what) {
    auto target = make(c.optimizer, c.params);
    target->reset(kN);
    std::vector<double> v = start();
    run(*target, v, 0, 2);
    const gradplug::OptimizerState before = target->save();
    try {
      target->load(bad);
      ADD_FAILURE() << what << " '" << name << "': load() accepted it";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("'" + name + "'"), std::string::npos)
          << what << ": the message should name the buffer: " << e.what();
    } catch (const std::exception& e) {
      ADD_FAILURE() << what << " '" << name << "': not std::invalid_argument: " << e.what();
    }
    // A refused state changes nothing.
    const gradplug::OptimizerState after = target->save();
    EXPECT_TRUE(after == before) << what << " '" << name << "' changed the state";
  };

  for (std::size_t b = 0; b < good.size(); ++b) {
    const std::string& name = good[b].first;
    gradplug::OptimizerState longer = good;
    longer[b].second.push_back(0.0);
    expect_refused(longer, name, "one value too many in");
    gradplug::OptimizerState shorter = good;
    shorter[b].second.pop_back();
    expect_refused(shorter, name, "one value too few in");
    gradplug::OptimizerState missing = good;
    missing.erase(missing.begin() + static_cast<std::ptrdiff_t>(b));
    expect_refused(missing, name, "missing");
  }
  for (double step : {-1.0, 2.5, std::nan("")}) {
    gradplug::OptimizerState bad_step = good;
    bad_step[0].second = {step};
    expect_refused(bad_step, "step", "a bad step counter in");
  }

  // A state saved for another number of parameters.
  auto other = make(c.optimizer, c.params);
  other->reset(kN + 1);
  std::vector<double> v(kN + 1, 0.5);
  const std::vector<double> g(kN + 1, 0.25);
  other->step(v.data(), g.data(), v.size(), 0.01);
  if (good.size() > 1) {
    EXPECT_THROW(opt->load(other->save()), std::invalid_argument);
  }
  // And the state it saved itself loads back.
  EXPECT_NO_THROW(opt->load(good));
}

TEST_P(OptimizerState, StepRefusesAnotherSizeThanReset) {
  const StateCase& c = GetParam();
  auto opt = make(c.optimizer, c.params);
  opt->reset(kN);
  std::vector<double> v(kN + 1, 1.0);
  const std::vector<double> g(kN + 1, 1.0);
  EXPECT_THROW(opt->step(v.data(), g.data(), kN + 1, 0.01), std::logic_error);
}

// Zero gradients with zero weight decay leave every parameter exactly as it was (signed zeros
// included), whatever the momentum, centering or amsgrad.
TEST_P(OptimizerState, ZeroGradientLeavesParametersUnchanged) {
  const StateCase& c = GetParam();
  json params = c.params;
  params["weight_decay"] = 0.0;
  auto opt = make(c.optimizer, params);
  const std::vector<double> initial = {1.5, -2.25, 0.0, -0.0, 1e-300, -7e12, 3.0};
  opt->reset(initial.size());
  std::vector<double> values = initial;
  const std::vector<double> zeros(initial.size(), 0.0);
  for (std::size_t t = 0; t < 10; ++t) {
    opt->step(values.data(), zeros.data(), values.size(), schedule(t));
    for (std::size_t i = 0; i < values.size(); ++i)
      ASSERT_EQ(bits(values[i]), bits(initial[i]))
          << "step " << t + 1 << ", parameter " << i << ": " << values[i];
  }
}

INSTANTIATE_TEST_SUITE_P(Optimizers, OptimizerState, testing::ValuesIn(state_cases()),
                         [](const testing::TestParamInfo<StateCase>& info) {
                           return std::string(info.param.label);
                         });

// ---------------------------------------------------------------------------------------------
// Creation and schemas.

TEST(OptimizerCreation, NesterovNeedsMomentumAndNoDampening) {
  EXPECT_THROW(make("sgd", {{"nesterov", true}}), gradplug::Error);
  EXPECT_THROW(make("sgd", {{"nesterov", true}, {"momentum", 0.0}, {"dampening", 0.0}}),
               gradplug::Error);
  EXPECT_THROW(make("sgd", {{"nesterov", true}, {"momentum", 0.9}, {"dampening", 0.5}}),
               gradplug::Error);
  try {
    make("sgd", {{"nesterov", true}});
    ADD_FAILURE() << "sgd accepted nesterov without momentum";
  } catch (const gradplug::Error& e) {
    EXPECT_NE(std::string(e.what()).find("nesterov"), std::string::npos) << e.what();
  }
  EXPECT_NO_THROW(make("sgd", {{"nesterov", true}, {"momentum", 0.9}}));
  EXPECT_NO_THROW(make("sgd", {{"momentum", 0.9}, {"dampening", 0.5}}));
}

TEST(OptimizerCreation, BaseLrIsTheLrHyperparameter) {
  EXPECT_EQ(registry().create_optimizer("sgd")->base_lr(), 0.01);
  EXPECT_EQ(registry().create_optimizer("rmsprop")->base_lr(), 0.01);
  EXPECT_EQ(registry().create_optimizer("adam")->base_lr(), 1e-3);
  for (const char* name : {"sgd", "rmsprop", "adam"})
    EXPECT_EQ(make(name, {{"lr", 0.125}})->base_lr(), 0.125) << name;
}

struct ExpectedParam {
  const char* name;
  gp_param_type type;
  double default0;
  double default1;
};

void expect_schema(const char* optimizer, const std::vector<ExpectedParam>& expected) {
  SCOPED_TRACE(optimizer);
  const gradplug::LoadedPlugin* plugin = registry().find(GP_KIND_OPTIMIZER, optimizer);
  ASSERT_NE(plugin, nullptr) << optimizer << " is not among the built plugins";
  const gp_descriptor& d = *plugin->descriptor;
  EXPECT_EQ(d.abi_version, GRADPLUG_ABI_VERSION);
  EXPECT_STREQ(d.version, "1.0.0");
  ASSERT_NE(d.description, nullptr);
  EXPECT_GT(std::string(d.description).size(), 10u);
  ASSERT_EQ(d.param_count, expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const gp_param& p = d.params[i];
    EXPECT_STREQ(p.name, expected[i].name);
    EXPECT_EQ(p.type, expected[i].type) << p.name;
    EXPECT_EQ(p.default_value[0], expected[i].default0) << p.name;
    if (p.type == GP_PARAM_PAIR) {
      EXPECT_EQ(p.default_value[1], expected[i].default1) << p.name;
    }
    EXPECT_TRUE(gradplug::in_range(p, p.default_value[0])) << p.name;
    ASSERT_NE(p.doc, nullptr);
    EXPECT_GT(std::string(p.doc).size(), 0u) << p.name;
  }
}

const gp_param& schema_entry(const char* optimizer, std::string_view name) {
  const gp_descriptor& d = *registry().get(GP_KIND_OPTIMIZER, optimizer).descriptor;
  for (std::size_t i = 0; i < d.param_count; ++i)
    if (name == d.params[i].name) return d.params[i];
  throw std::logic_error("no parameter " + std::string(name));
}

// Names, order and defaults as PyTorch 1.13 (SGD's lr, required there, defaults to 0.01 here).
TEST(OptimizerDescriptors, SchemasMatchPyTorch) {
  expect_schema("sgd", {{"lr", GP_PARAM_REAL, 0.01, 0},
                        {"momentum", GP_PARAM_REAL, 0, 0},
                        {"dampening", GP_PARAM_REAL, 0, 0},
                        {"weight_decay", GP_PARAM_REAL, 0, 0},
                        {"nesterov", GP_PARAM_BOOL, 0, 0}});
  expect_schema("rmsprop", {{"lr", GP_PARAM_REAL, 0.01, 0},
                            {"alpha", GP_PARAM_REAL, 0.99, 0},
                            {"eps", GP_PARAM_REAL, 1e-8, 0},
                            {"weight_decay", GP_PARAM_REAL, 0, 0},
                            {"momentum", GP_PARAM_REAL, 0, 0},
                            {"centered", GP_PARAM_BOOL, 0, 0}});
  expect_schema("adam", {{"lr", GP_PARAM_REAL, 1e-3, 0},
                         {"betas", GP_PARAM_PAIR, 0.9, 0.999},
                         {"eps", GP_PARAM_REAL, 1e-8, 0},
                         {"weight_decay", GP_PARAM_REAL, 0, 0},
                         {"amsgrad", GP_PARAM_BOOL, 0, 0}});
}

TEST(OptimizerDescriptors, RangesRefuseWhatPyTorchRefuses) {
  for (const char* optimizer : {"sgd", "rmsprop", "adam"}) {
    EXPECT_FALSE(gradplug::in_range(schema_entry(optimizer, "lr"), -1e-3)) << optimizer;
    EXPECT_TRUE(gradplug::in_range(schema_entry(optimizer, "lr"), 0.0)) << optimizer;
    EXPECT_FALSE(gradplug::in_range(schema_entry(optimizer, "weight_decay"), -0.1)) << optimizer;
  }
  EXPECT_FALSE(gradplug::in_range(schema_entry("sgd", "momentum"), -0.5));
  EXPECT_FALSE(gradplug::in_range(schema_entry("rmsprop", "momentum"), -0.5));
  EXPECT_FALSE(gradplug::in_range(schema_entry("rmsprop", "eps"), -1e-8));
  EXPECT_FALSE(gradplug::in_range(schema_entry("adam", "eps"), -1e-8));
  const gp_param& betas = schema_entry("adam", "betas");
  EXPECT_TRUE(gradplug::in_range(betas, 0.0));
  EXPECT_FALSE(gradplug::in_range(betas, 1.0));
  EXPECT_FALSE(gradplug::in_range(betas, -0.1));
}

}  // namespace
