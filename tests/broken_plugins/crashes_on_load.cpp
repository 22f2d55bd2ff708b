// Broken plugin: a valid activation whose load-time code raises SIGSEGV. The scanner must
// report the signal by name, and the host must never load it.
#include <signal.h>

#include "gradplug/plugin.hpp"

namespace {

class Identity final : public gradplug::Activation {
 public:
  explicit Identity(const gradplug::Params& /*p*/) {}

  double f(double x) const override { return x; }
  double df(double /*x*/, double /*y*/) const override { return 1.0; }
};

__attribute__((constructor)) void crash_on_load() { ::raise(SIGSEGV); }

}  // namespace

GRADPLUG_PLUGIN_NO_PARAMS(Identity, "crashes_on_load", "1.0.0",
                          "Crashes while loading (test plugin).")
