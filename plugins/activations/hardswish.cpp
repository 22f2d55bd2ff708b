// hardswish: the piecewise-linear swish of MobileNetV3 (Howard et al. 2019), as torch's Hardswish.
//
//   f(x)  = x * min(max(x + 3, 0), 6) / 6       (0 below -3, x above 3)
//   f'(x) = 0 for x < -3,  x / 3 + 1/2 on [-3, 3],  1 for x > 3
//
// At the kinks f' takes torch's one-sided values: -0.5 at x = -3 and 1.5 at x = 3 (torch 1.13's
// scalar kernel; its AVX2 kernel gives 1.0 at 3, tests/reference/README.md).
//
// Parameters: none.
#include <algorithm>
#include <cstddef>

#include "gradplug/plugin.hpp"

namespace {

class Hardswish final : public gradplug::Activation {
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
  static double value(double x) { return x * std::min(std::max(x + 3.0, 0.0), 6.0) / 6.0; }
  static double slope(double x) { return x < -3.0 ? 0.0 : x <= 3.0 ? x / 3.0 + 0.5 : 1.0; }
};

}  // namespace

GRADPLUG_PLUGIN_NO_PARAMS(Hardswish, "hardswish", "1.0.0",
                          "Hardswish: x * relu6(x + 3) / 6, the piecewise-linear swish.")
