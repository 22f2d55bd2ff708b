// adamw: Adam with decoupled weight decay (Loshchilov and Hutter, "Decoupled Weight Decay
// Regularization"), optionally AMSGrad; the update rule of PyTorch 1.13's torch.optim.AdamW
// (`_single_tensor_adamw`), operation by operation.
//
// clang-format off
//   parameter     default       meaning
//   lr            0.001         learning rate; a schedule may change it per step
//   betas         [0.9, 0.999]  decay rates of the 1st and 2nd moment averages, each in [0, 1)
//   eps           1e-8          added to the bias-corrected root of the 2nd moment, in [0, inf)
//   weight_decay  0.01          decoupled decay: theta shrinks by lr * weight_decay each step
//   amsgrad       false         normalise by the running maximum of the 2nd moment (AMSGrad)
// clang-format on
//
// At step t (counted from 1), for every parameter theta with gradient g, at learning rate lr:
//   theta = theta * (1 - lr * weight_decay)
//   m = beta1 * m + (1 - beta1) * g
//   v = beta2 * v + (1 - beta2) * g * g
//   if amsgrad:      v_max = max(v_max, v), and v_max replaces v below
//   denom = sqrt(v) / sqrt(1 - beta2^t) + eps
//   theta = theta + (-(lr / (1 - beta1^t)) * m) / denom
// `x + a * y` (and `x + a * y * z`) is one fused multiply-add, as PyTorch's CPU kernels for
// add(alpha=) and addcmul are compiled; addcdiv (the last line) is not fused.
//
// State: "step" (t), "exp_avg" (m), "exp_avg_sq" (v) and, with amsgrad, "max_exp_avg_sq".
#include <cmath>
#include <cstddef>
#include <vector>

#include "gradplug/plugin.hpp"

namespace {

class AdamW final : public gradplug::OptimizerBase {
 public:
  explicit AdamW(const gradplug::Params& p)
      : OptimizerBase("adamw", p.real("lr")),
        beta1_(p.pair("betas")[0]),
        beta2_(p.pair("betas")[1]),
        eps_(p.real("eps")),
        weight_decay_(p.real("weight_decay")),
        amsgrad_(p.flag("amsgrad")) {
    track("exp_avg", exp_avg_);
    track("exp_avg_sq", exp_avg_sq_);
    track("max_exp_avg_sq", max_exp_avg_sq_, amsgrad_);
  }

 private:
  void update(double* values, const double* grads, std::size_t n, double lr) override {
    const double t = static_cast<double>(steps());
    const double decay = 1.0 - lr * weight_decay_;
    const double neg_step_size = -(lr / (1.0 - std::pow(beta1_, t)));
    const double bias_correction2_sqrt = std::sqrt(1.0 - std::pow(beta2_, t));
    const double one_minus_beta1 = 1.0 - beta1_, one_minus_beta2 = 1.0 - beta2_;
    for (std::size_t i = 0; i < n; ++i) {
      const double grad = grads[i];
      values[i] = values[i] * decay;
      exp_avg_[i] = std::fma(one_minus_beta1, grad, exp_avg_[i] * beta1_);
      exp_avg_sq_[i] = std::fma(one_minus_beta2 * grad, grad, exp_avg_sq_[i] * beta2_);
      double second = exp_avg_sq_[i];
      if (amsgrad_) {
        const double m = max_exp_avg_sq_[i];  // torch.maximum: a NaN wins
        second = m >= second ? m : second;
        max_exp_avg_sq_[i] = second;
      }
      const double denom = std::sqrt(second) / bias_correction2_sqrt + eps_;
      values[i] = values[i] + neg_step_size * exp_avg_[i] / denom;
    }
  }

  const double beta1_, beta2_, eps_, weight_decay_;  // hyperparameters, fixed at creation
  const bool amsgrad_;
  std::vector<double> exp_avg_, exp_avg_sq_, max_exp_avg_sq_;  // per-run state
};

using namespace gradplug::schema;
constexpr gp_param kSchema[] = {
    // clang-format off
    real("lr",           1e-3,         at_least(0.0),            "learning rate"),
    pair("betas",        {0.9, 0.999}, in_closed_open(0.0, 1.0), "decay rates of the running averages of the gradient and of its square"),
    real("eps",          1e-8,         at_least(0.0),            "term added to the denominator for numerical stability"),
    real("weight_decay", 1e-2,         at_least(0.0),            "decoupled weight decay: each step multiplies the weights by 1 - lr * weight_decay"),
    flag("amsgrad",      false,                                  "use the running maximum of the second moment (AMSGrad)"),
    // clang-format on
};

}  // namespace

GRADPLUG_PLUGIN(AdamW, "adamw", "1.0.0",
                "AdamW: Adam with decoupled weight decay (and AMSGrad), as PyTorch's AdamW.",
                kSchema)
