// Broken plugin: an activation whose every output is NaN. `gradplug train` must stop at the first
// step, name the layer and this activation, keep the last finite weights and exit 1.
#include <limits>

#include "gradplug/plugin.hpp"

namespace {

class AlwaysNan final : public gradplug::Activation {
 public:
  explicit AlwaysNan(const gradplug::Params&) {}
  double f(double) const override { return std::numeric_limits<double>::quiet_NaN(); }
  double df(double, double) const override { return std::numeric_limits<double>::quiet_NaN(); }
};

}  // namespace

GRADPLUG_PLUGIN_NO_PARAMS(AlwaysNan, "always_nan", "1.0.0",
                          "Returns NaN for every input (test plugin).")
