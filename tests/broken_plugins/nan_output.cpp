// Broken plugin: swish written the naive way, x * e^x / (1 + e^x), which is inf / inf = NaN once
// e^x overflows (x > ~709). Correct elsewhere; the conformance kit must fail it on "finite outputs"
// and on nothing else.
#include <cmath>

#include "gradplug/plugin.hpp"

namespace {

class NanOutput final : public gradplug::Activation {
 public:
  explicit NanOutput(const gradplug::Params& /*p*/) {}

  double f(double x) const override { return x * sigmoid(x); }
  double df(double x, double /*y*/) const override {
    const double s = sigmoid(x);
    return s + x * s * (1.0 - s);
  }

 private:
  static double sigmoid(double x) { return std::exp(x) / (1.0 + std::exp(x)); }  // NaN for x > 709
};

}  // namespace

GRADPLUG_PLUGIN_NO_PARAMS(NanOutput, "nan_output", "1.0.0",
                          "Swish that returns NaN for large inputs (test plugin).")
