// Broken plugin: a valid activation whose constructor always throws. The registry loads it;
// creating it must raise gradplug::Error carrying this plugin's own message.
#include <stdexcept>

#include "gradplug/plugin.hpp"

namespace {

class ThrowsOnCreate final : public gradplug::Activation {
 public:
  explicit ThrowsOnCreate(const gradplug::Params& /*p*/) {
    throw std::runtime_error("deliberate failure in create");
  }

  double f(double x) const override { return x; }
  double df(double /*x*/, double /*y*/) const override { return 1.0; }
};

}  // namespace

GRADPLUG_PLUGIN_NO_PARAMS(ThrowsOnCreate, "throws_on_create", "1.0.0",
                          "Always throws from its constructor (test plugin).")
