// radam: Rectified Adam (Liu et al., "On the Variance of the Adaptive Learning Rate and Beyond"),
// the update rule of PyTorch 1.13's torch.optim.RAdam (`_single_tensor_radam`), operation by
// operation; decoupled_weight_decay (RAdamW) is as later PyTorch versions define it.
//
// clang-format off
//   parameter               default       meaning
//   lr                      0.001         learning rate; a schedule may change it per step
//   betas                   [0.9, 0.999]  decay rates of the 1st and 2nd moment averages, in [0, 1)
//   eps                     1e-8          added to the root of the 2nd moment, in [0, inf)
//   weight_decay            0             weight decay lambda, in [0, inf)
//   decoupled_weight_decay  false         true: theta *= 1 - lr lambda (RAdamW); false: g += lambda theta
// clang-format on
//
// At step t (from 1), for every parameter theta with gradient g, at learning rate lr:
//   weight decay as above;  m = beta1 m + (1 - beta1) g;  v = beta2 v + (1 - beta2) g g
//   rho_inf = 2 / (1 - beta2) - 1;  rho_t = rho_inf - 2 t beta2^t / (1 - beta2^t)
//   if rho_t > 5:  r = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))
//                  theta = theta - (m / (1 - beta1^t)) lr (sqrt(1 - beta2^t) / (sqrt(v) + eps)) r
//   else:          theta = theta - (m / (1 - beta1^t)) lr          (plain momentum while v warms up)
// `x + a * y` (and `x + a * y * z`) is one fused multiply-add, as PyTorch's CPU kernels for
// add(alpha=) and addcmul are compiled.
//
// State: "step" (t), "exp_avg" (m), "exp_avg_sq" (v).
#include <cmath>
#include <cstddef>
#include <vector>

#include "gradplug/plugin.hpp"

namespace {

class RAdam final : public gradplug::OptimizerBase {
 public:
  explicit RAdam(const gradplug::Params& p)
      : OptimizerBase("radam", p.real("lr")),
        beta1_(p.pair("betas")[0]),
        beta2_(p.pair("betas")[1]),
        eps_(p.real("eps")),
        weight_decay_(p.real("weight_decay")),
        decoupled_(p.flag("decoupled_weight_decay")) {
    track("exp_avg", exp_avg_);
    track("exp_avg_sq", exp_avg_sq_);
  }

 private:
  void update(double* values, const double* grads, std::size_t n, double lr) override {
    const double t = static_cast<double>(steps());
    const double bias_correction1 = 1.0 - std::pow(beta1_, t);
    const double bias_correction2 = 1.0 - std::pow(beta2_, t);
    const double rho_inf = 2.0 / (1.0 - beta2_) - 1.0;
    const double rho_t = rho_inf - 2.0 * t * std::pow(beta2_, t) / bias_correction2;
    const bool rectified = rho_t > 5.0;
    const double rect = rectified ? std::sqrt((rho_t - 4.0) * (rho_t - 2.0) * rho_inf /
                                              ((rho_inf - 4.0) * (rho_inf - 2.0) * rho_t))
                                  : 0.0;
    const double bias_correction2_sqrt = std::sqrt(bias_correction2);
    const double decay = 1.0 - lr * weight_decay_;
    const double one_minus_beta1 = 1.0 - beta1_, one_minus_beta2 = 1.0 - beta2_;
    for (std::size_t i = 0; i < n; ++i) {
      double grad = grads[i];
      if (weight_decay_ != 0.0) {
        if (decoupled_)
          values[i] = values[i] * decay;
        else
          grad = std::fma(weight_decay_, values[i], grad);
      }
      exp_avg_[i] = std::fma(one_minus_beta1, grad, exp_avg_[i] * beta1_);
      exp_avg_sq_[i] = std::fma(one_minus_beta2 * grad, grad, exp_avg_sq_[i] * beta2_);
      const double corrected = exp_avg_[i] / bias_correction1;
      double change = corrected * lr;
      if (rectified) {
        const double adaptive_lr = bias_correction2_sqrt / (std::sqrt(exp_avg_sq_[i]) + eps_);
        change = change * adaptive_lr * rect;
      }
      values[i] = std::fma(-1.0, change, values[i]);
    }
  }

  const double beta1_, beta2_, eps_, weight_decay_;  // hyperparameters, fixed at creation
  const bool decoupled_;
  std::vector<double> exp_avg_, exp_avg_sq_;  // per-run state
};

using namespace gradplug::schema;
constexpr gp_param kSchema[] = {
    // clang-format off
    real("lr",                     1e-3,         at_least(0.0),            "learning rate"),
    pair("betas",                  {0.9, 0.999}, in_closed_open(0.0, 1.0), "decay rates of the running averages of the gradient and of its square"),
    real("eps",                    1e-8,         at_least(0.0),            "term added to the denominator for numerical stability"),
    real("weight_decay",           0.0,          at_least(0.0),            "weight decay (L2 added to the gradient, or decoupled)"),
    flag("decoupled_weight_decay", false,                                  "decay the weights directly, as AdamW does (RAdamW)"),
    // clang-format on
};

}  // namespace

GRADPLUG_PLUGIN(RAdam, "radam", "1.0.0",
                "RAdam: Adam with a rectified adaptive learning rate (RAdamW when decoupled).",
                kSchema)
