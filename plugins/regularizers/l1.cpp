// l1: the lasso penalty on the weights.
//
//   penalty(w) = lambda * sum_i |w_i|
//   d/dw_i     = lambda * sign(w_i)        (sign(0) = 0, as torch.sign; the subgradient 0 at 0)
//
// Biases (is_bias[i] == 1) are left out of both unless include_bias is set. A null is_bias means
// "no biases". The gradient is added into grads when grads is not null.
//
// | name         | default | meaning                                   |
// | ------------ | ------- | ----------------------------------------- |
// | lambda       | 0.01    | strength, in [0, inf)                     |
// | include_bias | false   | penalise biases too, not only the weights |
#include <cmath>
#include <cstddef>

#include "gradplug/plugin.hpp"

namespace {

using namespace gradplug::schema;
constexpr gp_param kSchema[] = {
    // clang-format off
    real("lambda",       0.01,  at_least(0.0), "strength: adds lambda * sum |w| to the loss"),
    flag("include_bias", false,                "penalise biases as well as weights"),
    // clang-format on
};

class L1 final : public gradplug::Regularizer {
 public:
  explicit L1(const gradplug::Params& p)
      : lambda_(p.real("lambda")), include_bias_(p.flag("include_bias")) {}

  double penalty(const double* values, double* grads, const unsigned char* is_bias,
                 std::size_t n) const override {
    const bool skip_bias = !include_bias_ && is_bias != nullptr;
    double sum = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      if (skip_bias && is_bias[i]) continue;
      const double w = values[i];
      sum += std::fabs(w);
      if (grads) grads[i] += lambda_ * static_cast<double>((w > 0.0) - (w < 0.0));
    }
    return lambda_ * sum;
  }

 private:
  double lambda_;
  bool include_bias_;
};

}  // namespace

GRADPLUG_PLUGIN(L1, "l1", "1.0.0", "L1 (lasso) penalty: lambda * sum |w| on the weights.", kSchema)
