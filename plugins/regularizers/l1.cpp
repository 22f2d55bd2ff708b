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
#include <stdexcept>
#include <string>

#include "gradplug/plugin.hpp"

namespace {

constexpr gp_param kSchema[] = {
    {.name = "lambda",
     .type = GP_PARAM_REAL,
     .default_value = {0.01, 0.0},
     .min = 0.0,
     .max = HUGE_VAL,
     .min_open = 0,
     .max_open = 1,
     .doc = "strength: adds lambda * sum |w| to the loss"},
    {.name = "include_bias",
     .type = GP_PARAM_BOOL,
     .default_value = {0.0, 0.0},
     .min = 0.0,
     .max = 1.0,
     .min_open = 0,
     .max_open = 0,
     .doc = "penalise biases as well as weights"},
};

class L1 final : public gradplug::Regularizer {
 public:
  explicit L1(const gradplug::Params& p)
      : lambda_(p.real("lambda")), include_bias_(p.flag("include_bias")) {
    if (!(lambda_ >= 0.0 && lambda_ < HUGE_VAL))
      throw std::invalid_argument("lambda must be in [0, inf), got " + std::to_string(lambda_));
  }

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
