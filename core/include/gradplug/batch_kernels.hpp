// BatchKernels: the fast path. Forward and backward of an MLP over a whole mini-batch with dense
// matrix kernels (Eigen), activations applied through the plugin's array forms (one call per
// layer, not per number). It computes the same loss and gradients as the Value graph built by
// Trainer::build_loss; a test holds the two together to 1e-12.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "gradplug/dataset.hpp"
#include "gradplug/loss.hpp"
#include "gradplug/mlp.hpp"

namespace gradplug {

class BatchKernels {
 public:
  BatchKernels();
  ~BatchKernels();
  BatchKernels(BatchKernels&&) noexcept;
  BatchKernels& operator=(BatchKernels&&) noexcept;

  // Mean loss of the rows; adds its gradient into grads (model.parameters().size() entries) when
  // grads is not null. masks: per hidden layer, rows.size() x units multipliers, or null.
  // correct, when not null, receives how many rows are classified correctly.
  double loss_and_gradients(const MLP& model, double* grads, const Dataset& data,
                            const std::vector<std::size_t>& rows, LossKind loss,
                            const std::vector<std::vector<double>>* masks = nullptr,
                            std::size_t* correct = nullptr);

  // Sizes (and first touches) every buffer for batches of `rows` rows, so the first training
  // step neither allocates nor page-faults; a later call for the same sizes does nothing.
  // Optional: loss_and_gradients sizes what it needs itself.
  void prepare(const MLP& model, std::size_t rows, bool dropout);

  // The first layer (1-based) whose outputs are not finite for these rows, or 0.
  std::size_t first_nonfinite_output(const MLP& model, const Dataset& data,
                                     const std::vector<std::size_t>& rows);

 private:
  // Every layer's outputs for the rows, into the workspace.
  void forward(const MLP& model, const Dataset& data, const std::vector<std::size_t>& rows,
               const std::vector<std::vector<double>>* masks);
  // Layer l's share of the backward pass: its weights' and bias's gradients into grads, and
  // d(loss)/d(its input) into the workspace, from d(loss)/d(its output) there.
  void backward_layer(const MLP& model, std::size_t l, double* grads, std::size_t rows,
                      const std::vector<std::vector<double>>* masks);

  struct Workspace;
  std::unique_ptr<Workspace> work_;
};

}  // namespace gradplug
