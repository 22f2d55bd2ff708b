// adadelta: Adadelta (Zeiler 2012), the update rule of PyTorch 1.13's torch.optim.Adadelta
// (`_single_tensor_adadelta`), operation by operation.
//
// clang-format off
//   parameter     default  meaning
//   lr            1.0      scales the delta; a schedule may change it per step
//   rho           0.9      decay rate of the running averages, in [0, 1]
//   eps           1e-6     added inside both roots, in [0, inf)
//   weight_decay  0        L2 penalty lambda added to the gradient, in [0, inf)
// clang-format on
//
// For every parameter theta with gradient g, at learning rate lr:
//   if lambda != 0:  g = g + lambda theta
//   v = rho v + (1 - rho) g g
//   delta = sqrt(u + eps) / sqrt(v + eps) * g
//   u = rho u + (1 - rho) delta delta
//   theta = theta - lr delta
// `x + a * y` (and `x + a * y * z`) is one fused multiply-add, as PyTorch's CPU kernels for
// add(alpha=) and addcmul are compiled.
//
// State: "step" (steps taken), "square_avg" (v), "acc_delta" (u).
#include <cmath>
#include <cstddef>
#include <vector>

#include "gradplug/plugin.hpp"

namespace {

class Adadelta final : public gradplug::OptimizerBase {
 public:
  explicit Adadelta(const gradplug::Params& p)
      : OptimizerBase("adadelta", p.real("lr")),
        rho_(p.real("rho")),
        eps_(p.real("eps")),
        weight_decay_(p.real("weight_decay")) {
    track("square_avg", square_avg_);
    track("acc_delta", acc_delta_);
  }

 private:
  void update(double* values, const double* grads, std::size_t n, double lr) override {
    const double one_minus_rho = 1.0 - rho_;
    const double neg_lr = -lr;
    for (std::size_t i = 0; i < n; ++i) {
      double grad = grads[i];
      if (weight_decay_ != 0.0) grad = std::fma(weight_decay_, values[i], grad);
      square_avg_[i] = std::fma(one_minus_rho * grad, grad, square_avg_[i] * rho_);
      const double std_dev = std::sqrt(square_avg_[i] + eps_);
      const double delta = std::sqrt(acc_delta_[i] + eps_) / std_dev * grad;
      acc_delta_[i] = std::fma(one_minus_rho * delta, delta, acc_delta_[i] * rho_);
      values[i] = std::fma(neg_lr, delta, values[i]);
    }
  }

  const double rho_, eps_, weight_decay_;       // hyperparameters, fixed at creation
  std::vector<double> square_avg_, acc_delta_;  // per-run state
};

using namespace gradplug::schema;
constexpr gp_param kSchema[] = {
    // clang-format off
    real("lr",           1.0,  at_least(0.0),    "coefficient that scales the delta"),
    real("rho",          0.9,  in_closed(0.0, 1.0), "decay rate of the running averages of squared gradients and deltas"),
    real("eps",          1e-6, at_least(0.0),    "term added inside the roots for numerical stability"),
    real("weight_decay", 0.0,  at_least(0.0),    "weight decay (L2 penalty added to the gradient)"),
    // clang-format on
};

}  // namespace

GRADPLUG_PLUGIN(Adadelta, "adadelta", "1.0.0",
                "Adadelta: steps scaled by the ratio of running RMS of deltas and gradients.",
                kSchema)
