// elu: the exponential linear unit (Clevert, Unterthiner and Hochreiter 2016), as torch's ELU.
//
//   f(x)  = x for x > 0,  alpha (exp(x) - 1) for x <= 0
//   f'(x) = 1 for x > 0,  alpha exp(x) for x <= 0      (so f'(0) = alpha, torch's side)
//
// exp(x) - 1 is std::expm1, exact to the last bit for tiny negative x, where torch 1.13 loses
// every digit (tests/reference/README.md).
//
// clang-format off
//   parameter  default  meaning
//   alpha      1        the negative saturation value -alpha, in [0, inf)
// clang-format on
#include <cmath>
#include <cstddef>

#include "gradplug/plugin.hpp"

namespace {

class Elu final : public gradplug::Activation {
 public:
  explicit Elu(const gradplug::Params& p) : alpha_(p.real("alpha")) {}

  double f(double x) const override { return value(x, alpha_); }
  double df(double x, double /*y*/) const override { return slope(x, alpha_); }

  void f_array(const double* x, double* y, std::size_t n) const override {
    const double alpha = alpha_;
    for (std::size_t i = 0; i < n; ++i) y[i] = value(x[i], alpha);
  }
  void df_array(const double* x, const double* /*y*/, double* d, std::size_t n) const override {
    const double alpha = alpha_;
    for (std::size_t i = 0; i < n; ++i) d[i] = slope(x[i], alpha);
  }

 private:
  static double value(double x, double alpha) { return x > 0.0 ? x : alpha * std::expm1(x); }
  static double slope(double x, double alpha) { return x > 0.0 ? 1.0 : alpha * std::exp(x); }

  double alpha_;
};

using namespace gradplug::schema;
constexpr gp_param kSchema[] = {
    real("alpha", 1.0, at_least(0.0), "the value -alpha that f approaches for very negative x"),
};

}  // namespace

GRADPLUG_PLUGIN(Elu, "elu", "1.0.0", "ELU: x for x > 0, alpha (exp(x) - 1) below.", kSchema)
