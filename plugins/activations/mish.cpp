// mish: a self-regularized non-monotonic activation (Misra 2019), as torch's Mish.
//
//   sp(x) = log(1 + exp(x))   (torch's softplus: x itself where x > 20)
//   f(x)  = x tanh(sp(x))
//   f'(x) = tanh(sp(x)) + x sech^2(sp(x)) sigmoid(x)
//
// sech^2 is 1 / cosh^2 rather than 1 - tanh^2, which would cancel to 0 for large x; cosh
// overflows to inf for huge sp, giving sech^2 = 0 (its limit), and the sigmoid comes from
// e = exp(-|x|) <= 1. For x = -1e300, sp and the sigmoid are 0 and f, f' are (-)0; for x = 1e300,
// f = x and f' = 1.
//
// Parameters: none.
#include <cmath>
#include <cstddef>

#include "gradplug/plugin.hpp"

namespace {

class Mish final : public gradplug::Activation {
 public:
  double f(double x) const override { return value(x); }
  double df(double x, double /*y*/) const override { return slope(x); }

  void f_array(const double* x, double* y, std::size_t n) const override {
    for (std::size_t i = 0; i < n; ++i) y[i] = value(x[i]);
  }
  void df_array(const double* x, const double* /*y*/, double* d, std::size_t n) const override {
    for (std::size_t i = 0; i < n; ++i) d[i] = slope(x[i]);
  }

 private:
  static double softplus(double x) { return x > 20.0 ? x : std::log1p(std::exp(x)); }
  static double value(double x) { return x * std::tanh(softplus(x)); }
  static double slope(double x) {
    const double sp = softplus(x);
    const double c = std::cosh(sp);
    const double sech2 = 1.0 / (c * c);
    const double e = std::exp(-std::fabs(x));
    const double sigmoid = x >= 0.0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
    // x sech^2 sigmoid: sigmoid or sech^2 is 0 exactly when |x| is huge, so no inf * 0 arises.
    return std::tanh(sp) + x * sigmoid * sech2;
  }
};

}  // namespace

GRADPLUG_PLUGIN_NO_PARAMS(Mish, "mish", "1.0.0", "Mish: f(x) = x tanh(softplus(x)).")
