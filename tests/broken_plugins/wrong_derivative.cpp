// Broken plugin: a tanh activation whose derivative forgets the square (1 - y instead of
// 1 - y^2). It loads and creates fine; the conformance kit must fail it on "derivative vs finite
// differences" and on nothing else.
#include <cmath>

#include "gradplug/plugin.hpp"

namespace {

class WrongDerivative final : public gradplug::Activation {
 public:
  explicit WrongDerivative(const gradplug::Params& /*p*/) {}

  double f(double x) const override { return std::tanh(x); }
  double df(double /*x*/, double y) const override { return 1.0 - y; }  // should be 1 - y * y
};

}  // namespace

GRADPLUG_PLUGIN_NO_PARAMS(WrongDerivative, "wrong_derivative", "1.0.0",
                          "tanh with a wrong derivative (test plugin).")
