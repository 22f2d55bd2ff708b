// tanh: the hyperbolic tangent activation.
//
//   f(x)  = tanh(x)            in (-1, 1), saturates to +-1 (exactly) for |x| > ~19
//   f'(x) = 1 - tanh(x)^2 = 1 - y*y   (computed from y, so it costs one multiply)
//
// std::tanh is finite for every finite x (and for +-inf), so no special care is needed: for
// |x| up to 1e300 it returns +-1 and the derivative is exactly 0.
//
// Parameters: none.
#include <cmath>
#include <cstddef>

#include "gradplug/plugin.hpp"

namespace {

class Tanh final : public gradplug::Activation {
 public:
  double f(double x) const override { return value(x); }
  double df(double /*x*/, double y) const override { return slope(y); }

  void f_array(const double* x, double* y, std::size_t n) const override {
    for (std::size_t i = 0; i < n; ++i) y[i] = value(x[i]);
  }
  void df_array(const double* /*x*/, const double* y, double* d, std::size_t n) const override {
    for (std::size_t i = 0; i < n; ++i) d[i] = slope(y[i]);
  }

 private:
  static double value(double x) { return std::tanh(x); }
  static double slope(double y) { return 1.0 - y * y; }
};

}  // namespace

GRADPLUG_PLUGIN_NO_PARAMS(Tanh, "tanh", "1.0.0", "Hyperbolic tangent: f(x) = tanh(x).")
