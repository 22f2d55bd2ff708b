// Broken plugin: sign descent (theta -= lr * sign(g)) with sign(0) taken as +1, so parameters
// creep downwards when the gradient is zero. It still lowers a quadratic; the conformance kit must
// fail it on "zero gradient" and on nothing else.
#include <cmath>
#include <cstddef>

#include "gradplug/plugin.hpp"

namespace {

class MovesAtZero final : public gradplug::Optimizer {
 public:
  explicit MovesAtZero(const gradplug::Params& p) : lr_(p.real("lr")) {}

  double base_lr() const override { return lr_; }
  void reset(std::size_t /*n*/) override {}
  void step(double* values, const double* grads, std::size_t n, double lr) override {
    for (std::size_t i = 0; i < n; ++i) values[i] -= lr * (grads[i] >= 0.0 ? 1.0 : -1.0);
  }
  gradplug::OptimizerState save() const override { return {}; }
  void load(const gradplug::OptimizerState& /*state*/) override {}

 private:
  double lr_;
};

constexpr gp_param kSchema[] = {
    {"lr", GP_PARAM_REAL, {0.01, 0.0}, 0.0, HUGE_VAL, 0, 1, "learning rate"},
};

}  // namespace

GRADPLUG_PLUGIN(MovesAtZero, "moves_at_zero", "1.0.0",
                "Sign descent whose sign(0) is +1 (test plugin).", kSchema)
