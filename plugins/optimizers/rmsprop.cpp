// rmsprop: RMSprop with optional momentum, centering and weight decay, the update rule of PyTorch
// 1.13's torch.optim.RMSprop (`_single_tensor_rmsprop`), operation by operation.
//
//   parameter     default  meaning
//   lr            0.01     learning rate; a schedule may change it per step
//   alpha         0.99     smoothing constant of the running averages, in [0, 1]
//   eps           1e-8     added to the root of the average (after the root), in [0, inf)
//   weight_decay  0        L2 penalty lambda added to the gradient, in [0, inf)
//   momentum      0        momentum factor mu, in [0, inf)
//   centered      false    normalise by an estimate of the gradient's variance, not its 2nd moment
//
// For every parameter theta with gradient g, at learning rate lr:
//   if lambda != 0:  g = g + lambda * theta
//   v = alpha * v + (1 - alpha) * g * g
//   if centered:     m = alpha * m + (1 - alpha) * g;  avg = sqrt(v - m * m) + eps
//   else:            avg = sqrt(v) + eps
//   if mu > 0:       b = mu * b + g / avg;  theta = theta - lr * b
//   else:            theta = theta + (-lr * g) / avg
// Each `x + a * y` (`x + a * y * z`: x + (a * y) * z) is one fused multiply-add (std::fma), as
// PyTorch's CPU kernels for add(alpha=) and addcmul are compiled; addcdiv (`x + a * y / z`) is not
// fused. So this reproduces PyTorch's float64 results bit for bit.
//
// State: "step" (steps taken), "square_avg" (v), and "grad_avg" (m) when centered and
// "momentum_buffer" (b) when momentum > 0, each with one value per parameter.
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

constexpr const char* kName = "rmsprop";

class RmsProp final : public gradplug::Optimizer {
 public:
  explicit RmsProp(const gradplug::Params& p)
      : hp_{p.real("lr"),           p.real("alpha"),    p.real("eps"),
            p.real("weight_decay"), p.real("momentum"), p.flag("centered")} {}

  double base_lr() const override { return hp_.lr; }

  void reset(std::size_t n) override {
    n_ = n;
    step_ = 0;
    square_avg_.assign(n, 0.0);
    grad_avg_.assign(hp_.centered ? n : 0, 0.0);
    momentum_buffer_.assign(hp_.momentum > 0.0 ? n : 0, 0.0);
  }

  void step(double* values, const double* grads, std::size_t n, double lr) override {
    if (n != n_)
      throw std::logic_error(std::string(kName) + ": step() got " + std::to_string(n) +
                             " parameters, reset() prepared " + std::to_string(n_));
    const Coefficients c{-lr, hp_.alpha, 1.0 - hp_.alpha, hp_.eps, hp_.weight_decay, hp_.momentum};
    // One loop per setting, so each is a straight line the compiler turns into vector code.
    using Update =
        void (*)(std::size_t, double*, const double*, double*, double*, double*, Coefficients);
    static constexpr Update kUpdates[2][2][2] = {
        {{&update<false, false, false>, &update<false, false, true>},
         {&update<false, true, false>, &update<false, true, true>}},
        {{&update<true, false, false>, &update<true, false, true>},
         {&update<true, true, false>, &update<true, true, true>}}};
    kUpdates[hp_.weight_decay != 0.0][hp_.centered][hp_.momentum > 0.0](
        n, values, grads, square_avg_.data(), grad_avg_.data(), momentum_buffer_.data(), c);
    ++step_;
  }

  gradplug::OptimizerState save() const override {
    gradplug::OptimizerState state;
    state.emplace_back("step", std::vector<double>{static_cast<double>(step_)});
    state.emplace_back("square_avg", square_avg_);
    if (hp_.centered) state.emplace_back("grad_avg", grad_avg_);
    if (hp_.momentum > 0.0) state.emplace_back("momentum_buffer", momentum_buffer_);
    return state;
  }

