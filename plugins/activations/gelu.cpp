// gelu: the Gaussian error linear unit (Hendrycks and Gimpel 2016), as torch's GELU, exact or
// with its tanh approximation.
//
//   approximate: none   f(x) = x Phi(x),  Phi(x) = erfc(-x / sqrt 2) / 2
//                       f'(x) = Phi(x) + x phi(x),  phi(x) = exp(-x^2 / 2) / sqrt(2 pi)
//   approximate: tanh   u = sqrt(2 / pi) (x + 0.044715 x^3)
//                       f(x) = x (1 + tanh u) / 2 = x s,  s = sigmoid(2u)
//                       f'(x) = s + 2 x s (1 - s) u',  u' = sqrt(2 / pi) (1 + 3 * 0.044715 x^2)
//
// Numerics: Phi uses erfc, not 1 + erf, so the left tail keeps its digits (x = -10 gives 7.6e-23,
// where 1 + erf is 0); 1 + tanh u is written 2 sigmoid(2u) for the same reason, with the sigmoid
// and its complement from e = exp(-|2u|) <= 1. For huge |x| the factors that vanish are exactly 0
// and are tested before they multiply an overflowed one, so f and f' are finite for |x| up to
// 1e300 (f' is 1 or 0 there), where torch's tanh form gives NaN.
//
// clang-format off
//   parameter    default  meaning
//   approximate  none     none: the exact x Phi(x); tanh: the tanh approximation
// clang-format on
#include <cmath>
#include <cstddef>

#include "gradplug/plugin.hpp"

namespace {

constexpr double kSqrt1_2 = 0.70710678118654752440084436210485;      // 1 / sqrt 2
constexpr double kInvSqrt2Pi = 0.39894228040143267793994605993438;   // 1 / sqrt(2 pi)
constexpr double kSqrt2OverPi = 0.79788456080286535587989211986876;  // sqrt(2 / pi)
constexpr double kCubic = 0.044715;

class Gelu final : public gradplug::Activation {
 public:
  explicit Gelu(const gradplug::Params& p) : tanh_(p.choice("approximate") == "tanh") {}

  double f(double x) const override { return tanh_ ? tanh_value(x) : exact_value(x); }
  double df(double x, double /*y*/) const override {
    return tanh_ ? tanh_slope(x) : exact_slope(x);
  }

  void f_array(const double* x, double* y, std::size_t n) const override {
    if (tanh_)
      for (std::size_t i = 0; i < n; ++i) y[i] = tanh_value(x[i]);
    else
      for (std::size_t i = 0; i < n; ++i) y[i] = exact_value(x[i]);
  }
  void df_array(const double* x, const double* /*y*/, double* d, std::size_t n) const override {
    if (tanh_)
      for (std::size_t i = 0; i < n; ++i) d[i] = tanh_slope(x[i]);
    else
      for (std::size_t i = 0; i < n; ++i) d[i] = exact_slope(x[i]);
  }

 private:
  static double cdf(double x) { return 0.5 * std::erfc(-x * kSqrt1_2); }
  static double exact_value(double x) { return x * cdf(x); }
  static double exact_slope(double x) {
    const double pdf = std::exp(-0.5 * x * x) * kInvSqrt2Pi;  // 0 once x * x overflows
    return pdf == 0.0 ? cdf(x) : cdf(x) + x * pdf;
  }

  struct Gate {
    double s, complement;  // sigmoid(2u) and 1 - sigmoid(2u)
  };
  static Gate gate(double x) {
    const double two_u = 2.0 * kSqrt2OverPi * (x + kCubic * x * x * x);
    const double e = std::exp(-std::fabs(two_u));
    const double inv = 1.0 / (1.0 + e);
    return two_u >= 0.0 ? Gate{inv, e * inv} : Gate{e * inv, inv};
  }
  static double tanh_value(double x) { return x * gate(x).s; }
  static double tanh_slope(double x) {
    const Gate g = gate(x);
    const double spread = g.s * g.complement;  // 0 for |x| past ~20, before x^2 can overflow
    if (spread == 0.0) return g.s;
    const double du = kSqrt2OverPi * (1.0 + 3.0 * kCubic * x * x);
    return g.s + 2.0 * x * spread * du;
  }

  bool tanh_;
};

using namespace gradplug::schema;
constexpr gp_param kSchema[] = {
    choice("approximate", "none|tanh", "none",
           "none: the exact x Phi(x); tanh: the tanh approximation, as torch.nn.GELU"),
};

}  // namespace

GRADPLUG_PLUGIN(Gelu, "gelu", "1.0.0", "GELU: x Phi(x), exact or with the tanh approximation.",
                kSchema)
