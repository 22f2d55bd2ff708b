// Broken plugin: a valid activation whose load-time code never returns. The scanner must give
// up after its timeout (GRADPLUG_PLUGIN_SCAN_TIMEOUT), kill the child and skip the file.
#include <unistd.h>

#include "gradplug/plugin.hpp"

namespace {

class Identity final : public gradplug::Activation {
 public:
  explicit Identity(const gradplug::Params& /*p*/) {}

  double f(double x) const override { return x; }
  double df(double /*x*/, double /*y*/) const override { return 1.0; }
};

__attribute__((constructor)) void hang_on_load() {
  for (;;) ::pause();
}

}  // namespace

GRADPLUG_PLUGIN_NO_PARAMS(Identity, "hangs_on_load", "1.0.0", "Hangs while loading (test plugin).")
