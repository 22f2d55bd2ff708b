// Broken plugin: an optimizer (plain gradient descent) whose schema default for lr (-1) lies
// outside its own declared range [0, inf). It loads; a conformance check of schemas must catch it.
#include <cmath>
#include <cstddef>
#include <vector>

#include "gradplug/plugin.hpp"

namespace {

class BadDefault final : public gradplug::Optimizer {
 public:
  explicit BadDefault(const gradplug::Params& p) : lr_(p.real("lr")) {}

  double base_lr() const override { return lr_; }
  void reset(std::size_t /*n*/) override {}
  void step(double* values, const double* grads, std::size_t n, double lr) override {
    for (std::size_t i = 0; i < n; ++i) values[i] -= lr * grads[i];
  }
  gradplug::OptimizerState save() const override { return {}; }
  void load(const gradplug::OptimizerState& /*state*/) override {}

 private:
  double lr_;
};

constexpr gp_param kSchema[] = {
    {"lr", GP_PARAM_REAL, {-1.0, 0.0}, 0.0, HUGE_VAL, 0, 1, "learning rate (default out of range)"},
};

}  // namespace

GRADPLUG_PLUGIN(BadDefault, "bad_default", "1.0.0",
                "Gradient descent whose lr default lies outside its range (test plugin).", kSchema)
