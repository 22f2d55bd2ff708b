// The Value graph is the reference; the batched kernels must give the same loss and gradients
// (1e-12 relative) for every activation, loss and regularizer, so a faster path can never drift.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "built_in_plugins.hpp"
#include "gradplug/batch_kernels.hpp"
#include "gradplug/registry.hpp"
#include "gradplug/trainer.hpp"

namespace gradplug {
namespace {

const Registry& plugins() { return testing::built_in_plugins(); }

Dataset random_data(LossKind loss, std::size_t rows, Random& rng) {
  Dataset d;
  d.rows = rows;
  d.features = 5;
  d.target_columns = loss == LossKind::MSE ? 3 : 1;
  for (std::size_t i = 0; i < rows * d.features; ++i) d.x.push_back(rng.uniform(-2, 2));
  for (std::size_t i = 0; i < rows; ++i) {
    if (loss == LossKind::MSE) {
      for (int k = 0; k < 3; ++k) d.y.push_back(rng.uniform(-1, 1));
    } else {
      d.y.push_back(static_cast<double>(rng.below(loss == LossKind::SoftmaxCE ? 3 : 2)));
    }
  }
  if (loss == LossKind::SoftmaxCE) d.class_names = {"a", "b", "c"};
  if (loss == LossKind::Hinge || loss == LossKind::BCE) d.class_names = {"a", "b"};
  return d;
}

std::size_t outputs_for(LossKind loss) {
  return loss == LossKind::MSE ? 3 : loss == LossKind::SoftmaxCE ? 3 : 1;
}

void expect_close(double a, double b, const std::string& what) {
  EXPECT_LE(std::fabs(a - b), 1e-12 * std::max({std::fabs(a), std::fabs(b), 1e-3}))
      << what << ": " << a << " vs " << b;
}

MLP make_model(LossKind loss, const std::string& activation, Random& rng) {
  std::vector<LayerSpec> layers = {{7, plugins().create_activation(activation), activation},
                                   {6, plugins().create_activation(activation), activation},
                                   {outputs_for(loss), nullptr, "linear"}};
  MLP model(5, layers, Init::Xavier, rng);
  for (double& p : model.parameters()) p = rng.uniform(-1, 1);
  return model;
}

TEST(Paths, GraphAndBatchedKernelsGiveTheSameLossAndGradients) {
  for (LossKind loss : {LossKind::MSE, LossKind::Hinge, LossKind::BCE, LossKind::SoftmaxCE}) {
    for (const char* activation : {"tanh", "relu", "leaky_relu", "swish"}) {
      for (bool dropout : {false, true}) {
        Random rng(21);
        const Dataset data = random_data(loss, 9, rng);
        MLP model = make_model(loss, activation, rng);
        std::vector<std::size_t> rows = {3, 0, 8, 5, 1, 1};
        std::vector<std::vector<double>> masks = {std::vector<double>(rows.size() * 7),
                                                  std::vector<double>(rows.size() * 6)};
        for (auto& layer : masks)
          for (double& s : layer) s = rng.uniform() < 0.25 ? 0.0 : 1.0 / 0.75;
        const auto* m = dropout ? &masks : nullptr;
        const std::string what =
            std::string(loss_name(loss)) + "/" + activation + (dropout ? "/dropout" : "");

        Trainer trainer(loss, {});
        Tape tape;
        std::vector<std::uint32_t> params;
        model.bind(tape, params);
        std::size_t graph_correct = 0;
        const auto root = trainer.build_loss(tape, model, params, data, rows, m, &graph_correct);
        tape.backward(root);
        model.zero_grad();
        model.accumulate_grads(tape, params);
        const std::vector<double> graph(model.gradients().begin(), model.gradients().end());

        BatchKernels kernels;
        std::vector<double> batched(model.parameters().size(), 0.0);
        std::size_t batched_correct = 0;
        const double loss_value = kernels.loss_and_gradients(model, batched.data(), data, rows,
                                                             loss, m, &batched_correct);
        expect_close(loss_value, tape.node(root).data, what + " loss");
        EXPECT_EQ(graph_correct, batched_correct) << what;
        for (std::size_t p = 0; p < graph.size(); ++p)
          expect_close(batched[p], graph[p], what + " grad " + std::to_string(p));
      }
    }
  }
}

// The batched kernels pick a different loop for narrow inputs, 8- and 4-wide column blocks, single
// columns, row counts not a multiple of 4 and layers past the small-product size (Eigen's product):
// these shapes reach every one of them.
TEST(Paths, EveryKernelShapeMatchesTheGraph) {
  struct Shape {
    std::size_t inputs;
    std::vector<std::size_t> hidden;
    std::size_t rows;
  };
  const std::vector<Shape> shapes = {
      {2, {16, 16}, 100},  // moons: 2 inputs, 8-wide blocks, one output
      {2, {17, 13}, 11},   // 8 + 8 + 1 and 8 + 4 + 1 columns; 11 rows = 8 + 2 + 1
      {5, {3, 6}, 7},      // fewer units than a vector
      {3, {70, 65}, 9},    // 9 x 70 x 65 multiply-adds: Eigen's product for that layer
  };
  for (const Shape& shape : shapes) {
    for (LossKind loss : {LossKind::Hinge, LossKind::MSE, LossKind::SoftmaxCE}) {
      Random rng(7);
      Dataset data = random_data(loss, shape.rows, rng);
      data.features = shape.inputs;
      data.x.clear();
      for (std::size_t i = 0; i < shape.rows * shape.inputs; ++i)
        data.x.push_back(rng.uniform(-2, 2));
      std::vector<LayerSpec> layers;
      for (std::size_t units : shape.hidden)
        layers.push_back({units, plugins().create_activation("relu"), "relu"});
      layers.push_back({outputs_for(loss), nullptr, "linear"});
      MLP model(shape.inputs, layers, Init::Xavier, rng);
      for (double& p : model.parameters()) p = rng.uniform(-1, 1);
      std::vector<std::size_t> rows(shape.rows);
      std::iota(rows.begin(), rows.end(), std::size_t{0});
      const std::string what = std::string(loss_name(loss)) + " " + std::to_string(shape.inputs) +
                               "-" + std::to_string(shape.hidden[0]) + "-" +
                               std::to_string(shape.hidden[1]) + " x" + std::to_string(shape.rows);

      Trainer trainer(loss, {});
      Tape tape;
      std::vector<std::uint32_t> params;
      model.bind(tape, params);
      const auto root = trainer.build_loss(tape, model, params, data, rows);
      tape.backward(root);
      model.zero_grad();
      model.accumulate_grads(tape, params);
      const std::vector<double> graph(model.gradients().begin(), model.gradients().end());

      BatchKernels kernels;
      kernels.prepare(model, rows.size(), false);
      for (int run = 0; run < 2; ++run) {  // the second call reuses every buffer
        std::vector<double> batched(model.parameters().size(), 0.0);
        const double loss_value =
            kernels.loss_and_gradients(model, batched.data(), data, rows, loss);
        expect_close(loss_value, tape.node(root).data, what + " loss");
        for (std::size_t p = 0; p < graph.size(); ++p)
          expect_close(batched[p], graph[p], what + " grad " + std::to_string(p));
      }
    }
  }
}

TEST(Paths, TrainingWithEitherEngineEndsAtTheSameWeights) {
  for (const char* reg : {"l1", "l2", "dropout"}) {
    std::vector<std::vector<double>> finals;
    for (Engine engine : {Engine::Graph, Engine::Batched}) {
      Random rng(5);
      const Dataset data = random_data(LossKind::SoftmaxCE, 40, rng);
      MLP model = make_model(LossKind::SoftmaxCE, "swish", rng);
      auto optimizer = plugins().create_optimizer("adam", {});
      Trainer trainer(LossKind::SoftmaxCE, {plugins().create_regularizer(reg, {})});
      TrainOptions options;
      options.steps = 12;
      options.batch_size = 16;
      options.seed = 3;
      options.engine = engine;
      trainer.fit(model, data, *optimizer, options);
      finals.emplace_back(model.parameters().begin(), model.parameters().end());
    }
    for (std::size_t p = 0; p < finals[0].size(); ++p)
      expect_close(finals[1][p], finals[0][p],
                   std::string(reg) + " parameter " + std::to_string(p));
  }
}

}  // namespace
}  // namespace gradplug
