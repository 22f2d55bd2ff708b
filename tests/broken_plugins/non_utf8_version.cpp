// Broken plugin: a valid activation whose version string is Latin-1, not UTF-8: written into
// summary.json and model.json, it would end a training run with a JSON library's exception. It
// must be skipped.
#include "gradplug/plugin.hpp"

namespace {

class Identity final : public gradplug::Activation {
 public:
  explicit Identity(const gradplug::Params& /*p*/) {}

  double f(double x) const override { return x; }
  double df(double /*x*/, double /*y*/) const override { return 1.0; }
};

}  // namespace

GRADPLUG_PLUGIN_NO_PARAMS(Identity, "latin1_version", "1.0-\xe9t\xe9",
                          "A version that is not UTF-8 (test plugin).")
