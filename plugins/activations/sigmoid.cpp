// sigmoid: the logistic function.
//
//   f(x)  = 1 / (1 + exp(-x))
//   f'(x) = f(x) (1 - f(x)) = e / (1 + e)^2  with e = exp(-|x|)
//
// Numerics: e = exp(-|x|) <= 1 never overflows, so both tails are accurate (f(x) = e / (1 + e)
// for x < 0 rather than 1 - something), and f' is computed from x as e / (1 + e)^2, which keeps
// it accurate where 1 - f(x) would cancel; for |x| past ~745, e is 0 and f' is exactly 0.
//
// Parameters: none.
#include <cmath>
#include <cstddef>

#include "gradplug/plugin.hpp"

namespace {

class Sigmoid final : public gradplug::Activation {
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
  static double value(double x) {
    const double e = std::exp(-std::fabs(x));
    return x >= 0.0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
  }
  static double slope(double x) {
    const double e = std::exp(-std::fabs(x));
    const double inv = 1.0 / (1.0 + e);
    return e * inv * inv;
  }
};

}  // namespace

GRADPLUG_PLUGIN_NO_PARAMS(Sigmoid, "sigmoid", "1.0.0",
                          "Logistic sigmoid: f(x) = 1 / (1 + exp(-x)).")
