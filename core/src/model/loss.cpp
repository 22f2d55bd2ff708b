#include "gradplug/loss.hpp"

#include <algorithm>
#include <cmath>

#include "engine/ops.hpp"
#include "gradplug/value.hpp"

namespace gradplug {

const std::array<LossInfo, 4>& losses() {
  static const std::array<LossInfo, 4> table = {{
      {LossKind::MSE, "mse", OutputWidth::TargetColumns, TargetMap::Numeric, 0, 0, Link::Identity},
      {LossKind::Hinge, "hinge", OutputWidth::One, TargetMap::PlusMinus, 2, 2, Link::Sign},
      {LossKind::BCE, "bce", OutputWidth::One, TargetMap::ClassIndex, 2, 2, Link::Sigmoid},
      {LossKind::SoftmaxCE, "softmax_cross_entropy", OutputWidth::Classes, TargetMap::ClassIndex, 2,
       0, Link::Softmax},
  }};
  return table;
}

const LossInfo& loss_info(LossKind kind) { return losses()[static_cast<std::size_t>(kind)]; }

const std::vector<std::string>& loss_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> all;
    for (const LossInfo& loss : losses()) all.emplace_back(loss.name);
    return all;
  }();
  return names;
}

const char* loss_name(LossKind kind) { return loss_info(kind).name; }

bool loss_is_classification(LossKind kind) { return loss_info(kind).targets != TargetMap::Numeric; }

std::size_t loss_outputs(LossKind kind, const Dataset& data) {
  switch (loss_info(kind).width) {
    case OutputWidth::TargetColumns:
      return data.target_columns;
    case OutputWidth::One:
      return 1;
    case OutputWidth::Classes:
      return data.classes();
  }
  return 1;
}

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

std::size_t predicted_class(LossKind kind, const double* o, std::size_t n) {
  if (loss_info(kind).link == Link::Softmax)
    return static_cast<std::size_t>(std::max_element(o, o + n) - o);
  return o[0] > 0.0 ? 1 : 0;
}

std::vector<double> class_probabilities(LossKind kind, const double* o, std::size_t n) {
  switch (loss_info(kind).link) {
    case Link::Softmax: {
      const double m = *std::max_element(o, o + n);
      std::vector<double> p(n);
      double total = 0;
      for (std::size_t k = 0; k < n; ++k) total += p[k] = std::exp(o[k] - m);
      for (double& v : p) v /= total;
      return p;
    }
    case Link::Sigmoid: {
      const double p1 = ops::Sigmoid::forward(o[0]);
      return {1 - p1, p1};
    }
    case Link::Identity:
    case Link::Sign:
      break;
  }
  return {};
}

bool is_correct(LossKind kind, const double* o, std::size_t n, const double* target) {
  if (!loss_is_classification(kind)) return false;
  return static_cast<double>(predicted_class(kind, o, n)) == target[0];
}

}  // namespace gradplug
