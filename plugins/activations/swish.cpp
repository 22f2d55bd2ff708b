// swish: the self-gated activation of Ramachandran, Zoph and Le (2017); SiLU when beta = 1.
//
//   s(z)  = 1 / (1 + exp(-z))                 (the logistic sigmoid), z = beta * x
//   f(x)  = x * s(beta * x)
//   f'(x) = s(z) + beta * x * s(z) * (1 - s(z)) = s(z) * (1 + z * (1 - s(z)))
//
// Numerics: with e = exp(-|z|) <= 1 (never overflows),
//   z >= 0:  s = 1 / (1 + e),  1 - s = e / (1 + e)
//   z <  0:  s = e / (1 + e),  1 - s = 1 / (1 + e)
// so both s and its complement are accurate for either sign (no cancellation in 1 - s), and no
// inf * 0 can arise: for huge |x|, s is exactly 0 or 1 and e is 0, f is x or -0, and f' is 1 or 0.
// When beta * x overflows to +-inf, e = 0 and the z * (1 - s) term is taken as its limit 0.
// f' is recomputed from x (one exp) rather than from y, which keeps it accurate where y underflows.
//
// | name | default | meaning                                                              |
// | ---- | ------- | -------------------------------------------------------------------- |
// | beta | 1       | gate sharpness, in [0, inf): 0 gives x/2, 1 SiLU, large values ~ReLU |
//
// beta is limited to [0, inf): that is the family the paper studies (linear at 0, approaching ReLU
// as beta grows); a negative beta gives a non-monotone, upside-down gate and is almost certainly a
// typo in a config. The formulas above would still hold for it.
#include <cmath>
#include <cstddef>

#include "gradplug/plugin.hpp"

namespace {

constexpr gp_param kSchema[] = {
    gradplug::real("beta", 1.0, gradplug::at_least(0.0),
                   "gate sharpness: 0 gives x/2, 1 gives SiLU, large values approach ReLU"),
};

class Swish final : public gradplug::Activation {
 public:
  explicit Swish(const gradplug::Params& p) : beta_(p.real("beta")) {}

  double f(double x) const override { return value(x, beta_); }
  double df(double x, double /*y*/) const override { return derivative(x, beta_); }

  // Plain loops over the same inline functions: no virtual call per element, and the compiler may
  // vectorise them where it has a vector exp (e.g. with libmvec under -ffast-math).
  void f_array(const double* x, double* y, std::size_t n) const override {
    const double beta = beta_;
    for (std::size_t i = 0; i < n; ++i) y[i] = value(x[i], beta);
  }
  void df_array(const double* x, const double* /*y*/, double* d, std::size_t n) const override {
    const double beta = beta_;
    for (std::size_t i = 0; i < n; ++i) d[i] = derivative(x[i], beta);
  }

 private:
  // s(z) and 1 - s(z), both accurate for either sign of z; e = exp(-|z|) is returned too.
  struct Gate {
    double s, complement, e;
  };
  static Gate gate(double z) {
    const double e = std::exp(-std::fabs(z));
    const double inv = 1.0 / (1.0 + e);
    const double small = e * inv;
    return z >= 0.0 ? Gate{inv, small, e} : Gate{small, inv, e};
  }

  static double value(double x, double beta) { return x * gate(beta * x).s; }
  static double derivative(double x, double beta) {
    const double z = beta * x;
    const Gate g = gate(z);
    // z * (1 - s). When e == 0 the term cannot matter (z > 0: 1 - s is 0; z < 0: s is 0), and
    // dropping it avoids inf * 0 = NaN when beta * x overflowed to +-inf.
    const double t = g.e == 0.0 ? 0.0 : z * g.complement;
    return g.s * (1.0 + t);
  }

  double beta_;
};

}  // namespace

GRADPLUG_PLUGIN(Swish, "swish", "1.0.0", "Swish: f(x) = x * sigmoid(beta * x) (SiLU for beta = 1).",
                kSchema)
