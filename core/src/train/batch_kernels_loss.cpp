#include "train/batch_kernels_loss.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>

#include "engine/ops.hpp"

namespace gradplug::kernels {

namespace {

// The loss of one row's outputs o[0..n) and d(loss)/d(o) scaled by `scale` into g.
// Each formula is the Value-graph loss of loss.cpp, differentiated by hand.
double row_loss(LossKind kind, const double* o, std::size_t n, const double* t, double scale,
                double* g) {
  switch (kind) {
    case LossKind::MSE: {
      double sum = 0;
      const double inv_n = 1.0 / static_cast<double>(n);
      for (std::size_t k = 0; k < n; ++k) {
        const double diff = o[k] - t[k];
        sum += diff * diff;
        if (g) g[k] = 2.0 * diff * (n == 1 ? 1.0 : inv_n) * scale;
      }
      return n == 1 ? sum : sum * inv_n;
    }
    case LossKind::Hinge: {
      // s = +1 for class 1, -1 for class 0, so s o and -s scale are sign flips, and the slope is
      // -s scale or 0: all done on the bits, as the compiler turns a select of s into a branch,
      // which mispredicts half the time with the classes in random order (once per row).
      using Bits = std::uint64_t;
      const Bits flip = static_cast<Bits>(!(t[0] > 0)) << 63;
      const double gap = 1.0 - std::bit_cast<double>(std::bit_cast<Bits>(o[0]) ^ flip);
      const Bits keep = -static_cast<Bits>(gap > 0.0);  // all ones when the hinge is active
      if (g) g[0] = std::bit_cast<double>((std::bit_cast<Bits>(-scale) ^ flip) & keep);
      return std::max(0.0, gap);  // gap > 0 ? gap : 0, NaN included
    }
    case LossKind::BCE: {
      if (g) g[0] = (ops::Sigmoid::forward(o[0]) - t[0]) * scale;
      return ops::Softplus::forward(o[0]) - t[0] * o[0];
    }
    case LossKind::SoftmaxCE: {
      const double m = *std::max_element(o, o + n);
      double total = 0;
      for (std::size_t k = 0; k < n; ++k) total += std::exp(o[k] - m);
      const auto y = static_cast<std::size_t>(t[0]);
      if (g)
        for (std::size_t k = 0; k < n; ++k)
          g[k] = (std::exp(o[k] - m) / total - (k == y ? 1.0 : 0.0)) * scale;
      return std::log(total) - (o[y] - m);
    }
  }
  return 0;
}

}  // namespace

double batch_loss(LossKind loss, const double* outputs, std::size_t n_out, const Dataset& data,
                  const std::vector<std::size_t>& rows, double* grad, std::size_t* correct) {
  const double scale = 1.0 / static_cast<double>(rows.size());
  const bool count = correct && loss_is_classification(loss);
  double total = 0;
  if (correct) *correct = 0;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const double* target = data.target(rows[r]);
    const double* o = outputs + r * n_out;
    total += row_loss(loss, o, n_out, target, scale, grad ? grad + r * n_out : nullptr);
    if (count) *correct += is_correct(loss, o, n_out, target);
  }
  return total * scale;
}

}  // namespace gradplug::kernels
