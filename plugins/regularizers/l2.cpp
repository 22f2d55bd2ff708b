// l2: the ridge (weight decay) penalty on the weights, in the Keras convention.
//
//   penalty(w) = lambda * sum_i w_i^2
//   d/dw_i     = 2 * lambda * w_i          (not lambda * w_i: there is no 1/2 in front)
//
// Biases (is_bias[i] == 1) are left out of both unless include_bias is set. A null is_bias means
// "no biases". The gradient is added into grads when grads is not null.
//
// | name         | default | meaning                                   |
// | ------------ | ------- | ----------------------------------------- |
// | lambda       | 0.01    | strength, in [0, inf)                     |
// | include_bias | false   | penalise biases too, not only the weights |
#include <cstddef>

#include "gradplug/plugin.hpp"

namespace {

using namespace gradplug::schema;
constexpr gp_param kSchema[] = {
    // clang-format off
    real("lambda",       0.01,  at_least(0.0), "strength: adds lambda * sum w^2 to the loss (gradient 2 * lambda * w)"),
    flag("include_bias", false,                "penalise biases as well as weights"),
    // clang-format on
};

class L2 final : public gradplug::Regularizer {
 public:
  explicit L2(const gradplug::Params& p)
      : lambda_(p.real("lambda")), include_bias_(p.flag("include_bias")) {}

  double penalty(const double* values, double* grads, const unsigned char* is_bias,
                 std::size_t n) const override {
    const bool skip_bias = !include_bias_ && is_bias != nullptr;
    const double twice = 2.0 * lambda_;
    double sum = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      if (skip_bias && is_bias[i]) continue;
      const double w = values[i];
      sum += w * w;
      if (grads) grads[i] += twice * w;
    }
    return lambda_ * sum;
  }

 private:
  double lambda_;
  bool include_bias_;
};

}  // namespace

GRADPLUG_PLUGIN(L2, "l2", "1.0.0", "L2 (ridge) penalty: lambda * sum w^2 on the weights.", kSchema)
