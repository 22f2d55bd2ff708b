// Broken plugin: an activation that takes 50 ms for every layer it is applied to, so a run with
// it hangs for practical purposes. `gradplug compare --timeout` must stop just that run.
#include <chrono>
#include <cmath>
#include <thread>

#include "gradplug/plugin.hpp"

namespace {

class SlowActivation final : public gradplug::Activation {
 public:
  explicit SlowActivation(const gradplug::Params&) {}
  double f(double x) const override { return std::tanh(x); }
  double df(double, double y) const override { return 1.0 - y * y; }
  void f_array(const double* x, double* y, std::size_t n) const override {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    for (std::size_t i = 0; i < n; ++i) y[i] = f(x[i]);
  }
};

}  // namespace

GRADPLUG_PLUGIN_NO_PARAMS(SlowActivation, "slow_activation", "1.0.0",
                          "tanh that sleeps 50 ms a call (test plugin).")
