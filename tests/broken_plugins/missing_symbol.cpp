// Broken plugin: calls an extern "C" function that is declared here and defined nowhere. The test
// build does not link broken plugins with --no-undefined, so this links; loading it with immediate
// binding (RTLD_NOW) must fail and be reported as an unresolved symbol.
#include "gradplug/plugin.hpp"

extern "C" double gradplug_test_symbol_defined_nowhere(double x);

namespace {

class MissingSymbol final : public gradplug::Activation {
 public:
  explicit MissingSymbol(const gradplug::Params& /*p*/) {}

  double f(double x) const override { return gradplug_test_symbol_defined_nowhere(x); }
  double df(double /*x*/, double /*y*/) const override { return 1.0; }
};

}  // namespace

GRADPLUG_PLUGIN_NO_PARAMS(MissingSymbol, "missing_symbol", "1.0.0",
                          "Needs a symbol that no library defines (test plugin).")
