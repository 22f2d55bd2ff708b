// OptimizerBase: an optional base for optimizer plugins that keeps the bookkeeping every optimizer
// repeats. Declare the per-parameter buffers once in the constructor with track(), write the update
// rule in update(), and reset(), save(), load() and the step counter come for free:
//
//   class MyAdagrad final : public gradplug::OptimizerBase {
//    public:
//     explicit MyAdagrad(const gradplug::Params& p)
//         : OptimizerBase("my_adagrad", p.real("lr")), eps_(p.real("eps")) { track("sum", sum_); }
//    private:
//     void update(double* values, const double* grads, std::size_t n, double lr) override {...}
//     double eps_;
//     std::vector<double> sum_;
//   };
//
// The saved state is "step" (steps taken) followed by the tracked buffers in declaration order;
// load() checks every buffer (gradplug/optimizer_state.hpp) before it changes anything.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "gradplug/optimizer.hpp"
#include "gradplug/optimizer_state.hpp"

namespace gradplug {

class OptimizerBase : public Optimizer {
 public:
  OptimizerBase(const OptimizerBase&) = delete;  // track() keeps pointers into the object
  OptimizerBase& operator=(const OptimizerBase&) = delete;

  double base_lr() const final { return lr_; }

  // Sizes every tracked buffer to n zeros and sets the step counter to 0.
  void reset(std::size_t n) final {
    n_ = n;
    step_ = 0;
    for (const Tracked& t : tracked_) t.values->assign(n, 0.0);
  }

  // Counts the step (so steps() is 1 during the first update), then calls update().
  void step(double* values, const double* grads, std::size_t n, double lr) final {
    if (n != n_)
      throw std::logic_error(name_ + ": step() got " + std::to_string(n) +
                             " parameters, reset() prepared " + std::to_string(n_));
    ++step_;
    update(values, grads, n, lr);
  }

  OptimizerState save() const final {
    OptimizerState state;
    state.emplace_back("step", std::vector<double>{static_cast<double>(step_)});
    for (const Tracked& t : tracked_) state.emplace_back(t.name, *t.values);
    return state;
  }

  // Restores what save() returned, for the n given to reset(); refuses (std::invalid_argument) a
  // state with other sizes or missing buffers, and changes nothing then.
  void load(const OptimizerState& state) final {
    const std::uint64_t step = state_step(state, name_);
    std::vector<const std::vector<double>*> found;
    found.reserve(tracked_.size());
    for (const Tracked& t : tracked_) found.push_back(&state_buffer(state, name_, t.name, n_));
    step_ = step;
    for (std::size_t i = 0; i < tracked_.size(); ++i)
      std::copy(found[i]->begin(), found[i]->end(), tracked_[i].values->begin());
  }

 protected:
  // name: the plugin's name (for messages); lr: its learning-rate hyperparameter.
  OptimizerBase(std::string name, double lr) : name_(std::move(name)), lr_(lr) {}

  // Declares buffer `values`, saved as `name`, one value per parameter; with used false it stays
  // empty and is not saved (e.g. a momentum buffer when momentum is 0). Call in the constructor.
  void track(const char* name, std::vector<double>& values, bool used = true) {
    if (used) tracked_.push_back({name, &values});
  }

  // One update of values[0..n) from grads[0..n) at learning rate lr; the buffers hold n values.
  virtual void update(double* values, const double* grads, std::size_t n, double lr) = 0;

  // Steps taken, counting the one in progress during update() (1 on the first).
  std::uint64_t steps() const { return step_; }

 private:
  struct Tracked {
    const char* name;
    std::vector<double>* values;
  };

  std::string name_;
  double lr_;
  std::vector<Tracked> tracked_;
  std::size_t n_ = 0;
  std::uint64_t step_ = 0;
};

}  // namespace gradplug
