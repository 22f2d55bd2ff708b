// Neuron: n weights and a bias, stored in its model's flat parameter array at `offset`
// (weights first, then the bias). On the Value graph it is one fused Dot node.
#pragma once

#include <cstddef>
#include <cstdint>

#include "gradplug/tape.hpp"

namespace gradplug {

struct Neuron {
  std::size_t offset = 0;  // of the first weight in the model's parameters
  std::size_t inputs = 0;

  std::size_t bias_offset() const { return offset + inputs; }
  // w . x + b on the tape; params[p] is the node of parameter p, x[k] the node of input k.
  std::uint32_t operator()(Tape& tape, const std::uint32_t* params, const std::uint32_t* x) const {
    return tape.dot(params + offset, x, static_cast<std::uint32_t>(inputs), true,
                    params[bias_offset()]);
  }
  // The same in plain doubles.
  double operator()(const double* params, const double* x) const {
    double s = 0.0;
    for (std::size_t k = 0; k < inputs; ++k) s += params[offset + k] * x[k];
    return s + params[bias_offset()];
  }
};

}  // namespace gradplug
