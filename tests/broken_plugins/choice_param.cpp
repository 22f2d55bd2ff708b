// Not broken: a well-formed activation with a choice parameter (GP_PARAM_CHOICE), for the tests of
// the choice type in the registry, the host's configs and the conformance kit. `shape` picks
//   identity: f(x) = x        twice: f(x) = 2x        half: f(x) = x / 2
#include <string_view>

#include "gradplug/plugin.hpp"

namespace {

class ChoiceParam final : public gradplug::Activation {
 public:
  explicit ChoiceParam(const gradplug::Params& p)
      : slope_(p.choice("shape") == "twice"  ? 2.0
               : p.choice("shape") == "half" ? 0.5
                                             : 1.0) {}

  double f(double x) const override { return slope_ * x; }
  double df(double /*x*/, double /*y*/) const override { return slope_; }

 private:
  double slope_;
};

constexpr gp_param kSchema[] = {
    gradplug::choice("shape", "identity|twice|half", "twice", "the slope: 1, 2 or 1/2"),
};

}  // namespace

GRADPLUG_PLUGIN(ChoiceParam, "choice_param", "1.0.0", "f(x) = slope * x, the slope by name.",
                kSchema)
