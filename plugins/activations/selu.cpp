// selu: the scaled exponential linear unit of self-normalizing networks (Klambauer et al. 2017),
// as torch's SELU, with the paper's fixed constants.
//
//   f(x)  = scale x for x > 0,  scale alpha (exp(x) - 1) for x <= 0
//   f'(x) = scale for x > 0,    scale alpha exp(x) for x <= 0     (so f'(0) = scale alpha)
//   alpha = 1.6732632423543772848, scale = 1.0507009873554804934
//
// exp(x) - 1 is std::expm1, exact for tiny negative x, where torch 1.13 loses every digit.
//
// Parameters: none (the constants are what makes it self-normalizing).
#include <cmath>
#include <cstddef>

#include "gradplug/plugin.hpp"

namespace {

constexpr double kAlpha = 1.6732632423543772848170429916717;
constexpr double kScale = 1.0507009873554804934193349852946;

class Selu final : public gradplug::Activation {
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
  static double value(double x) { return x > 0.0 ? kScale * x : kScale * (kAlpha * std::expm1(x)); }
  static double slope(double x) { return x > 0.0 ? kScale : kScale * (kAlpha * std::exp(x)); }
};

}  // namespace

GRADPLUG_PLUGIN_NO_PARAMS(Selu, "selu", "1.0.0",
                          "SELU: scale * ELU(alpha) with the self-normalizing constants.")