  // Restores a state saved by an rmsprop with the same centered and momentum settings, for the n
  // given to reset(). Checks everything before changing anything.
  void load(const gradplug::OptimizerState& state) override {
    const std::uint64_t step = gradplug::state_step(state, kName);
    const std::vector<double>& square_avg = gradplug::state_buffer(state, kName, "square_avg", n_);
    const std::vector<double>* grad_avg =
        hp_.centered ? &gradplug::state_buffer(state, kName, "grad_avg", n_) : nullptr;
    const std::vector<double>* buf =
        hp_.momentum > 0.0 ? &gradplug::state_buffer(state, kName, "momentum_buffer", n_) : nullptr;
    step_ = step;
    std::copy(square_avg.begin(), square_avg.end(), square_avg_.begin());
    if (grad_avg) std::copy(grad_avg->begin(), grad_avg->end(), grad_avg_.begin());
    if (buf) std::copy(buf->begin(), buf->end(), momentum_buffer_.begin());
  }

 private:
  struct Coefficients {
    double neg_lr, alpha, one_minus_alpha, eps, weight_decay, momentum;
  };

  // The update of the header, for every parameter; the buffers never overlap (restrict), which
  // with the settings fixed per loop lets it vectorize.
  template <bool kDecay, bool kCentered, bool kMomentum>
  static void update(std::size_t n, double* __restrict values, const double* __restrict grads,
                     double* __restrict square_avg, double* __restrict grad_avg,
                     double* __restrict momentum_buffer, const Coefficients c) {
    for (std::size_t i = 0; i < n; ++i) {
      double grad = grads[i];
      if constexpr (kDecay) grad = std::fma(c.weight_decay, values[i], grad);
      square_avg[i] = std::fma(c.one_minus_alpha * grad, grad, square_avg[i] * c.alpha);
      double avg;
      if constexpr (kCentered) {
        grad_avg[i] = std::fma(c.one_minus_alpha, grad, grad_avg[i] * c.alpha);
        avg = std::sqrt(std::fma(-grad_avg[i], grad_avg[i], square_avg[i]));
      } else {
        avg = std::sqrt(square_avg[i]);
      }
      avg += c.eps;
      if constexpr (kMomentum) {
        momentum_buffer[i] = momentum_buffer[i] * c.momentum + grad / avg;
        values[i] = std::fma(c.neg_lr, momentum_buffer[i], values[i]);
      } else {
        values[i] = values[i] + c.neg_lr * grad / avg;
      }
    }
  }

  struct Hyper {
    double lr;
    double alpha;
    double eps;
    double weight_decay;
    double momentum;
    bool centered;
  };

  const Hyper hp_;  // fixed at creation

  // Per-run state.
  std::size_t n_ = 0;
  std::uint64_t step_ = 0;
  std::vector<double> square_avg_;       // n values
  std::vector<double> grad_avg_;         // n values when centered, else empty
  std::vector<double> momentum_buffer_;  // n values when momentum > 0, else empty
};

constexpr gp_param kSchema[] = {
    {"lr", GP_PARAM_REAL, {0.01, 0.0}, 0.0, HUGE_VAL, 0, 1, "learning rate"},
    {"alpha", GP_PARAM_REAL, {0.99, 0.0}, 0.0, 1.0, 0, 0, "smoothing constant"},
    {"eps",
     GP_PARAM_REAL,
     {1e-8, 0.0},
     0.0,
     HUGE_VAL,
     0,
     1,
     "term added to the denominator (after the square root) for numerical stability"},
    {"weight_decay",
     GP_PARAM_REAL,
     {0.0, 0.0},
     0.0,
     HUGE_VAL,
     0,
     1,
     "weight decay (L2 penalty added to the gradient)"},
    {"momentum", GP_PARAM_REAL, {0.0, 0.0}, 0.0, HUGE_VAL, 0, 1, "momentum factor"},
    {"centered",
     GP_PARAM_BOOL,
     {0.0, 0.0},
     0.0,
     1.0,
     0,
     0,
     "normalise by the estimated variance of the gradient (centered RMSprop)"},
};

}  // namespace

GRADPLUG_PLUGIN(RmsProp, "rmsprop", "1.0.0",
                "RMSprop with optional momentum and centering, as PyTorch's RMSprop.", kSchema)
