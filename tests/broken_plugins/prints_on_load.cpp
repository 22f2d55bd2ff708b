// Broken plugin: a valid activation whose load-time code prints a line to standard output
// (buffered, as printf does). In the host it would corrupt predict's CSV on stdout; it must be
// refused.
#include <cstdio>

#include "gradplug/plugin.hpp"

namespace {

class Identity final : public gradplug::Activation {
 public:
  explicit Identity(const gradplug::Params& /*p*/) {}

  double f(double x) const override { return x; }
  double df(double /*x*/, double /*y*/) const override { return 1.0; }
};

__attribute__((constructor)) void print_on_load() { std::printf("row,surprise\n"); }

}  // namespace

GRADPLUG_PLUGIN_NO_PARAMS(Identity, "prints_on_load", "1.0.0",
                          "Prints while loading (test plugin).")
