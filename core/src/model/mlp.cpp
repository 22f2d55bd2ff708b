#include "gradplug/mlp.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "gradplug/value.hpp"

namespace gradplug {

const std::vector<std::string>& init_names() {
  static const std::vector<std::string> names = {"uniform", "xavier", "he"};
  return names;
}

const char* init_name(Init init) { return init_names()[static_cast<std::size_t>(init)].c_str(); }

MLP::MLP(std::size_t inputs, const std::vector<LayerSpec>& specs, Init init, Random& rng)
    : inputs_(inputs) {
  if (inputs == 0 || specs.empty()) throw std::invalid_argument("an MLP needs inputs and a layer");
  std::size_t fan_in = inputs, offset = 0;
  widest_ = inputs;
  for (const LayerSpec& spec : specs) {
    if (spec.size == 0) throw std::invalid_argument("a layer needs at least one neuron");
    Layer layer;
    layer.activation = spec.activation;
    layer.activation_name = spec.activation ? spec.activation_name : "linear";
    for (std::size_t j = 0; j < spec.size; ++j) {
      layer.neurons.push_back(Neuron{offset, fan_in});
      offset += fan_in + 1;
    }
    layers_.push_back(std::move(layer));
    fan_in = spec.size;
    widest_ = std::max(widest_, spec.size);
  }
  values_.assign(offset, 0.0);
  grads_.assign(offset, 0.0);
  is_bias_.assign(offset, 0);
  // One generator, layer by layer, neuron by neuron, weight by weight: the draw order is fixed.
  for (const Layer& layer : layers_) {
    const auto fan_in_d = static_cast<double>(layer.inputs());
    const auto fan_out_d = static_cast<double>(layer.outputs());
    const double xavier = std::sqrt(6.0 / (fan_in_d + fan_out_d));
    const double he = std::sqrt(2.0 / fan_in_d);
    for (const Neuron& n : layer.neurons) {
      for (std::size_t k = 0; k < n.inputs; ++k) {
        double& w = values_[n.offset + k];
        switch (init) {
          case Init::Uniform:
            w = rng.uniform(-1.0, 1.0);
            break;
          case Init::Xavier:
            w = rng.uniform(-xavier, xavier);
            break;
          case Init::He:
            w = he * rng.normal();
            break;
        }
      }
      is_bias_[n.bias_offset()] = 1;
    }
  }
}

void MLP::zero_grad() { std::fill(grads_.begin(), grads_.end(), 0.0); }

void MLP::bind(Tape& tape, std::vector<std::uint32_t>& param_nodes) const {
  param_nodes.resize(values_.size());
  for (std::size_t p = 0; p < values_.size(); ++p) param_nodes[p] = tape.leaf(values_[p]);
}

void MLP::forward(Tape& tape, const std::uint32_t* params, const std::uint32_t* x,
                  std::uint32_t* out, const std::vector<const double*>* hidden_scale) const {
  // Two ping-pong buffers of node indices, sized once per call (not per node).
  std::vector<std::uint32_t> current(x, x + inputs_), next;
  next.reserve(widest_);
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    const Layer& layer = layers_[l];
    next.clear();
    const bool hidden = l + 1 < layers_.size();
    const double* scale = hidden && hidden_scale ? (*hidden_scale)[l] : nullptr;
    for (std::size_t j = 0; j < layer.neurons.size(); ++j) {
      std::uint32_t node = layer.neurons[j](tape, params, current.data());
      if (layer.activation) node = tape.primitive(*layer.activation, node);
      if (scale) node = (Value(tape, node) * scale[j]).index();
      next.push_back(node);
    }
    std::swap(current, next);
  }
  std::copy(current.begin(), current.end(), out);
}

void MLP::accumulate_grads(const Tape& tape, const std::vector<std::uint32_t>& param_nodes) {
  for (std::size_t p = 0; p < grads_.size(); ++p) grads_[p] += tape.node(param_nodes[p]).grad;
}

void MLP::predict(const double* x, double* out) const {
  std::vector<double> current(x, x + inputs_), next;
  for (const Layer& layer : layers_) {
    next.resize(layer.outputs());
    for (std::size_t j = 0; j < layer.outputs(); ++j)
      next[j] = layer.neurons[j](values_.data(), current.data());
    if (layer.activation) layer.activation->f_array(next.data(), next.data(), next.size());
    std::swap(current, next);
  }
  std::copy(current.begin(), current.end(), out);
}

std::vector<double> MLP::predict(std::span<const double> x) const {
  if (x.size() != inputs_)
    throw std::invalid_argument("predict: " + std::to_string(x.size()) + " inputs for a model of " +
                                std::to_string(inputs_));
  std::vector<double> out(outputs());
  predict(x.data(), out.data());
  return out;
}

}  // namespace gradplug
