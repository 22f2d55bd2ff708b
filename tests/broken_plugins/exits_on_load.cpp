// Broken plugin: a valid activation whose load-time code (a constructor function) ends the
// process with _exit(0). Loaded in the host it would stop gradplug with exit code 0 and no output;
// the scanner must catch it and the host must never load it.
#include <unistd.h>

#include "gradplug/plugin.hpp"

namespace {

class Identity final : public gradplug::Activation {
 public:
  explicit Identity(const gradplug::Params& /*p*/) {}

  double f(double x) const override { return x; }
  double df(double /*x*/, double /*y*/) const override { return 1.0; }
};

__attribute__((constructor)) void exit_on_load() { ::_exit(0); }

}  // namespace

GRADPLUG_PLUGIN_NO_PARAMS(Identity, "exits_on_load", "1.0.0", "Exits while loading (test plugin).")
