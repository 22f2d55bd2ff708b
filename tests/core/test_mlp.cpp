// MLP, losses, trainer and schedules: whole-model gradients against finite differences for every
// loss and activation, with and without dropout masks; prediction against the graph; the seeded
// pieces are deterministic.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "built_in_plugins.hpp"
#include "gradplug/dataset.hpp"
#include "gradplug/loss.hpp"
#include "gradplug/mlp.hpp"
#include "gradplug/registry.hpp"
#include "gradplug/schedule.hpp"
#include "gradplug/trainer.hpp"
#include "gradplug/value.hpp"

namespace gradplug {
namespace {

const Registry& plugins() { return testing::built_in_plugins(); }

Dataset small_data(LossKind loss, std::size_t rows, Random& rng) {
  Dataset d;
  d.rows = rows;
  d.features = 3;
  d.target_columns = loss == LossKind::MSE ? 2 : 1;
  for (std::size_t i = 0; i < rows * 3; ++i) d.x.push_back(rng.uniform(-2, 2));
  for (std::size_t i = 0; i < rows; ++i) {
    if (loss == LossKind::MSE) {
      d.y.push_back(rng.uniform(-1, 1));
      d.y.push_back(rng.uniform(-1, 1));
    } else {
      d.y.push_back(static_cast<double>(rng.below(loss == LossKind::SoftmaxCE ? 4 : 2)));
    }
  }
  if (loss != LossKind::MSE)
    d.class_names = loss == LossKind::SoftmaxCE ? std::vector<std::string>{"a", "b", "c", "d"}
                                                : std::vector<std::string>{"a", "b"};
  return d;
}

std::size_t outputs_for(LossKind loss) {
  return loss == LossKind::MSE ? 2 : loss == LossKind::SoftmaxCE ? 4 : 1;
}

// The batch loss of the model at its current parameters, through the same graph fit() builds.
double loss_at(const Trainer& trainer, const MLP& model, const Dataset& data,
               const std::vector<std::size_t>& rows,
               const std::vector<std::vector<double>>* masks) {
  Tape tape;
  std::vector<std::uint32_t> params;
  model.bind(tape, params);
  return tape.node(trainer.build_loss(tape, model, params, data, rows, masks)).data;
}

void check_gradients(LossKind loss, const std::string& activation, bool with_masks) {
  Random rng(42);
  const Dataset data = small_data(loss, 5, rng);
  std::vector<LayerSpec> layers = {{4, plugins().create_activation(activation), activation},
                                   {3, plugins().create_activation(activation), activation},
                                   {outputs_for(loss), nullptr, "linear"}};
  MLP model(3, layers, Init::Xavier, rng);
  // Random biases too: with zero biases a ReLU unit can sit exactly on its kink.
  for (double& p : model.parameters()) p = rng.uniform(-1, 1);
  Trainer trainer(loss, {});
  std::vector<std::size_t> rows(data.rows);
  std::iota(rows.begin(), rows.end(), std::size_t{0});
  std::vector<std::vector<double>> masks = {std::vector<double>(5 * 4), std::vector<double>(5 * 3)};
  for (auto& layer : masks)
    for (double& s : layer) s = rng.uniform() < 0.3 ? 0.0 : 1.0 / 0.7;
  const auto* m = with_masks ? &masks : nullptr;

  Tape tape;
  std::vector<std::uint32_t> params;
  model.bind(tape, params);
  tape.backward(trainer.build_loss(tape, model, params, data, rows, m));
  model.zero_grad();
  model.accumulate_grads(tape, params);
  const std::vector<double> analytic(model.gradients().begin(), model.gradients().end());

  for (std::size_t p = 0; p < model.parameters().size(); ++p) {
    const double original = model.parameters()[p];
    const double h = 1e-6;
    model.parameters()[p] = original + h;
    const double up = loss_at(trainer, model, data, rows, m);
    model.parameters()[p] = original - h;
    const double down = loss_at(trainer, model, data, rows, m);
    model.parameters()[p] = original;
    const double numeric = (up - down) / (2 * h);
    EXPECT_NEAR(analytic[p], numeric, 1e-6 * std::max(1.0, std::fabs(numeric)))
        << loss_name(loss) << " " << activation << " parameter " << p;
  }
}

TEST(MLPGradient, EveryLossAndActivationMatchesFiniteDifferences) {
  for (LossKind loss : {LossKind::MSE, LossKind::Hinge, LossKind::BCE, LossKind::SoftmaxCE})
    for (const char* activation : {"tanh", "relu", "leaky_relu", "swish"})
      for (bool masks : {false, true}) check_gradients(loss, activation, masks);
}

TEST(MLPForward, PredictEqualsTheGraph) {
  Random rng(5);
  std::vector<LayerSpec> layers = {{6, plugins().create_activation("swish"), "swish"},
                                   {2, nullptr, "linear"}};
  MLP model(3, layers, Init::He, rng);
  for (int trial = 0; trial < 10; ++trial) {
    std::vector<double> x = {rng.uniform(-1, 1), rng.uniform(-1, 1), rng.uniform(-1, 1)};
    Tape tape;
    std::vector<std::uint32_t> params, inputs, out(2);
    model.bind(tape, params);
    for (double v : x) inputs.push_back(tape.constant(v));
    model.forward(tape, params.data(), inputs.data(), out.data());
    const auto predicted = model.predict(x);
    EXPECT_NEAR(tape.node(out[0]).data, predicted[0], 1e-14);
    EXPECT_NEAR(tape.node(out[1]).data, predicted[1], 1e-14);
  }
}

TEST(MLPInit, SchemesAreSeededAndScaled) {
  std::vector<LayerSpec> layers = {{200, nullptr, "linear"}, {1, nullptr, "linear"}};
  Random a(9), b(9);
  MLP first(100, layers, Init::Uniform, a), second(100, layers, Init::Uniform, b);
  EXPECT_TRUE(std::equal(first.parameters().begin(), first.parameters().end(),
                         second.parameters().begin()));
  auto weights_of_first_layer = [](const MLP& m) {
    std::vector<double> w;
    for (std::size_t p = 0; p < 200 * 101; ++p)
      if (!m.bias_mask()[p]) w.push_back(m.parameters()[p]);
    return w;
  };
  for (Init init : {Init::Uniform, Init::Xavier, Init::He}) {
    Random rng(1);
    MLP m(100, layers, init, rng);
    const auto w = weights_of_first_layer(m);
    double mean = 0, var = 0;
    for (double v : w) mean += v;
    mean /= static_cast<double>(w.size());
    for (double v : w) var += (v - mean) * (v - mean);
    var /= static_cast<double>(w.size());
    const double expected = init == Init::Uniform  ? 1.0 / 3.0
                            : init == Init::Xavier ? 2.0 / 300.0  // 6/(100+200)/3
                                                   : 2.0 / 100.0;
    EXPECT_NEAR(var, expected, 0.05 * expected) << init_name(init);
    EXPECT_NEAR(mean, 0.0, 0.01 * std::sqrt(expected) * 10);
    for (std::size_t p = 0; p < m.parameters().size(); ++p) {
      if (m.bias_mask()[p]) {
        EXPECT_EQ(m.parameters()[p], 0.0);
      }
    }
  }
}

TEST(Schedule, FollowsItsDefinitions) {
  Schedule linear;
  linear.kind = Schedule::Kind::Linear;
  linear.final_factor = 0.1;
  EXPECT_DOUBLE_EQ(linear.lr(1.0, 0, 100), 1.0);
  EXPECT_DOUBLE_EQ(linear.lr(1.0, 50, 100), 1.0 - 0.9 * 50 / 100);  // micrograd's demo
  Schedule step;
  step.kind = Schedule::Kind::Step;
  step.step_size = 10;
  step.gamma = 0.5;
  EXPECT_DOUBLE_EQ(step.lr(0.8, 9, 100), 0.8);
  EXPECT_DOUBLE_EQ(step.lr(0.8, 10, 100), 0.4);
  EXPECT_DOUBLE_EQ(step.lr(0.8, 25, 100), 0.2);
  Schedule cosine;
  cosine.kind = Schedule::Kind::Cosine;
  cosine.final_factor = 0.0;
  EXPECT_DOUBLE_EQ(cosine.lr(1.0, 0, 100), 1.0);
  EXPECT_NEAR(cosine.lr(1.0, 50, 100), 0.5, 1e-15);
  EXPECT_DOUBLE_EQ(Schedule{}.lr(0.3, 77, 100), 0.3);
}

TEST(Moons, TwoBalancedNoisyHalfCircles) {
  Random rng(0);
  const Dataset d = make_moons(1000, 0.0, rng);
  ASSERT_EQ(d.rows, 1000u);
  std::size_t ones = 0;
  for (std::size_t i = 0; i < d.rows; ++i) {
    const double x = d.row(i)[0], y = d.row(i)[1];
    if (d.target(i)[0] == 0) {
      EXPECT_NEAR(x * x + y * y, 1.0, 1e-12);  // upper moon: unit circle
    } else {
      ++ones;
      EXPECT_NEAR((x - 1) * (x - 1) + (y - 0.5) * (y - 0.5), 1.0, 1e-12);
    }
  }
  EXPECT_EQ(ones, 500u);
  Random r1(3), r2(3);
  EXPECT_EQ(make_moons(50, 0.1, r1).x, make_moons(50, 0.1, r2).x);
}

TEST(Trainer, FitIsDeterministicAndLowersTheLoss) {
  auto run = [] {
    Random rng(4);
    Random data_rng(8);
    const Dataset data = make_moons(60, 0.1, data_rng);
    std::vector<LayerSpec> layers = {{16, plugins().create_activation("tanh"), "tanh"},
                                     {1, nullptr, "linear"}};
    MLP model(2, layers, Init::Xavier, rng);
    auto optimizer = plugins().create_optimizer("adam", {});
    Trainer trainer(LossKind::BCE, {plugins().create_regularizer("dropout", {gp_value{{0.1, 0}}})});
    TrainOptions options;
    options.steps = 200;
    options.batch_size = 16;
    options.seed = 12;
    std::vector<double> losses;
    trainer.fit(model, data, *optimizer, options, [&](const StepMetrics& m) {
      losses.push_back(m.loss);
      return true;
    });
    return std::make_pair(
        losses, std::vector<double>(model.parameters().begin(), model.parameters().end()));
  };
  const auto [losses, params] = run();
  const auto [losses2, params2] = run();
  EXPECT_EQ(losses, losses2);
  EXPECT_EQ(params, params2);
  ASSERT_EQ(losses.size(), 200u);
  const double first = std::accumulate(losses.begin(), losses.begin() + 20, 0.0);
  const double last = std::accumulate(losses.end() - 20, losses.end(), 0.0);
  EXPECT_LT(last, 0.8 * first);
}

}  // namespace
}  // namespace gradplug
