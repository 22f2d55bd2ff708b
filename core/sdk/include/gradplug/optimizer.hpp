// Optimizer: the interface an optimizer plugin implements. It sees the model's parameters as one
// flat array of values with a matching array of gradients, and keeps its own per-parameter state.
// Hyperparameters are fixed at creation (from the schema); state is what save()/load() carry.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace gradplug {

// Named state buffers (e.g. {"exp_avg", [...]}, {"step", [3]}), enough to resume bit-identically.
using OptimizerState = std::vector<std::pair<std::string, std::vector<double>>>;

class Optimizer {
 public:
  virtual ~Optimizer() = default;

  // The learning rate hyperparameter; a schedule scales from it and passes the result to step().
  virtual double base_lr() const = 0;

  // Forgets all state and prepares it for n parameters. Called before the first step.
  virtual void reset(std::size_t n) = 0;

  // One update of values[0..n) from grads[0..n) with learning rate lr.
  virtual void step(double* values, const double* grads, std::size_t n, double lr) = 0;

  // The per-run state, and its restoration; load() throws std::invalid_argument when the state
  // does not fit (other sizes, missing buffers). Call reset(n) before load().
  virtual OptimizerState save() const = 0;
  virtual void load(const OptimizerState& state) = 0;
};

}  // namespace gradplug
