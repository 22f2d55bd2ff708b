// Broken plugin: a complete-looking descriptor built for the next plugin ABI version. The registry
// must read abi_version first and skip the library (naming both versions) without touching the
// rest; if it did not, this plugin would load as an activation called "wrong_abi".
#include <cmath>
#include <cstddef>

#include "gradplug/plugin.hpp"

namespace {

class Identity final : public gradplug::Activation {
 public:
  double f(double x) const override { return x; }
  double df(double /*x*/, double /*y*/) const override { return 1.0; }
};

void* create_identity(const gp_value* /*values*/, char* /*error*/, size_t /*error_size*/) {
  return static_cast<gradplug::Activation*>(new Identity());
}

void destroy_identity(void* instance) { delete static_cast<gradplug::Activation*>(instance); }

}  // namespace

extern "C" const gp_descriptor wrong_abi_descriptor = {GRADPLUG_ABI_VERSION + 1,
                                                       GP_KIND_ACTIVATION,
                                                       "wrong_abi",
                                                       "1.0.0",
                                                       "Built for the next plugin ABI version.",
                                                       nullptr,
                                                       0,
                                                       &create_identity,
                                                       &destroy_identity};
BOOST_DLL_ALIAS(wrong_abi_descriptor, gradplug_plugin)
