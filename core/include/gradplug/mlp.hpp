// MLP: a multi-layer perceptron whose parameters live in one flat array (the layout optimizers
// see), with its forward pass on the Value graph (the reference: every step visible) and in plain
// doubles (for prediction).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "gradplug/activation.hpp"
#include "gradplug/layer.hpp"
#include "gradplug/random.hpp"
#include "gradplug/tape.hpp"

namespace gradplug {

enum class Init { Uniform, Xavier, He };
const std::vector<std::string>& init_names();  // "uniform", "xavier", "he"
const char* init_name(Init init);

struct LayerSpec {
  std::size_t size = 1;
  std::shared_ptr<const Activation> activation;  // null: linear
  std::string activation_name = "linear";
};

class MLP {
 public:
  // Weights drawn from rng by `init` (uniform: U(-1, 1), the seed's; xavier: U(+-sqrt(6 / (fan_in
  // + fan_out))); he: N(0, 2 / fan_in)); biases start at 0.
  MLP(std::size_t inputs, const std::vector<LayerSpec>& layers, Init init, Random& rng);

  std::size_t inputs() const { return inputs_; }
  std::size_t outputs() const { return layers_.back().outputs(); }
  const std::vector<Layer>& layers() const { return layers_; }

  std::span<double> parameters() { return values_; }
  std::span<const double> parameters() const { return values_; }
  std::span<double> gradients() { return grads_; }
  std::span<const double> gradients() const { return grads_; }
  // 1 where parameter p is a bias.
  const std::vector<unsigned char>& bias_mask() const { return is_bias_; }
  void zero_grad();

  // Pushes one leaf per parameter onto the tape; returns their node indices (parameter order).
  void bind(Tape& tape, std::vector<std::uint32_t>& param_nodes) const;
  // Forward for one sample on the tape: x[k] input nodes, out receives outputs() nodes.
  // hidden_scale, when not null, gives per hidden layer a multiplier per unit (dropout).
  void forward(Tape& tape, const std::uint32_t* param_nodes, const std::uint32_t* x,
               std::uint32_t* out, const std::vector<const double*>* hidden_scale = nullptr) const;
  // Adds the gradients of bound parameter nodes into gradients().
  void accumulate_grads(const Tape& tape, const std::vector<std::uint32_t>& param_nodes);

  // Outputs for one input row, in plain doubles (evaluation: no dropout).
  void predict(const double* x, double* out) const;
  std::vector<double> predict(std::span<const double> x) const;

 private:
  std::size_t inputs_;
  std::vector<Layer> layers_;
  std::vector<double> values_;
  std::vector<double> grads_;
  std::vector<unsigned char> is_bias_;
  std::size_t widest_ = 0;
};

}  // namespace gradplug
