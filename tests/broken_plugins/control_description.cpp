// Broken plugin: a valid activation whose description holds a newline, a tab and ANSI
// escapes. It loads (nothing is wrong with its code); `gradplug plugins` must print the
// description escaped, never raw.
#include "gradplug/plugin.hpp"

namespace {

class Identity final : public gradplug::Activation {
 public:
  explicit Identity(const gradplug::Params& /*p*/) {}

  double f(double x) const override { return x; }
  double df(double /*x*/, double /*y*/) const override { return 1.0; }
};

}  // namespace

GRADPLUG_PLUGIN_NO_PARAMS(
    Identity, "control_description", "1.0.0",
    "Line one\nactivation forged 1.0.0  /fake.so\t\x1b[31mred\x1b[0m\x7f (test plugin).")
