// Broken plugin: an optimizer whose step() dies with SIGSEGV (raised directly, so the crash is
// certain and well defined). `gradplug check-plugin` must report the check it was running as
// FAILed with the signal and exit 1, not die silently. Never load it in a test process.
#include <csignal>
#include <cstddef>

#include "gradplug/plugin.hpp"

namespace {

class CrashesInStep final : public gradplug::Optimizer {
 public:
  explicit CrashesInStep(const gradplug::Params& /*p*/) {}

  double base_lr() const override { return 0.01; }
  void reset(std::size_t /*n*/) override {}
  void step(double* /*values*/, const double* /*grads*/, std::size_t /*n*/,
            double /*lr*/) override {
    std::raise(SIGSEGV);
  }
  gradplug::OptimizerState save() const override { return {}; }
  void load(const gradplug::OptimizerState& /*state*/) override {}
};

}  // namespace

GRADPLUG_PLUGIN_NO_PARAMS(CrashesInStep, "crashes_in_step", "1.0.0",
                          "Dies with SIGSEGV in step() (test plugin).")
