// The trainer's promises: a saved TrainState continues bit-identically, gradient clipping bounds
// the step, a non-finite loss stops before the step is applied, early stopping watches the
// validation loss.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "built_in_plugins.hpp"
#include "gradplug/dataset.hpp"
#include "gradplug/registry.hpp"
#include "gradplug/split.hpp"
#include "gradplug/trainer.hpp"

namespace gradplug {
namespace {

const Registry& plugins() { return testing::built_in_plugins(); }

struct TrainingRun {
  Dataset data;
  MLP model;
  std::shared_ptr<Optimizer> optimizer;
  Trainer trainer;
  TrainOptions options;
};

TrainingRun make_run(const std::string& optimizer = "adam") {
  Random data_rng(2), init_rng(3);
  Dataset data = make_moons(120, 0.15, data_rng);
  auto tanh = plugins().create_activation("tanh");
  MLP model(2, {{8, tanh, "tanh"}, {8, tanh, "tanh"}, {1, nullptr, "linear"}}, Init::Xavier,
            init_rng);
  TrainOptions options;
  options.steps = 90;
  options.batch_size = 16;
  options.seed = 11;
  return TrainingRun{
      data, model, plugins().create_optimizer(optimizer),
      Trainer(LossKind::BCE, {plugins().create_regularizer("dropout", {gp_value{{0.3, 0}}})}),
      options};
}

TEST(TrainerResume, ContinuingFromASavedStateIsBitIdentical) {
  TrainingRun whole = make_run();
  whole.trainer.fit(whole.model, whole.data, *whole.optimizer, whole.options);

  TrainingRun part = make_run();
  TrainState state;
  part.trainer.fit(part.model, part.data, *part.optimizer, part.options, state,
                   [](const StepMetrics& m) { return m.step < 37; });
  ASSERT_EQ(state.step, 37u);
  // Everything a checkpoint holds, carried into fresh objects.
  const std::vector<double> weights(part.model.parameters().begin(), part.model.parameters().end());
  const OptimizerState saved = part.optimizer->save();
  TrainingRun resumed = make_run();
  std::copy(weights.begin(), weights.end(), resumed.model.parameters().begin());
  resumed.optimizer->reset(weights.size());
  resumed.optimizer->load(saved);
  const FitResult r =
      resumed.trainer.fit(resumed.model, resumed.data, *resumed.optimizer, resumed.options, state);
  EXPECT_EQ(r.stop, FitResult::Stop::Finished);
  EXPECT_EQ(state.step, 90u);
  for (std::size_t p = 0; p < weights.size(); ++p)
    ASSERT_EQ(resumed.model.parameters()[p], whole.model.parameters()[p]) << "parameter " << p;
}

TEST(TrainerClipping, BoundsTheGlobalGradientNorm) {
  TrainingRun s = make_run("sgd");  // sgd, lr 0.01: a step moves the weights by lr * gradient
  s.options.clip_norm = 0.05;
  s.options.steps = 1;
  const std::vector<double> before(s.model.parameters().begin(), s.model.parameters().end());
  const FitResult r = s.trainer.fit(s.model, s.data, *s.optimizer, s.options);
  ASSERT_GT(r.last.grad_norm, 0.05) << "the test needs a gradient larger than the clip";
  double moved = 0;
  for (std::size_t p = 0; p < before.size(); ++p)
    moved += std::pow(s.model.parameters()[p] - before[p], 2);
  EXPECT_NEAR(std::sqrt(moved), 0.01 * 0.05, 1e-12);
}

TEST(TrainerNonFinite, StopsBeforeTheStepAndNamesTheLayer) {
  TrainingRun s = make_run("sgd");
  s.options.steps = 5;
  // An infinite weight in layer 2: the loss cannot be finite.
  s.model.parameters()[s.model.layers()[1].neurons[0].offset] =
      std::numeric_limits<double>::infinity();
  const std::vector<double> before(s.model.parameters().begin(), s.model.parameters().end());
  const FitResult r = s.trainer.fit(s.model, s.data, *s.optimizer, s.options);
  EXPECT_EQ(r.stop, FitResult::Stop::NonFinite);
  EXPECT_EQ(r.failed_step, 1u);
  EXPECT_EQ(r.failed_layer, 2u);
  EXPECT_NE(r.failure.find("layer 2"), std::string::npos) << r.failure;
  for (std::size_t p = 0; p < before.size(); ++p) {
    if (std::isfinite(before[p])) {
      EXPECT_EQ(s.model.parameters()[p], before[p]) << "the step must not be applied";
    }
  }
}

TEST(TrainerEarlyStopping, StopsAfterPatienceEpochsWithoutImprovement) {
  TrainingRun s = make_run();
  Random rng(1);
  Splits splits = split_dataset(s.data, {0.3, 0.0}, rng);
  s.options.steps = 100000;
  s.options.patience = 2;
  s.options.min_delta = 1e9;  // nothing counts as an improvement after the first epoch
  TrainState state;
  std::size_t epochs = 0;
  const FitResult r = s.trainer.fit(
      s.model, splits.train, *s.optimizer, s.options, state,
      [&](const StepMetrics& m) {
        if (m.epoch_end) {
          ++epochs;
          EXPECT_TRUE(std::isfinite(m.validation_loss));
        }
        return true;
      },
      &splits.validation);
  EXPECT_EQ(r.stop, FitResult::Stop::EarlyStopped);
  EXPECT_EQ(epochs, 3u);  // epoch 1 sets the best; epochs 2 and 3 do not improve by 1e9
  EXPECT_EQ(state.epochs_without_improvement, 2u);
  EXPECT_EQ(state.best_step, state.step / 3);
}

}  // namespace
}  // namespace gradplug

namespace gradplug {
namespace {

// A split larger than one evaluation chunk goes through chunk by chunk (so its activations fit in
// memory): the same loss and accuracy as the rows taken one by one.
TEST(TrainerEvaluate, ASplitLargerThanAChunkGivesTheLossOfAllItsRows) {
  Random data_rng(5), init_rng(6);
  const Dataset data = make_moons(kEvaluationChunk * 2 + 123, 0.2, data_rng);
  auto tanh = plugins().create_activation("tanh");
  MLP model(2, {{8, tanh, "tanh"}, {1, nullptr, "linear"}}, Init::Xavier, init_rng);
  Trainer trainer(LossKind::BCE, {});
  const Evaluation chunked = trainer.evaluate(model, data);
  double loss = 0;
  std::size_t correct = 0;
  for (std::size_t r = 0; r < data.rows; ++r) {
    const Dataset one = select_rows(data, {r});
    const Evaluation e = trainer.evaluate(model, one);
    loss += e.loss;
    correct += e.accuracy == 1.0;
  }
  EXPECT_NEAR(chunked.loss, loss / static_cast<double>(data.rows), 1e-12 * std::abs(chunked.loss));
  EXPECT_DOUBLE_EQ(chunked.accuracy, static_cast<double>(correct) / static_cast<double>(data.rows));
}

}  // namespace
}  // namespace gradplug
