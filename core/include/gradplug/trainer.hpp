// Trainer: the loop over shuffled mini-batches (or the full batch): zero grads -> forward (on the
// Value graph or the batched kernels, see Engine) -> mean loss + penalties -> backward ->
// optimizer step.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string>
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
// Evaluation passes through at most this many rows at once (memory_estimate.hpp counts on it).
inline constexpr std::size_t kEvaluationChunk = 8192;

enum class Engine { Graph, Batched };
// The names a config may give: engine_names()[e] names Engine e; the last, "auto" (an older
// spelling of the default), means batched.
const std::vector<std::string>& engine_names();  // "graph", "batched", "auto"
Engine engine_named(const std::string& name);    // one of engine_names()

struct TrainOptions {
  std::size_t steps = 100;     // optimizer steps in all
  std::size_t batch_size = 0;  // 0: the full data set each step
  bool shuffle = true;         // reshuffle the rows at every epoch
  Schedule schedule;
  std::uint64_t seed = 0;  // batch order and dropout masks
  Engine engine = Engine::Batched;
  double clip_norm = 0.0;    // > 0: scale gradients so their global L2 norm is at most this
  std::size_t patience = 0;  // > 0: stop after this many epochs without validation improvement
  double min_delta = 0.0;    // an improvement must lower the validation loss by more than this
};

// Everything that changes during training besides the weights and the optimizer's own state:
// saved in a checkpoint, it lets training continue bit-identically.
struct TrainState {
  bool started = false;
  std::size_t step = 0;            // steps done
  std::vector<std::size_t> order;  // this epoch's row order
  std::array<std::uint64_t, 4> order_rng{};
  std::array<std::uint64_t, 4> dropout_rng{};
  double best_validation_loss = std::numeric_limits<double>::infinity();
  std::size_t best_step = 0;
  std::size_t epochs_without_improvement = 0;
};

struct StepMetrics {
  std::size_t step = 0;   // 1-based
  std::size_t epoch = 0;  // 1-based
  double loss = 0.0;      // data loss + penalties
  double data_loss = 0.0;
  double accuracy = 0.0;  // on the batch, before the update (NaN for regression)
  double lr = 0.0;
  double grad_norm = 0.0;  // global L2 norm of the gradient, before clipping
  bool epoch_end = false;
  double validation_loss = std::numeric_limits<double>::quiet_NaN();      // at epoch ends
  double validation_accuracy = std::numeric_limits<double>::quiet_NaN();  // at epoch ends
};

// Called after every step; return false to stop (the state is consistent: a checkpoint may be
// written and training resumed later).
using StepCallback = std::function<bool(const StepMetrics&)>;

struct FitResult {
  enum class Stop { Finished, Requested, EarlyStopped, NonFinite };
  Stop stop = Stop::Finished;
  StepMetrics last;             // of the last completed step
  std::size_t failed_step = 0;  // NonFinite: the 1-based step whose loss or gradient was not finite
  std::size_t failed_layer = 0;  // NonFinite: the first layer (1-based) that went non-finite
  std::string failure;           // NonFinite: what went non-finite, in words
};

struct Evaluation {
  double loss = 0.0;      // data loss (mean)
  double accuracy = 0.0;  // NaN for regression
};

class Trainer {
 public:
  Trainer(LossKind loss, std::vector<std::shared_ptr<Regularizer>> regularizers);

  // Trains model on data from state (fresh or restored) to options.steps. When validation is
  // given and not empty, it is evaluated at every epoch end (and drives early stopping). A loss
  // or gradient that is not finite stops training before the step is applied, so the model
  // keeps its last finite weights.
  FitResult fit(MLP& model, const Dataset& data, Optimizer& optimizer, const TrainOptions& options,
                TrainState& state, const StepCallback& on_step = {},
                const Dataset* validation = nullptr);
  // Prepares a fresh state (row order, generators, optimizer state) and the batched kernels'
  // buffers; does nothing to a state that has started. fit() calls it; call it first to
  // checkpoint the state of step 0.
  void begin(MLP& model, const Dataset& data, Optimizer& optimizer, const TrainOptions& options,
             TrainState& state);
  // The same from a fresh state.
  FitResult fit(MLP& model, const Dataset& data, Optimizer& optimizer, const TrainOptions& options,
                const StepCallback& on_step = {});

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
