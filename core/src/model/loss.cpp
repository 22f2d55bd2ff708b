#include "gradplug/loss.hpp"

#include <algorithm>
#include <cmath>

#include "gradplug/value.hpp"

namespace gradplug {

const std::vector<std::string>& loss_names() {
  static const std::vector<std::string> names = {"mse", "hinge", "bce", "softmax_cross_entropy"};
  return names;
}

const char* loss_name(LossKind kind) {
  return loss_names()[static_cast<std::size_t>(kind)].c_str();
}

bool loss_is_classification(LossKind kind) { return kind != LossKind::MSE; }

std::uint32_t loss_node(Tape& t, LossKind kind, const std::uint32_t* out, std::size_t n,
                        const double* target) {
  auto o = [&](std::size_t k) { return Value(t, out[k]); };
  switch (kind) {
    case LossKind::MSE: {
      std::vector<Value> squares;
      squares.reserve(n);
      for (std::size_t k = 0; k < n; ++k) {
        const Value diff = o(k) - target[k];
        squares.push_back(diff * diff);
      }
      return n == 1 ? squares[0].index() : (sum(squares) / static_cast<double>(n)).index();
    }
    case LossKind::Hinge: {
      const double sign = target[0] > 0 ? 1.0 : -1.0;
      return (1.0 - sign * o(0)).relu().index();
    }
    case LossKind::BCE:
      return (o(0).softplus() - target[0] * o(0)).index();
    case LossKind::SoftmaxCE: {
      // logsumexp(o) - o_y computed as log(sum_k exp(o_k - m)) - (o_y - m) with m = max_k o_k
      // held constant: the result does not depend on m, so no gradient needs to flow through it.
      double m = o(0).data();
      for (std::size_t k = 1; k < n; ++k) m = std::max(m, o(k).data());
      std::vector<Value> exps;
      exps.reserve(n);
      for (std::size_t k = 0; k < n; ++k) exps.push_back((o(k) - m).exp());
      const auto y = static_cast<std::size_t>(target[0]);
      return (sum(exps).log() - (o(y) - m)).index();
    }
  }
  return 0;
}

bool is_correct(LossKind kind, const double* o, std::size_t n, const double* target) {
  switch (kind) {
    case LossKind::MSE:
      return false;
    case LossKind::Hinge:
    case LossKind::BCE:
      return (o[0] > 0.0) == (target[0] > 0.0);
    case LossKind::SoftmaxCE:
      return static_cast<double>(std::max_element(o, o + n) - o) == target[0];
  }
  return false;
}

}  // namespace gradplug
