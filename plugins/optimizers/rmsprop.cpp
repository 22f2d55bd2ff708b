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
#include <cmath>
#include <cstddef>
#include <vector>

#include "gradplug/plugin.hpp"

namespace {

class RmsProp final : public gradplug::OptimizerBase {
 public:
  explicit RmsProp(const gradplug::Params& p)
      : OptimizerBase("rmsprop", p.real("lr")),
        alpha_(p.real("alpha")),
        eps_(p.real("eps")),
        weight_decay_(p.real("weight_decay")),
        momentum_(p.real("momentum")),
        centered_(p.flag("centered")) {
    track("square_avg", square_avg_);
    track("grad_avg", grad_avg_, centered_);
    track("momentum_buffer", momentum_buffer_, momentum_ > 0.0);
  }

 private:
  void update(double* values, const double* grads, std::size_t n, double lr) override {
    const Coefficients c{-lr, alpha_, 1.0 - alpha_, eps_, weight_decay_, momentum_};
    // One loop per setting, so each is a straight line the compiler turns into vector code.
    using Update =
        void (*)(std::size_t, double*, const double*, double*, double*, double*, Coefficients);
    static constexpr Update kUpdates[2][2][2] = {
        {{&update_each<false, false, false>, &update_each<false, false, true>},
         {&update_each<false, true, false>, &update_each<false, true, true>}},
        {{&update_each<true, false, false>, &update_each<true, false, true>},
         {&update_each<true, true, false>, &update_each<true, true, true>}}};
    kUpdates[weight_decay_ != 0.0][centered_][momentum_ > 0.0](
        n, values, grads, square_avg_.data(), grad_avg_.data(), momentum_buffer_.data(), c);
  }

  struct Coefficients {
    double neg_lr, alpha, one_minus_alpha, eps, weight_decay, momentum;
  };

  // The update of the header, for every parameter; the buffers never overlap (restrict), which
  // with the settings fixed per loop lets it vectorize.
  template <bool kDecay, bool kCentered, bool kMomentum>
  static void update_each(std::size_t n, double* __restrict values, const double* __restrict grads,
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

  // Hyperparameters, fixed at creation.
  const double alpha_, eps_, weight_decay_, momentum_;
  const bool centered_;

  // Per-run state.
  std::vector<double> square_avg_;       // v
  std::vector<double> grad_avg_;         // m, when centered
  std::vector<double> momentum_buffer_;  // b, when momentum > 0
};

using namespace gradplug::schema;
constexpr gp_param kSchema[] = {
    // clang-format off
    real("lr",           0.01,  at_least(0.0),       "learning rate"),
    real("alpha",        0.99,  in_closed(0.0, 1.0), "smoothing constant"),
    real("eps",          1e-8,  at_least(0.0),       "term added to the denominator (after the square root) for numerical stability"),
    real("weight_decay", 0.0,   at_least(0.0),       "weight decay (L2 penalty added to the gradient)"),
    real("momentum",     0.0,   at_least(0.0),       "momentum factor"),
    flag("centered",     false,                      "normalise by the estimated variance of the gradient (centered RMSprop)"),
    // clang-format on
};

}  // namespace

GRADPLUG_PLUGIN(RmsProp, "rmsprop", "1.0.0",
                "RMSprop with optional momentum and centering, as PyTorch's RMSprop.", kSchema)
