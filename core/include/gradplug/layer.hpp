// Layer: neurons sharing inputs, followed by an activation (none means linear).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "gradplug/activation.hpp"
#include "gradplug/neuron.hpp"

namespace gradplug {

struct Layer {
  std::vector<Neuron> neurons;
  std::shared_ptr<const Activation> activation;  // null: linear
  std::string activation_name = "linear";

  std::size_t inputs() const { return neurons.empty() ? 0 : neurons.front().inputs; }
  std::size_t outputs() const { return neurons.size(); }
};

}  // namespace gradplug
