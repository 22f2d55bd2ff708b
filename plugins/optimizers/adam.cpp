// adam: Adam (optionally AMSGrad) with L2 weight decay, the update rule of PyTorch 1.13's
// torch.optim.Adam (`_single_tensor_adam`), operation by operation.
//
//   parameter     default       meaning
//   lr            0.001         learning rate; a schedule may change it per step
//   betas         [0.9, 0.999]  decay rates of the 1st and 2nd moment averages, each in [0, 1)
//   eps           1e-8          added to the bias-corrected root of the 2nd moment, in [0, inf)
//   weight_decay  0             L2 penalty lambda added to the gradient (not AdamW), in [0, inf)
//   amsgrad       false         normalise by the running maximum of the 2nd moment (AMSGrad)
//
// At step t (counted from 1), for every parameter theta with gradient g, at learning rate lr:
//   if lambda != 0:  g = g + lambda * theta
//   m = beta1 * m + (1 - beta1) * g
//   v = beta2 * v + (1 - beta2) * g * g
//   if amsgrad:      v_max = max(v_max, v), and v_max replaces v below
//   denom = sqrt(v) / sqrt(1 - beta2^t) + eps
//   theta = theta + (-(lr / (1 - beta1^t)) * m) / denom
// Each `x + a * y` (`x + a * y * z`: x + (a * y) * z) is one fused multiply-add (std::fma), as
// PyTorch's CPU kernels for add(alpha=) and addcmul are compiled; addcdiv (the last line) is not
// fused. So this reproduces PyTorch's float64 results bit for bit.
//
// State: "step" (t), "exp_avg" (m), "exp_avg_sq" (v) and, with amsgrad, "max_exp_avg_sq" (v_max),
// each buffer with one value per parameter.
#include <cmath>
#include <cstddef>
#include <vector>

#include "gradplug/plugin.hpp"

namespace {

class Adam final : public gradplug::OptimizerBase {
 public:
  explicit Adam(const gradplug::Params& p)
      : OptimizerBase("adam", p.real("lr")),
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
    const double bias_correction1 = 1.0 - std::pow(beta1_, t);
    const double bias_correction2 = 1.0 - std::pow(beta2_, t);
    const double neg_step_size = -(lr / bias_correction1);
    const double bias_correction2_sqrt = std::sqrt(bias_correction2);
    const Coefficients c{beta1_,        beta2_, 1.0 - beta1_,  1.0 - beta2_,
                         weight_decay_, eps_,   neg_step_size, bias_correction2_sqrt};
    // One loop per setting, so each is a straight line the compiler turns into vector code.
    const auto update_all =
        weight_decay_ != 0.0 ? (amsgrad_ ? &update_each<true, true> : &update_each<true, false>)
                             : (amsgrad_ ? &update_each<false, true> : &update_each<false, false>);
    update_all(n, values, grads, exp_avg_.data(), exp_avg_sq_.data(), max_exp_avg_sq_.data(), c);
  }

  struct Coefficients {
    double beta1, beta2, one_minus_beta1, one_minus_beta2, weight_decay, eps, neg_step_size,
        bias_correction2_sqrt;
  };

  // The update of the header, for every parameter. The buffers never overlap (restrict), and
  // `keep the larger` is a select rather than a conditional store: both let it vectorize.
  template <bool kDecay, bool kAmsgrad>
  static void update_each(std::size_t n, double* __restrict values, const double* __restrict grads,
                          double* __restrict exp_avg, double* __restrict exp_avg_sq,
                          double* __restrict max_exp_avg_sq, const Coefficients c) {
    for (std::size_t i = 0; i < n; ++i) {
      double grad = grads[i];
      if constexpr (kDecay) grad = std::fma(c.weight_decay, values[i], grad);
      exp_avg[i] = std::fma(c.one_minus_beta1, grad, exp_avg[i] * c.beta1);
      exp_avg_sq[i] = std::fma(c.one_minus_beta2 * grad, grad, exp_avg_sq[i] * c.beta2);
      double second = exp_avg_sq[i];
      if constexpr (kAmsgrad) {
        // torch.maximum: a NaN wins.
        const double m = max_exp_avg_sq[i];
        second = m >= second ? m : second;
        max_exp_avg_sq[i] = second;
      }
      const double denom = std::sqrt(second) / c.bias_correction2_sqrt + c.eps;
      values[i] = values[i] + c.neg_step_size * exp_avg[i] / denom;
    }
  }

  // Hyperparameters, fixed at creation.
  const double beta1_, beta2_, eps_, weight_decay_;
  const bool amsgrad_;

  // Per-run state (step t uses the bias corrections of t = steps()).
  std::vector<double> exp_avg_;         // m
  std::vector<double> exp_avg_sq_;      // v
  std::vector<double> max_exp_avg_sq_;  // v_max, with amsgrad only
};

using namespace gradplug::schema;
constexpr gp_param kSchema[] = {
    // clang-format off
    real("lr",           1e-3,         at_least(0.0),            "learning rate"),
    pair("betas",        {0.9, 0.999}, in_closed_open(0.0, 1.0), "decay rates of the running averages of the gradient and of its square"),
    real("eps",          1e-8,         at_least(0.0),            "term added to the denominator for numerical stability"),
    real("weight_decay", 0.0,          at_least(0.0),            "weight decay (L2 penalty added to the gradient)"),
    flag("amsgrad",      false,                                  "use the running maximum of the second moment (AMSGrad)"),
    // clang-format on
};

}  // namespace

GRADPLUG_PLUGIN(Adam, "adam", "1.0.0", "Adam and AMSGrad with L2 weight decay, as PyTorch's Adam.",
                kSchema)
