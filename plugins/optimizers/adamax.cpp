// adamax: Adam's infinity-norm variant (Kingma and Ba, section 7.1), the update rule of PyTorch
// 1.13's torch.optim.Adamax (`_single_tensor_adamax`), operation by operation.
//
// clang-format off
//   parameter     default       meaning
//   lr            0.002         learning rate; a schedule may change it per step
//   betas         [0.9, 0.999]  decay rates of the 1st moment and of the infinity norm, in [0, 1)
//   eps           1e-8          added to |g| before the maximum, in [0, inf)
//   weight_decay  0             L2 penalty lambda added to the gradient, in [0, inf)
// clang-format on
//
// At step t (from 1), for every parameter theta with gradient g, at learning rate lr:
//   if lambda != 0:  g = g + lambda theta
//   m = beta1 m + (1 - beta1) g
//   u = max(beta2 u, |g| + eps)
//   theta = theta + (-(lr / (1 - beta1^t)) m) / u
// `x + a * y` is one fused multiply-add, as PyTorch's CPU kernel for add(alpha=) is compiled;
// addcdiv (the last line) is not fused.
//
// State: "step" (t), "exp_avg" (m), "exp_inf" (u).
#include <cmath>
#include <cstddef>
#include <vector>

#include "gradplug/plugin.hpp"

namespace {

class Adamax final : public gradplug::OptimizerBase {
 public:
  explicit Adamax(const gradplug::Params& p)
      : OptimizerBase("adamax", p.real("lr")),
        beta1_(p.pair("betas")[0]),
        beta2_(p.pair("betas")[1]),
        eps_(p.real("eps")),
        weight_decay_(p.real("weight_decay")) {
    track("exp_avg", exp_avg_);
    track("exp_inf", exp_inf_);
  }

 private:
  void update(double* values, const double* grads, std::size_t n, double lr) override {
    const double t = static_cast<double>(steps());
    const double neg_clr = -(lr / (1.0 - std::pow(beta1_, t)));
    const double one_minus_beta1 = 1.0 - beta1_;
    for (std::size_t i = 0; i < n; ++i) {
      double grad = grads[i];
      if (weight_decay_ != 0.0) grad = std::fma(weight_decay_, values[i], grad);
      exp_avg_[i] = std::fma(one_minus_beta1, grad, exp_avg_[i] * beta1_);
      const double decayed = exp_inf_[i] * beta2_;
      const double fresh = std::fabs(grad) + eps_;
      exp_inf_[i] = decayed >= fresh || std::isnan(decayed) ? decayed : fresh;  // amax: NaN wins
      values[i] = values[i] + neg_clr * exp_avg_[i] / exp_inf_[i];
    }
  }

  const double beta1_, beta2_, eps_, weight_decay_;  // hyperparameters, fixed at creation
  std::vector<double> exp_avg_, exp_inf_;            // per-run state
};

using namespace gradplug::schema;
constexpr gp_param kSchema[] = {
    // clang-format off
    real("lr",           2e-3,         at_least(0.0),            "learning rate"),
    pair("betas",        {0.9, 0.999}, in_closed_open(0.0, 1.0), "decay rates of the gradient's running average and of the infinity norm"),
    real("eps",          1e-8,         at_least(0.0),            "term added to |g| for numerical stability"),
    real("weight_decay", 0.0,          at_least(0.0),            "weight decay (L2 penalty added to the gradient)"),
    // clang-format on
};

}  // namespace

GRADPLUG_PLUGIN(Adamax, "adamax", "1.0.0", "Adamax: Adam with the infinity norm, as PyTorch's.",
                kSchema)
