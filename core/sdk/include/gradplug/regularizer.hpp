// Regularizer: one interface for both shapes of regularization, with hooks a regularizer may leave
// empty:
//  - a parameter penalty (L1, L2) adds to the loss and to the gradients;
//  - an activation transform (Dropout) multiplies hidden activations while training only.
#pragma once

#include <cstddef>

#include "gradplug/random.hpp"

namespace gradplug {

class Regularizer {
 public:
  virtual ~Regularizer() = default;

  // Returns the penalty for parameters values[0..n) and, when grads is not null, adds its gradient
  // into grads. is_bias[i] is 1 for biases, 0 for weights (null: no biases).
  virtual double penalty(const double* /*values*/, double* /*grads*/,
                         const unsigned char* /*is_bias*/, std::size_t /*n*/) const {
    return 0.0;
  }

  // True when this regularizer transforms hidden activations during training.
  virtual bool transforms_activations() const { return false; }

  // Fills scale[0..n) with the multipliers for one sample's hidden layer of n units, drawing
  // randomness only from rng. Called only while training, and only if transforms_activations().
  virtual void draw_scale(double* scale, std::size_t n, Random& /*rng*/) const {
    for (std::size_t i = 0; i < n; ++i) scale[i] = 1.0;
  }
};

}  // namespace gradplug
