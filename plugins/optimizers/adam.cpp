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
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "gradplug/optimizer_state.hpp"
#include "gradplug/plugin.hpp"

namespace {

constexpr const char* kName = "adam";

class Adam final : public gradplug::Optimizer {
 public:
  explicit Adam(const gradplug::Params& p)
      : hp_{p.real("lr"),  p.pair("betas")[0],     p.pair("betas")[1],
            p.real("eps"), p.real("weight_decay"), p.flag("amsgrad")} {}

  double base_lr() const override { return hp_.lr; }

  void reset(std::size_t n) override {
    n_ = n;
    step_ = 0;
    exp_avg_.assign(n, 0.0);
    exp_avg_sq_.assign(n, 0.0);
    max_exp_avg_sq_.assign(hp_.amsgrad ? n : 0, 0.0);
  }

  void step(double* values, const double* grads, std::size_t n, double lr) override {
    if (n != n_)
      throw std::logic_error(std::string(kName) + ": step() got " + std::to_string(n) +
                             " parameters, reset() prepared " + std::to_string(n_));
    ++step_;
    const double beta1 = hp_.beta1;
    const double beta2 = hp_.beta2;
    const double t = static_cast<double>(step_);
    const double bias_correction1 = 1.0 - std::pow(beta1, t);
    const double bias_correction2 = 1.0 - std::pow(beta2, t);
    const double neg_step_size = -(lr / bias_correction1);
    const double bias_correction2_sqrt = std::sqrt(bias_correction2);
    const Coefficients c{
        beta1,   beta2,         1.0 - beta1,          1.0 - beta2, hp_.weight_decay,
        hp_.eps, neg_step_size, bias_correction2_sqrt};
    // One loop per setting, so each is a straight line the compiler turns into vector code.
    const auto update_all = hp_.weight_decay != 0.0
                                ? (hp_.amsgrad ? &update<true, true> : &update<true, false>)
                                : (hp_.amsgrad ? &update<false, true> : &update<false, false>);
    update_all(n, values, grads, exp_avg_.data(), exp_avg_sq_.data(), max_exp_avg_sq_.data(), c);
  }

  gradplug::OptimizerState save() const override {
    gradplug::OptimizerState state;
    state.emplace_back("step", std::vector<double>{static_cast<double>(step_)});
    state.emplace_back("exp_avg", exp_avg_);
    state.emplace_back("exp_avg_sq", exp_avg_sq_);
    if (hp_.amsgrad) state.emplace_back("max_exp_avg_sq", max_exp_avg_sq_);
    return state;
  }

  // Restores a state saved by an adam with the same amsgrad setting, for the n given to reset().
  // Checks everything before changing anything.
  void load(const gradplug::OptimizerState& state) override {
    const std::uint64_t step = gradplug::state_step(state, kName);
    const std::vector<double>& exp_avg = gradplug::state_buffer(state, kName, "exp_avg", n_);
    const std::vector<double>& exp_avg_sq = gradplug::state_buffer(state, kName, "exp_avg_sq", n_);
    const std::vector<double>* max_exp_avg_sq =
        hp_.amsgrad ? &gradplug::state_buffer(state, kName, "max_exp_avg_sq", n_) : nullptr;
    step_ = step;
    std::copy(exp_avg.begin(), exp_avg.end(), exp_avg_.begin());
    std::copy(exp_avg_sq.begin(), exp_avg_sq.end(), exp_avg_sq_.begin());
    if (max_exp_avg_sq)
      std::copy(max_exp_avg_sq->begin(), max_exp_avg_sq->end(), max_exp_avg_sq_.begin());
  }

 private:
  struct Coefficients {
    double beta1, beta2, one_minus_beta1, one_minus_beta2, weight_decay, eps, neg_step_size,
        bias_correction2_sqrt;
  };

  // The update of the header, for every parameter. The buffers never overlap (restrict), and
  // `keep the larger` is a select rather than a conditional store: both let it vectorize.
  template <bool kDecay, bool kAmsgrad>
  static void update(std::size_t n, double* __restrict values, const double* __restrict grads,
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

  struct Hyper {
    double lr;
    double beta1;
    double beta2;
    double eps;
    double weight_decay;
    bool amsgrad;
  };

  const Hyper hp_;  // fixed at creation

  // Per-run state.
  std::size_t n_ = 0;
  std::uint64_t step_ = 0;              // steps taken; step t uses the bias corrections of t
  std::vector<double> exp_avg_;         // n values
  std::vector<double> exp_avg_sq_;      // n values
  std::vector<double> max_exp_avg_sq_;  // n values with amsgrad, else empty
};

constexpr gp_param kSchema[] = {
    {"lr", GP_PARAM_REAL, {1e-3, 0.0}, 0.0, HUGE_VAL, 0, 1, "learning rate"},
    {"betas",
     GP_PARAM_PAIR,
     {0.9, 0.999},
     0.0,
     1.0,
     0,
     1,
     "decay rates of the running averages of the gradient and of its square"},
    {"eps",
     GP_PARAM_REAL,
     {1e-8, 0.0},
     0.0,
     HUGE_VAL,
     0,
     1,
     "term added to the denominator for numerical stability"},
    {"weight_decay",
     GP_PARAM_REAL,
     {0.0, 0.0},
     0.0,
     HUGE_VAL,
     0,
     1,
     "weight decay (L2 penalty added to the gradient)"},
    {"amsgrad",
     GP_PARAM_BOOL,
     {0.0, 0.0},
     0.0,
     1.0,
     0,
     0,
     "use the running maximum of the second moment (AMSGrad)"},
};

}  // namespace

GRADPLUG_PLUGIN(Adam, "adam", "1.0.0", "Adam and AMSGrad with L2 weight decay, as PyTorch's Adam.",
                kSchema)
