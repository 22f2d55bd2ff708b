// The loss kernels of BatchKernels: a batch's mean loss and its gradient with respect to the
// outputs, each loss the Value-graph formula of model/loss.cpp differentiated by hand.
#pragma once

#include <cstddef>
#include <vector>

#include "gradplug/dataset.hpp"
#include "gradplug/loss.hpp"

namespace gradplug::kernels {

// The mean loss of outputs (rows.size() x n_out, row-major; row r is the model's outputs for
// data row rows[r]). When grad is not null it receives d(mean loss)/d(outputs), same layout.
// When correct is not null it receives how many rows are classified correctly (0 for regression).
double batch_loss(LossKind loss, const double* outputs, std::size_t n_out, const Dataset& data,
                  const std::vector<std::size_t>& rows, double* grad, std::size_t* correct);

}  // namespace gradplug::kernels
