// Broken plugin: a valid activation whose parameter name holds a newline and an escape
// (parameter names are printed and typed in configs). It must be skipped.
#include <cmath>

#include "gradplug/plugin.hpp"

namespace {

class Identity final : public gradplug::Activation {
 public:
  explicit Identity(const gradplug::Params& /*p*/) {}

  double f(double x) const override { return x; }
  double df(double /*x*/, double /*y*/) const override { return 1.0; }
};

constexpr gp_param kSchema[] = {
    {"scale\n\x1b[2J", GP_PARAM_REAL, {1.0, 0.0}, 0.0, HUGE_VAL, 0, 1, "unused", nullptr},
};

}  // namespace

GRADPLUG_PLUGIN(Identity, "control_param", "1.0.0",
                "A parameter name with control characters (test plugin).", kSchema)
