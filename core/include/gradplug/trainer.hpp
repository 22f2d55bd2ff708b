// Trainer: the seed's loop over shuffled mini-batches (or the full batch):
// zero grads -> forward on the Value graph -> mean loss + penalties -> backward -> optimizer step.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <memory>
#include <vector>

#include "gradplug/batch_kernels.hpp"
#include "gradplug/dataset.hpp"
#include "gradplug/loss.hpp"
#include "gradplug/mlp.hpp"
#include "gradplug/optimizer.hpp"
#include "gradplug/regularizer.hpp"
#include "gradplug/schedule.hpp"

namespace gradplug {

// Which implementation computes loss and gradients. Both give the same numbers (to rounding); the
// graph is the reference that shows every step, the batched kernels are fast.
enum class Engine { Auto, Graph, Batched };
const std::vector<std::string>& engine_names();  // "auto", "graph", "batched"

struct TrainOptions {
  std::size_t steps = 100;      // optimizer steps in all
  std::size_t batch_size = 0;   // 0: the full data set each step
  bool shuffle = true;          // reshuffle the rows at every epoch
  Schedule schedule;
  std::uint64_t seed = 0;       // batch order and dropout masks
  Engine engine = Engine::Auto;  // auto: batched
};

struct StepMetrics {
  std::size_t step = 0;   // 1-based
  std::size_t epoch = 0;  // 1-based
  double loss = 0.0;      // data loss + penalties
  double data_loss = 0.0;
  double accuracy = 0.0;  // on the batch, before the update (NaN for regression)
  double lr = 0.0;
};

// Called after every step; return false to stop early.
using StepCallback = std::function<bool(const StepMetrics&)>;

struct Evaluation {
  double loss = 0.0;      // data loss (mean)
  double accuracy = 0.0;  // NaN for regression
};

class Trainer {
 public:
  Trainer(LossKind loss, std::vector<std::shared_ptr<Regularizer>> regularizers);

  // Trains model on data; returns the metrics of the last step.
  StepMetrics fit(MLP& model, const Dataset& data, Optimizer& optimizer,
                  const TrainOptions& options, const StepCallback& on_step = {});

  // Loss and accuracy of the model on a data set (evaluation mode: no dropout, no penalties).
  Evaluation evaluate(const MLP& model, const Dataset& data);

  // The batch's loss on the tape, built as fit() builds it (for gradient checks); returns the
  // root node. masks: per hidden layer, rows.size() x units multipliers (dropout), or null.
  // correct, when not null, receives how many rows the outputs classify correctly.
  std::uint32_t build_loss(Tape& tape, const MLP& model, const std::vector<std::uint32_t>& params,
                           const Dataset& data, const std::vector<std::size_t>& rows,
                           const std::vector<std::vector<double>>* masks = nullptr,
                           std::size_t* correct = nullptr) const;

 private:
  LossKind loss_;
  std::vector<std::shared_ptr<Regularizer>> regularizers_;
  Tape tape_;
  BatchKernels kernels_;
};

}  // namespace gradplug
