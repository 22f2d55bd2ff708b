// Broken plugin: a correct tanh activation whose name duplicates the built-in "tanh". Scanning it
// together with the built-in plugins must be an Error that names both files.
#include <cmath>
#include <cstddef>

#include "gradplug/plugin.hpp"

namespace {

class DuplicateTanh final : public gradplug::Activation {
 public:
  explicit DuplicateTanh(const gradplug::Params& /*p*/) {}

  double f(double x) const override { return std::tanh(x); }
  double df(double /*x*/, double y) const override { return 1.0 - y * y; }
};

}  // namespace

GRADPLUG_PLUGIN_NO_PARAMS(DuplicateTanh, "tanh", "1.0.0",
                          "A second tanh (test plugin; duplicates the built-in).")
