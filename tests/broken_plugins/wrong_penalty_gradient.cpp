// Broken plugin: an L2 penalty lambda * sum w^2 whose gradient forgets the factor 2 (adds
// lambda * w instead of 2 * lambda * w). The conformance kit must fail it on "penalty gradient" and
// on nothing else.
#include <cmath>
#include <cstddef>

#include "gradplug/plugin.hpp"

namespace {

class WrongPenaltyGradient final : public gradplug::Regularizer {
 public:
  explicit WrongPenaltyGradient(const gradplug::Params& p) : lambda_(p.real("lambda")) {}

  double penalty(const double* values, double* grads, const unsigned char* is_bias,
                 std::size_t n) const override {
    double sum = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      if (is_bias && is_bias[i]) continue;
      sum += values[i] * values[i];
      if (grads) grads[i] += lambda_ * values[i];  // should be 2 * lambda * w
    }
    return lambda_ * sum;
  }

 private:
  double lambda_;
};

constexpr gp_param kSchema[] = {
    {"lambda", GP_PARAM_REAL, {0.01, 0.0}, 0.0, HUGE_VAL, 0, 1, "strength"},
};

}  // namespace

GRADPLUG_PLUGIN(WrongPenaltyGradient, "wrong_penalty_gradient", "1.0.0",
                "L2 whose gradient lacks the factor 2 (test plugin).", kSchema)
