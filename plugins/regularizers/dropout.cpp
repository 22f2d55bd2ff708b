// dropout: inverted dropout on hidden activations (Srivastava et al. 2014), while training only.
//
//   scale_i = 0            with probability p   (unit dropped iff rng.uniform() < p)
//             1 / (1 - p)  otherwise            (so E[scale_i] = 1 and inference needs no rescale)
//
// One rng.uniform() is drawn per unit, in order, so a seed fixes every mask and the stream position
// after a call depends only on n. It adds no penalty to the loss. p = 1 is excluded (it would
// divide by zero and drop everything); p = 0 keeps every unit with scale exactly 1.
//
// | name | default | meaning                                       |
// | ---- | ------- | --------------------------------------------- |
// | p    | 0.5     | probability of dropping a unit, in [0, 1)     |
#include <cstddef>

#include "gradplug/plugin.hpp"

namespace {

constexpr gp_param kSchema[] = {
    gradplug::real("p", 0.5, gradplug::in_closed_open(0.0, 1.0),
                   "probability of dropping each hidden unit while training"),
};

class Dropout final : public gradplug::Regularizer {
 public:
  explicit Dropout(const gradplug::Params& p) : p_(p.real("p")), keep_scale_(1.0 / (1.0 - p_)) {}

  bool transforms_activations() const override { return true; }

  void draw_scale(double* scale, std::size_t n, gradplug::Random& rng) const override {
    for (std::size_t i = 0; i < n; ++i) scale[i] = rng.uniform() < p_ ? 0.0 : keep_scale_;
  }

 private:
  double p_;
  double keep_scale_;
};

}  // namespace

GRADPLUG_PLUGIN(Dropout, "dropout", "1.0.0",
                "Inverted dropout: zeroes units with probability p, scales the rest by 1/(1-p).",
                kSchema)
