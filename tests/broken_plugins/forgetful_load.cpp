// Broken plugin: SGD with momentum (0.9 by default) whose load() restores the step count but not
// the momentum buffer, so a resumed run silently starts its momentum from zero. The conformance kit
// must fail it on "save and restore" and on nothing else.
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "gradplug/plugin.hpp"

namespace {

class ForgetfulLoad final : public gradplug::Optimizer {
 public:
  explicit ForgetfulLoad(const gradplug::Params& p)
      : lr_(p.real("lr")), momentum_(p.real("momentum")) {}

  double base_lr() const override { return lr_; }
  void reset(std::size_t n) override {
    buffer_.assign(n, 0.0);
    steps_ = 0;
  }
  void step(double* values, const double* grads, std::size_t n, double lr) override {
    for (std::size_t i = 0; i < n; ++i) {
      buffer_[i] = momentum_ * buffer_[i] + grads[i];
      values[i] -= lr * buffer_[i];
    }
    ++steps_;
  }
  gradplug::OptimizerState save() const override {
    return {{"step", {steps_}}, {"momentum_buffer", buffer_}};
  }
  void load(const gradplug::OptimizerState& state) override {
    for (const auto& [name, values] : state)
      if (name == "step" && values.size() == 1) steps_ = values[0];
    // The bug: "momentum_buffer" is saved but never restored.
  }

 private:
  double lr_;
  double momentum_;
  double steps_ = 0;
  std::vector<double> buffer_;
};

constexpr gp_param kSchema[] = {
    {"lr", GP_PARAM_REAL, {0.01, 0.0}, 0.0, HUGE_VAL, 0, 1, "learning rate"},
    {"momentum", GP_PARAM_REAL, {0.9, 0.0}, 0.0, 1.0, 0, 1, "momentum factor"},
};

}  // namespace

GRADPLUG_PLUGIN(ForgetfulLoad, "forgetful_load", "1.0.0",
                "Momentum SGD whose load() drops the momentum buffer (test plugin).", kSchema)
