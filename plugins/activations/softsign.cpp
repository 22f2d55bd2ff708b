// softsign: a rational squashing function (Bergstra et al. 2009), slower to saturate than tanh.
//
//   f(x)  = x / (1 + |x|)
//   f'(x) = 1 / (1 + |x|)^2
//
// Both are finite for every x: for |x| = 1e300, f is +-1 and f' underflows to 0.
//
// Parameters: none.
#include <cmath>
#include <cstddef>

#include "gradplug/plugin.hpp"

namespace {

class Softsign final : public gradplug::Activation {
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
  static double value(double x) { return x / (1.0 + std::fabs(x)); }
  static double slope(double x) {
    const double inv = 1.0 / (1.0 + std::fabs(x));
    return inv * inv;
  }
};

}  // namespace

GRADPLUG_PLUGIN_NO_PARAMS(Softsign, "softsign", "1.0.0", "Softsign: f(x) = x / (1 + |x|).")
