// adagrad: Adagrad (Duchi, Hazan and Singer 2011), the update rule of PyTorch 1.13's
// torch.optim.Adagrad (`_single_tensor_adagrad`, dense gradients), operation by operation.
//
// clang-format off
//   parameter                  default  meaning
//   lr                         0.01     learning rate; a schedule may change it per step
//   lr_decay                   0        the step size is lr / (1 + (t - 1) lr_decay), in [0, inf)
//   weight_decay               0        L2 penalty lambda added to the gradient, in [0, inf)
//   initial_accumulator_value  0        the sum of squares starts here, in [0, inf)
//   eps                        1e-10    added to the root of the sum, in [0, inf)
// clang-format on
//
// At step t (from 1), for every parameter theta with gradient g, at learning rate lr:
//   if lambda != 0:  g = g + lambda theta
//   s = s + g g
//   theta = theta + (-(lr / (1 + (t - 1) lr_decay)) g) / (sqrt(s) + eps)
// `x + a * y * z` is one fused multiply-add, as PyTorch's CPU kernels for add(alpha=) and addcmul
// are compiled; addcdiv (the last line) is not fused.
//
// State: "step" (t), "sum" (s). s is set to initial_accumulator_value by the first step, which
// comes after reset() (PyTorch fills it when the optimizer is made).
#include <cmath>
#include <cstddef>
#include <vector>

#include "gradplug/plugin.hpp"

namespace {

class Adagrad final : public gradplug::OptimizerBase {
 public:
  explicit Adagrad(const gradplug::Params& p)
      : OptimizerBase("adagrad", p.real("lr")),
        lr_decay_(p.real("lr_decay")),
        weight_decay_(p.real("weight_decay")),
        initial_(p.real("initial_accumulator_value")),
        eps_(p.real("eps")) {
    track("sum", sum_);
  }

 private:
  void update(double* values, const double* grads, std::size_t n, double lr) override {
    const double t = static_cast<double>(steps());
    if (steps() == 1)
      for (double& s : sum_) s = initial_;
    const double neg_clr = -(lr / (1.0 + (t - 1.0) * lr_decay_));
    for (std::size_t i = 0; i < n; ++i) {
      double grad = grads[i];
      if (weight_decay_ != 0.0) grad = std::fma(weight_decay_, values[i], grad);
      sum_[i] = std::fma(1.0 * grad, grad, sum_[i]);
      values[i] = values[i] + neg_clr * grad / (std::sqrt(sum_[i]) + eps_);
    }
  }

  const double lr_decay_, weight_decay_, initial_, eps_;  // hyperparameters, fixed at creation
  std::vector<double> sum_;                               // per-run state
};

using namespace gradplug::schema;
constexpr gp_param kSchema[] = {
    // clang-format off
    real("lr",                        1e-2,  at_least(0.0), "learning rate"),
    real("lr_decay",                  0.0,   at_least(0.0), "step t uses lr / (1 + (t - 1) lr_decay)"),
    real("weight_decay",              0.0,   at_least(0.0), "weight decay (L2 penalty added to the gradient)"),
    real("initial_accumulator_value", 0.0,   at_least(0.0), "starting value of the sum of squared gradients"),
    real("eps",                       1e-10, at_least(0.0), "term added to the denominator for numerical stability"),
    // clang-format on
};

}  // namespace

GRADPLUG_PLUGIN(Adagrad, "adagrad", "1.0.0",
                "Adagrad: per-parameter steps from the sum of squared gradients, as PyTorch's.",
                kSchema)
