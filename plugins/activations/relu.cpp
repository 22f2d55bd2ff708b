// relu: the rectified linear unit.
//
//   f(x)  = max(0, x)
//   f'(x) = 1 if x > 0, else 0       (0 at the kink x = 0, as PyTorch does)
//
// Both are exact for every finite x. (A NaN input gives 0 and slope 0: x > 0 is false.)
//
// Parameters: none.
#include <cstddef>

#include "gradplug/plugin.hpp"

namespace {

class Relu final : public gradplug::Activation {
 public:
  double f(double x) const override { return value(x); }
  double df(double x, double /*y*/) const override { return slope(x); }

  // Branch-free selects: the compiler turns these loops into vector compare-and-blend.
  void f_array(const double* x, double* y, std::size_t n) const override {
    for (std::size_t i = 0; i < n; ++i) y[i] = value(x[i]);
  }
  void df_array(const double* x, const double* /*y*/, double* d, std::size_t n) const override {
    for (std::size_t i = 0; i < n; ++i) d[i] = slope(x[i]);
  }

 private:
  static double value(double x) { return x > 0.0 ? x : 0.0; }
  static double slope(double x) { return x > 0.0 ? 1.0 : 0.0; }
};

}  // namespace

GRADPLUG_PLUGIN_NO_PARAMS(Relu, "relu", "1.0.0", "Rectified linear unit: f(x) = max(0, x).")
