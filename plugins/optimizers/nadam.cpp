// nadam: Adam with Nesterov momentum (Dozat, "Incorporating Nesterov Momentum into Adam") and the
// momentum-decay schedule of PyTorch 1.13's torch.optim.NAdam. PyTorch 1.13's two code paths
// disagree (its single-tensor path multiplies mu_{t+1}'s product by mu_t twice, fixed upstream
// later); this follows its foreach path (`_multi_tensor_nadam`), the published algorithm,
// operation by operation. decoupled_weight_decay (NAdamW) is as later PyTorch versions define it.
//
// clang-format off
//   parameter               default       meaning
//   lr                      0.002         learning rate; a schedule may change it per step
//   betas                   [0.9, 0.999]  decay rates of the 1st and 2nd moment averages, in [0, 1)
//   eps                     1e-8          added to the bias-corrected root of the 2nd moment
//   weight_decay            0             weight decay lambda, in [0, inf)
//   momentum_decay          0.004         psi: mu_t = beta1 (1 - 0.5 * 0.96^(t psi))
//   decoupled_weight_decay  false         true: theta *= 1 - lr lambda (NAdamW); false: g += lambda theta
// clang-format on
//
// At step t (from 1), for every parameter theta with gradient g, at learning rate lr:
//   mu = beta1 (1 - 0.5 * 0.96^(t psi)),  mu' = beta1 (1 - 0.5 * 0.96^((t + 1) psi))
//   P = P * mu                                   (P starts at 1: the product of all mu so far)
//   weight decay as above
//   m = beta1 m + (1 - beta1) g,   v = beta2 v + (1 - beta2) g g
//   denom = sqrt(v) / sqrt(1 - beta2^t) + eps
//   theta = theta + (-(lr (1 - mu) / (1 - P)) g) / denom
//   theta = theta + (-(lr mu' / (1 - P mu')) m) / denom
// `x + a * y` (and `x + a * y * z`) is one fused multiply-add, as PyTorch's CPU kernels for
// add(alpha=) and addcmul are compiled; addcdiv is not fused.
//
// State: "step" (t), "mu_product" (P, one value), "exp_avg" (m), "exp_avg_sq" (v).
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "gradplug/optimizer_state.hpp"
#include "gradplug/plugin.hpp"

namespace {

constexpr const char* kName = "nadam";

class NAdam final : public gradplug::Optimizer {
 public:
  explicit NAdam(const gradplug::Params& p)
      : lr_(p.real("lr")),
        beta1_(p.pair("betas")[0]),
        beta2_(p.pair("betas")[1]),
        eps_(p.real("eps")),
        weight_decay_(p.real("weight_decay")),
        momentum_decay_(p.real("momentum_decay")),
        decoupled_(p.flag("decoupled_weight_decay")) {}

  double base_lr() const override { return lr_; }

  void reset(std::size_t n) override {
    n_ = n;
    step_ = 0;
    mu_product_ = 1.0;
    exp_avg_.assign(n, 0.0);
    exp_avg_sq_.assign(n, 0.0);
  }

  void step(double* values, const double* grads, std::size_t n, double lr) override {
    if (n != n_)
      throw std::logic_error(std::string(kName) + ": step() got " + std::to_string(n) +
                             " parameters, reset() prepared " + std::to_string(n_));
    const double t = static_cast<double>(++step_);
    const double bias_correction2_sqrt = std::sqrt(1.0 - std::pow(beta2_, t));
    const double mu = beta1_ * (1.0 - 0.5 * std::pow(0.96, t * momentum_decay_));
    const double mu_next = beta1_ * (1.0 - 0.5 * std::pow(0.96, (t + 1.0) * momentum_decay_));
    mu_product_ *= mu;
    const double grad_step = (lr * (1.0 - mu) / (1.0 - mu_product_)) * -1.0;
    const double avg_step = (lr * mu_next / (1.0 - mu_product_ * mu_next)) * -1.0;
    const double decay = decoupled_ ? 1.0 - lr * weight_decay_ : 1.0;
    const double coupled = decoupled_ ? 0.0 : weight_decay_;
    const double one_minus_beta1 = 1.0 - beta1_, one_minus_beta2 = 1.0 - beta2_;
    for (std::size_t i = 0; i < n; ++i) {
      double grad = grads[i];
      if (weight_decay_ != 0.0) {
        if (decoupled_)
          values[i] = values[i] * decay;
        else
          grad = std::fma(coupled, values[i], grad);
      }
      exp_avg_[i] = std::fma(one_minus_beta1, grad, exp_avg_[i] * beta1_);
      exp_avg_sq_[i] = std::fma(one_minus_beta2 * grad, grad, exp_avg_sq_[i] * beta2_);
      const double denom = std::sqrt(exp_avg_sq_[i]) / bias_correction2_sqrt + eps_;
      values[i] = values[i] + grad_step * grad / denom;
      values[i] = values[i] + avg_step * exp_avg_[i] / denom;
    }
  }

  gradplug::OptimizerState save() const override {
    return {{"step", {static_cast<double>(step_)}},
            {"mu_product", {mu_product_}},
            {"exp_avg", exp_avg_},
            {"exp_avg_sq", exp_avg_sq_}};
  }

  // Checks everything before changing anything.
  void load(const gradplug::OptimizerState& state) override {
    const std::uint64_t step = gradplug::state_step(state, kName);
    const double mu_product = gradplug::state_buffer(state, kName, "mu_product", 1)[0];
    const auto& exp_avg = gradplug::state_buffer(state, kName, "exp_avg", n_);
    const auto& exp_avg_sq = gradplug::state_buffer(state, kName, "exp_avg_sq", n_);
    step_ = step;
    mu_product_ = mu_product;
    std::copy(exp_avg.begin(), exp_avg.end(), exp_avg_.begin());
    std::copy(exp_avg_sq.begin(), exp_avg_sq.end(), exp_avg_sq_.begin());
  }

 private:
  const double lr_, beta1_, beta2_, eps_, weight_decay_, momentum_decay_;  // hyperparameters
  const bool decoupled_;
  std::size_t n_ = 0;  // per-run state
  std::uint64_t step_ = 0;
  double mu_product_ = 1.0;
  std::vector<double> exp_avg_, exp_avg_sq_;
};

using namespace gradplug::schema;
constexpr gp_param kSchema[] = {
    // clang-format off
    real("lr",                     2e-3,         at_least(0.0),            "learning rate"),
    pair("betas",                  {0.9, 0.999}, in_closed_open(0.0, 1.0), "decay rates of the running averages of the gradient and of its square"),
    real("eps",                    1e-8,         at_least(0.0),            "term added to the denominator for numerical stability"),
    real("weight_decay",           0.0,          at_least(0.0),            "weight decay (L2 added to the gradient, or decoupled)"),
    real("momentum_decay",         4e-3,         at_least(0.0),            "momentum decay psi of the schedule mu_t = beta1 (1 - 0.5 * 0.96^(t psi))"),
    flag("decoupled_weight_decay", false,                                  "decay the weights directly, as AdamW does (NAdamW)"),
    // clang-format on
};

}  // namespace

GRADPLUG_PLUGIN(NAdam, "nadam", "1.0.0",
                "NAdam: Adam with Nesterov momentum (NAdamW with decoupled_weight_decay).", kSchema)
