// sgd: stochastic gradient descent with optional (Nesterov) momentum and weight decay, the update
// rule of PyTorch 1.13's torch.optim.SGD (`_single_tensor_sgd`), operation by operation.
//
//   parameter     default  meaning
//   lr            0.01     learning rate (PyTorch has no default); a schedule may change it per step
//   momentum      0        momentum factor mu, in [0, inf)
//   dampening     0        dampening tau of the momentum buffer, in [0, 1]
//   weight_decay  0        L2 penalty lambda added to the gradient, in [0, inf)
//   nesterov      false    Nesterov momentum; needs momentum > 0 and dampening = 0
//
// For every parameter theta with gradient g, at learning rate lr:
//   if lambda != 0:  g = g + lambda * theta
//   if mu != 0:      b = g on the first step, else b = mu * b + (1 - tau) * g
//                    g = nesterov ? g + mu * b : b
//   theta = theta - lr * g
// Each `x + a * y` is one fused multiply-add (std::fma): PyTorch's CPU kernel for add(alpha=) is
// compiled into an FMA, so this reproduces its float64 results bit for bit.
//
// State: "step" (steps taken; the first one initialises the buffer, as PyTorch's `buf is None`)
// and, when momentum != 0, "momentum_buffer" (one value per parameter).
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "gradplug/plugin.hpp"

namespace {

std::string fmt(double x) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", x);
  return text;
}

class Sgd final : public gradplug::OptimizerBase {
 public:
  explicit Sgd(const gradplug::Params& p)
      : OptimizerBase("sgd", p.real("lr")),
        momentum_(p.real("momentum")),
        dampening_(p.real("dampening")),
        weight_decay_(p.real("weight_decay")),
        nesterov_(p.flag("nesterov")) {
    // The one check that spans parameters; each value alone is already inside its range.
    if (nesterov_ && (momentum_ <= 0.0 || dampening_ != 0.0))
      throw std::invalid_argument(
          "sgd: nesterov momentum requires momentum > 0 and dampening = 0 (got momentum " +
          fmt(momentum_) + ", dampening " + fmt(dampening_) +
          "); set a momentum such as 0.9 and dampening 0, or nesterov false");
    track("momentum_buffer", momentum_buffer_, momentum_ != 0.0);
  }

 private:
  void update(double* values, const double* grads, std::size_t n, double lr) override {
    const double neg_lr = -lr;
    const double one_minus_dampening = 1.0 - dampening_;
    const bool first = steps() == 1;
    for (std::size_t i = 0; i < n; ++i) {
      double d_p = grads[i];
      if (weight_decay_ != 0.0) d_p = std::fma(weight_decay_, values[i], d_p);
      if (momentum_ != 0.0) {
        double& buf = momentum_buffer_[i];
        buf = first ? d_p : std::fma(one_minus_dampening, d_p, buf * momentum_);
        d_p = nesterov_ ? std::fma(momentum_, buf, d_p) : buf;
      }
      values[i] = std::fma(neg_lr, d_p, values[i]);
    }
  }

  // Hyperparameters, fixed at creation.
  const double momentum_, dampening_, weight_decay_;
  const bool nesterov_;

  std::vector<double> momentum_buffer_;  // when momentum != 0
};

using namespace gradplug::schema;
constexpr gp_param kSchema[] = {
    // clang-format off
    real("lr",           0.01,  at_least(0.0),       "learning rate"),
    real("momentum",     0.0,   at_least(0.0),       "momentum factor"),
    real("dampening",    0.0,   in_closed(0.0, 1.0), "dampening for momentum"),
    real("weight_decay", 0.0,   at_least(0.0),       "weight decay (L2 penalty added to the gradient)"),
    flag("nesterov",     false,                      "Nesterov momentum (needs momentum > 0 and dampening 0)"),
    // clang-format on
};

}  // namespace

GRADPLUG_PLUGIN(Sgd, "sgd", "1.0.0",
                "Stochastic gradient descent with optional (Nesterov) momentum, as PyTorch's SGD.",
                kSchema)
