// leaky_relu: the rectified linear unit with a small slope for negative inputs.
//
//   f(x)  = x                    if x > 0
//           negative_slope * x   otherwise
//   f'(x) = 1 if x > 0, else negative_slope   (negative_slope at the kink x = 0, as PyTorch does)
//
// f is finite for every finite x whenever negative_slope * x is representable, which is always
// the case for negative_slope <= 1 (the usual choice).
//
// | name           | default | meaning                                         |
// | -------------- | ------- | ----------------------------------------------- |
// | negative_slope | 0.01    | slope for x <= 0, in [0, inf); 0 gives the ReLU |
#include <cstddef>

#include "gradplug/plugin.hpp"

namespace {

constexpr gp_param kSchema[] = {
    gradplug::real("negative_slope", 0.01, gradplug::at_least(0.0),
                   "slope of f for x <= 0 (0 gives the plain ReLU)"),
};

class LeakyRelu final : public gradplug::Activation {
 public:
  explicit LeakyRelu(const gradplug::Params& p) : slope_(p.real("negative_slope")) {}

  double f(double x) const override { return value(x, slope_); }
  double df(double x, double /*y*/) const override { return derivative(x, slope_); }

  // Branch-free selects: the compiler turns these loops into vector compare-and-blend (the slope
  // is copied to a local so a store into y cannot be taken to alias it).
  void f_array(const double* x, double* y, std::size_t n) const override {
    const double slope = slope_;
    for (std::size_t i = 0; i < n; ++i) y[i] = value(x[i], slope);
  }
  void df_array(const double* x, const double* /*y*/, double* d, std::size_t n) const override {
    const double slope = slope_;
    for (std::size_t i = 0; i < n; ++i) d[i] = derivative(x[i], slope);
  }

 private:
  // Exactly x > 0 ? x : slope * x (adding a zero is exact), apart from the sign of a zero result,
  // but written as two selects of ready values and an unconditional multiply-add: GCC will not
  // if-convert a multiply that sits inside a branch (it might trap), so the plain form stays a
  // scalar branch per element while this one vectorises.
  static double value(double x, double slope) {
    const double positive = x > 0.0 ? x : 0.0;
    const double negative = x > 0.0 ? 0.0 : x;
    return positive + slope * negative;
  }
  static double derivative(double x, double slope) { return x > 0.0 ? 1.0 : slope; }

  double slope_;
};

}  // namespace

GRADPLUG_PLUGIN(LeakyRelu, "leaky_relu", "1.0.0",
                "Leaky ReLU: f(x) = x for x > 0, negative_slope * x otherwise.", kSchema)
