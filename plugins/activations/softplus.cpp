// softplus: a smooth ReLU, as torch's Softplus (beta, threshold).
//
//   f(x)  = log(1 + exp(beta x)) / beta,  or x where beta x > threshold (torch's switch to linear)
//   f'(x) = sigmoid(beta x),              or 1 where beta x > threshold
//
// log(1 + exp(z)) is std::log1p(std::exp(z)): exact for very negative z (no 1 + tiny rounding),
// and the threshold keeps exp from overflowing for large z, as in torch. The sigmoid is computed
// from e = exp(-|z|) <= 1, accurate in both tails.
//
// clang-format off
//   parameter  default  meaning
//   beta       1        sharpness, in (0, inf): larger values approach ReLU
//   threshold  20       beta x above this returns x (and f' = 1), in [0, inf)
// clang-format on
#include <cmath>
#include <cstddef>

#include "gradplug/plugin.hpp"

namespace {

class Softplus final : public gradplug::Activation {
 public:
  explicit Softplus(const gradplug::Params& p)
      : beta_(p.real("beta")), threshold_(p.real("threshold")) {}

  double f(double x) const override { return value(x); }
  double df(double x, double /*y*/) const override { return slope(x); }

  void f_array(const double* x, double* y, std::size_t n) const override {
    for (std::size_t i = 0; i < n; ++i) y[i] = value(x[i]);
  }
  void df_array(const double* x, const double* /*y*/, double* d, std::size_t n) const override {
    for (std::size_t i = 0; i < n; ++i) d[i] = slope(x[i]);
  }

 private:
  double value(double x) const {
    const double z = x * beta_;
    return z > threshold_ ? x : std::log1p(std::exp(z)) / beta_;
  }
  double slope(double x) const {
    const double z = x * beta_;
    if (z > threshold_) return 1.0;
    const double e = std::exp(-std::fabs(z));
    return z >= 0.0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
  }

  double beta_, threshold_;
};

using namespace gradplug::schema;
constexpr gp_param kSchema[] = {
    // clang-format off
    real("beta",      1.0,  positive(),    "sharpness: larger values approach ReLU"),
    real("threshold", 20.0, at_least(0.0), "beta * x above this gives x (linear), as torch"),
    // clang-format on
};

}  // namespace

GRADPLUG_PLUGIN(Softplus, "softplus", "1.0.0", "Softplus: log(1 + exp(beta x)) / beta.", kSchema)
