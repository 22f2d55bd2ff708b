// sgd: stochastic gradient descent with optional (Nesterov) momentum and weight decay, the update
// rule of PyTorch 1.13's torch.optim.SGD (`_single_tensor_sgd`), operation by operation.
//
//   parameter     default  meaning
//   lr            0.01     learning rate (PyTorch has no default); a schedule may change it per
//   step momentum      0        momentum factor mu, in [0, inf) dampening     0        dampening
//   tau of the momentum buffer, in [0, 1] weight_decay  0        L2 penalty lambda added to the
//   gradient, in [0, inf) nesterov      false    Nesterov momentum; needs momentum > 0 and
//   dampening = 0
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

constexpr const char* kName = "sgd";

std::string fmt(double x) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", x);
  return text;
}

class Sgd final : public gradplug::Optimizer {
 public:
  explicit Sgd(const gradplug::Params& p) : hp_(read(p)) {}

  double base_lr() const override { return hp_.lr; }

  void reset(std::size_t n) override {
    n_ = n;
    step_ = 0;
    momentum_buffer_.assign(hp_.momentum != 0.0 ? n : 0, 0.0);
  }

  void step(double* values, const double* grads, std::size_t n, double lr) override {
    if (n != n_)
      throw std::logic_error(std::string(kName) + ": step() got " + std::to_string(n) +
                             " parameters, reset() prepared " + std::to_string(n_));
    const double neg_lr = -lr;
    const double one_minus_dampening = 1.0 - hp_.dampening;
    const bool first = step_ == 0;
    for (std::size_t i = 0; i < n; ++i) {
      double d_p = grads[i];
      if (hp_.weight_decay != 0.0) d_p = std::fma(hp_.weight_decay, values[i], d_p);
      if (hp_.momentum != 0.0) {
        double& buf = momentum_buffer_[i];
        buf = first ? d_p : std::fma(one_minus_dampening, d_p, buf * hp_.momentum);
        d_p = hp_.nesterov ? std::fma(hp_.momentum, buf, d_p) : buf;
      }
      values[i] = std::fma(neg_lr, d_p, values[i]);
    }
    ++step_;
  }

  gradplug::OptimizerState save() const override {
    gradplug::OptimizerState state;
    state.emplace_back("step", std::vector<double>{static_cast<double>(step_)});
    if (hp_.momentum != 0.0) state.emplace_back("momentum_buffer", momentum_buffer_);
    return state;
  }

  // Restores a state saved by an sgd with the same momentum setting, for the n given to reset().
  // Checks everything before changing anything.
  void load(const gradplug::OptimizerState& state) override {
    const std::uint64_t step = gradplug::state_step(state, kName);
    if (hp_.momentum != 0.0) {
      const std::vector<double>& buf = gradplug::state_buffer(state, kName, "momentum_buffer", n_);
      std::copy(buf.begin(), buf.end(), momentum_buffer_.begin());
    }
    step_ = step;
  }

 private:
  struct Hyper {
    double lr;
    double momentum;
    double dampening;
    double weight_decay;
    bool nesterov;
  };

  static Hyper read(const gradplug::Params& p) {
    const Hyper hp{p.real("lr"), p.real("momentum"), p.real("dampening"), p.real("weight_decay"),
                   p.flag("nesterov")};
    if (hp.nesterov && (hp.momentum <= 0.0 || hp.dampening != 0.0))
      throw std::invalid_argument(
          std::string(kName) +
          ": nesterov momentum requires momentum > 0 and dampening = 0 (got momentum " +
          fmt(hp.momentum) + ", dampening " + fmt(hp.dampening) +
          "); set a momentum such as 0.9 and dampening 0, or nesterov false");
    return hp;
  }

  const Hyper hp_;  // fixed at creation

  // Per-run state.
  std::size_t n_ = 0;
  std::uint64_t step_ = 0;
  std::vector<double> momentum_buffer_;  // n values when momentum != 0, else empty
};

constexpr gp_param kSchema[] = {
    {"lr", GP_PARAM_REAL, {0.01, 0.0}, 0.0, HUGE_VAL, 0, 1, "learning rate"},
    {"momentum", GP_PARAM_REAL, {0.0, 0.0}, 0.0, HUGE_VAL, 0, 1, "momentum factor"},
    {"dampening", GP_PARAM_REAL, {0.0, 0.0}, 0.0, 1.0, 0, 0, "dampening for momentum"},
    {"weight_decay",
     GP_PARAM_REAL,
     {0.0, 0.0},
     0.0,
     HUGE_VAL,
     0,
     1,
     "weight decay (L2 penalty added to the gradient)"},
    {"nesterov",
     GP_PARAM_BOOL,
     {0.0, 0.0},
     0.0,
     1.0,
     0,
     0,
     "Nesterov momentum (needs momentum > 0 and dampening 0)"},
};

}  // namespace

GRADPLUG_PLUGIN(Sgd, "sgd", "1.0.0",
                "Stochastic gradient descent with optional (Nesterov) momentum, as PyTorch's SGD.",
                kSchema)
