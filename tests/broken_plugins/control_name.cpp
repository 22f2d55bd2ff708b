// Broken plugin: a valid activation whose name holds a newline and an ANSI escape, which
// would forge lines of gradplug's output or drive the terminal. It must be skipped.
#include "gradplug/plugin.hpp"

namespace {

class Identity final : public gradplug::Activation {
 public:
  explicit Identity(const gradplug::Params& /*p*/) {}

  double f(double x) const override { return x; }
  double df(double /*x*/, double /*y*/) const override { return 1.0; }
};

}  // namespace

GRADPLUG_PLUGIN_NO_PARAMS(Identity, "evil\nactivation fake_line \x1b[31m", "1.0.0",
                          "A name with control characters (test plugin).")
