// rprop: resilient backpropagation (Riedmiller and Braun 1993), the update rule of PyTorch 1.13's
// torch.optim.Rprop (`_single_tensor_rprop`), operation by operation. Rprop uses only the sign of
// the gradient, so it suits full-batch training (batch_size: 0), where it shines on small MLPs.
//
// clang-format off
//   parameter   default      meaning
//   lr          0.01         the first step size of every parameter (see below)
//   etas        [0.5, 1.2]   (eta-, eta+): the step shrinks by eta- on a sign change, grows by eta+
//   step_sizes  [1e-6, 50]   the smallest and largest step size
// clang-format on
//
// For every parameter theta with gradient g and previous gradient g' (0 at first):
//   s = s * (eta+ if g g' > 0, eta- if g g' < 0, else 1), clamped to step_sizes
//   if g g' < 0:  g = 0            (no move after a sign change, and g' forgets it)
//   theta = theta - sign(g) s;  g' = g
// Step sizes start at lr on the first step and then adapt on their own, as in PyTorch: a schedule
// changes only the first step size.
//
// State: "step" (steps taken), "prev" (g'), "step_size" (s).
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "gradplug/plugin.hpp"

namespace {

double sign_of(double x) { return x > 0.0 ? 1.0 : x < 0.0 ? -1.0 : x; }  // torch.sign; NaN stays

class Rprop final : public gradplug::OptimizerBase {
 public:
  explicit Rprop(const gradplug::Params& p)
      : OptimizerBase("rprop", p.real("lr")),
        eta_minus_(p.pair("etas")[0]),
        eta_plus_(p.pair("etas")[1]),
        step_min_(p.pair("step_sizes")[0]),
        step_max_(p.pair("step_sizes")[1]) {
    // The checks that span parameters; each value alone is already inside its range.
    if (!(eta_minus_ < 1.0 && 1.0 < eta_plus_))
      throw std::invalid_argument("rprop: etas must satisfy 0 < eta- < 1 < eta+ (got [" +
                                  text(eta_minus_) + ", " + text(eta_plus_) +
                                  "]); the default is [0.5, 1.2]");
    if (step_min_ > step_max_)
      throw std::invalid_argument("rprop: step_sizes must be [smallest, largest] (got [" +
                                  text(step_min_) + ", " + text(step_max_) +
                                  "]); the default is [1e-6, 50]");
    track("prev", prev_);
    track("step_size", step_size_);
  }

 private:
  static std::string text(double x) {
    char s[32];
    std::snprintf(s, sizeof s, "%g", x);
    return s;
  }

  void update(double* values, const double* grads, std::size_t n, double lr) override {
    if (steps() == 1) std::fill(step_size_.begin(), step_size_.end(), lr);
    for (std::size_t i = 0; i < n; ++i) {
      double grad = grads[i];
      const double direction = sign_of(grad * prev_[i]);
      const double factor = direction > 0.0 ? eta_plus_ : direction < 0.0 ? eta_minus_ : 1.0;
      step_size_[i] = std::clamp(step_size_[i] * factor, step_min_, step_max_);
      if (factor == eta_minus_) grad = 0.0;
      values[i] = std::fma(-1.0 * sign_of(grad), step_size_[i], values[i]);
      prev_[i] = grad;
    }
  }

  const double eta_minus_, eta_plus_, step_min_, step_max_;  // hyperparameters
  std::vector<double> prev_, step_size_;                     // per-run state
};

using namespace gradplug::schema;
constexpr gp_param kSchema[] = {
    // clang-format off
    real("lr",         1e-2,        positive(), "the first step size of every parameter"),
    pair("etas",       {0.5, 1.2},  positive(), "(eta-, eta+): factors that shrink and grow a step size, 0 < eta- < 1 < eta+"),
    pair("step_sizes", {1e-6, 50.0}, positive(), "smallest and largest step size"),
    // clang-format on
};

}  // namespace

GRADPLUG_PLUGIN(Rprop, "rprop", "1.0.0",
                "Rprop: sign-based steps that adapt per parameter, for full-batch training.",
                kSchema)
