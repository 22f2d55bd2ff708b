// lion: EvoLved Sign Momentum (Chen et al. 2023, "Symbolic Discovery of Optimization
// Algorithms", Algorithm 2). PyTorch 1.13 has no Lion; this is the paper's update, tested against
// a trajectory computed by hand from it (tests/reference/).
//
// clang-format off
//   parameter     default       meaning
//   lr            0.0001        learning rate (3-10x smaller than AdamW's is typical)
//   betas         [0.9, 0.99]   beta1 interpolates the update, beta2 the momentum, each in [0, 1]
//   weight_decay  0             decoupled weight decay lambda, in [0, inf)
// clang-format on
//
// For every parameter theta with gradient g, at learning rate lr:
//   u = sign(beta1 m + (1 - beta1) g)
//   theta = theta - lr (u + lambda theta)
//   m = beta2 m + (1 - beta2) g
//
// State: "step" (steps taken), "exp_avg" (m).
#include <cmath>
#include <cstddef>
#include <vector>

#include "gradplug/plugin.hpp"

namespace {

double sign_of(double x) { return x > 0.0 ? 1.0 : x < 0.0 ? -1.0 : x; }  // sign(0) = 0; NaN stays

class Lion final : public gradplug::OptimizerBase {
 public:
  explicit Lion(const gradplug::Params& p)
      : OptimizerBase("lion", p.real("lr")),
        beta1_(p.pair("betas")[0]),
        beta2_(p.pair("betas")[1]),
        weight_decay_(p.real("weight_decay")) {
    track("exp_avg", exp_avg_);
  }

 private:
  void update(double* values, const double* grads, std::size_t n, double lr) override {
    for (std::size_t i = 0; i < n; ++i) {
      const double grad = grads[i];
      const double u = sign_of(beta1_ * exp_avg_[i] + (1.0 - beta1_) * grad);
      values[i] = values[i] - lr * (u + weight_decay_ * values[i]);
      exp_avg_[i] = beta2_ * exp_avg_[i] + (1.0 - beta2_) * grad;
    }
  }

  const double beta1_, beta2_, weight_decay_;  // hyperparameters, fixed at creation
  std::vector<double> exp_avg_;                // per-run state
};

using namespace gradplug::schema;
constexpr gp_param kSchema[] = {
    // clang-format off
    real("lr",           1e-4,        at_least(0.0),        "learning rate"),
    pair("betas",        {0.9, 0.99}, in_closed(0.0, 1.0),  "interpolation of the update (beta1) and decay of the momentum (beta2)"),
    real("weight_decay", 0.0,         at_least(0.0),        "decoupled weight decay"),
    // clang-format on
};

}  // namespace

GRADPLUG_PLUGIN(Lion, "lion", "1.0.0",
                "Lion: the sign of an interpolated momentum (Chen et al. 2023).", kSchema)
