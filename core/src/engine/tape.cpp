#include "gradplug/tape.hpp"

#include <algorithm>
#include <stdexcept>

#include "engine/ops.hpp"

namespace gradplug {

namespace {
thread_local Tape* current_tape = nullptr;
}

Tape& Tape::current() {
  if (current_tape) return *current_tape;
  thread_local Tape default_tape;
  return default_tape;
}

Tape::Scope::Scope(Tape& tape) : previous_(current_tape) { current_tape = &tape; }
Tape::Scope::~Scope() { current_tape = previous_; }

void Tape::rewind(Mark mark) {
  assert(mark.nodes <= nodes_.size() && mark.operands <= operands_.size());
  nodes_.resize(mark.nodes);
  operands_.resize(mark.operands);
  stale_end_ = std::min(stale_end_, mark.nodes);
  if (mark.nodes == 0) activations_.clear();
}

void Tape::reserve(std::size_t nodes, std::size_t operands) {
  nodes_.reserve(nodes);
  operands_.reserve(operands);
}

std::size_t Tape::bytes_reserved() const {
  return nodes_.capacity() * sizeof(Node) + operands_.capacity() * sizeof(std::uint32_t);
}

std::uint32_t Tape::sum(const std::uint32_t* x, std::uint32_t n) {
  const auto offset = static_cast<std::uint32_t>(operands_.size());
  operands_.insert(operands_.end(), x, x + n);
  return push(Op::Sum, ops::Sum::forward(nodes_.data(), x, n), offset, n);
}

std::uint32_t Tape::dot(const std::uint32_t* w, const std::uint32_t* x, std::uint32_t n,
                        bool has_bias, std::uint32_t bias) {
  const auto offset = static_cast<std::uint32_t>(operands_.size());
  operands_.insert(operands_.end(), w, w + n);
  operands_.insert(operands_.end(), x, x + n);
  double data = ops::Dot::forward(nodes_.data(), w, x, n);
  if (has_bias) {
    operands_.push_back(bias);
    data += nodes_[bias].data;
  }
  return push(Op::Dot, data, offset, n, has_bias ? 1 : 0);
}

std::uint32_t Tape::activation_index(const Activation& activation) {
  // A graph uses a handful of activations: a linear search beats a map.
  for (std::size_t i = activations_.size(); i-- > 0;)
    if (activations_[i] == &activation) return static_cast<std::uint32_t>(i);
  activations_.push_back(&activation);
  return static_cast<std::uint32_t>(activations_.size() - 1);
}

std::uint32_t Tape::primitive(const Activation& activation, std::uint32_t x) {
  const std::uint32_t index = activation_index(activation);
  return push(Op::Primitive, ops::Primitive::forward(activation, nodes_[x].data), x, 0, index);
}

std::vector<std::uint32_t> Tape::inputs(std::uint32_t i) const {
  const Node& n = node(i);
  const std::uint32_t* x = operands_.data() + n.a;
  switch (op_info(n.op).operands) {
    case Operands::None:
      return {};
    case Operands::One:
    case Operands::Constant:
    case Operands::Activation:
      return {n.a};
    case Operands::Two:
      return {n.a, n.b()};
    case Operands::List:
      return {x, x + n.b()};
    case Operands::Dot:
      return {x, x + 2 * n.b() + n.aux()};
  }
  return {};
}

void Tape::zero_grad() {
  for (Node& n : nodes_) n.grad = 0.0;
  stale_end_ = 0;
}

void Tape::backward(std::uint32_t root) {
  assert(root < nodes_.size());
  Node* nodes = nodes_.data();
  // Intermediate gradients left by an earlier sweep would leak into this one; leaves keep theirs.
  for (std::uint32_t i = 0, end = std::min(stale_end_, root + 1); i < end; ++i)
    if (nodes[i].op != Op::Leaf) nodes[i].grad = 0.0;
  stale_end_ = std::max(stale_end_, root + 1);
  nodes[root].grad += 1.0;

  const ops::Context context{nodes, operands_.data(), activations_.data()};
  for (std::uint32_t i = root + 1; i-- > 0;) {
    const Node& n = nodes[i];
    switch (n.op) {
#define GRADPLUG_OP_BACKWARD(name, symbol, operands) \
  case Op::name:                                     \
    ops::name::backward(context, n);                 \
    break;
      GRADPLUG_OPS(GRADPLUG_OP_BACKWARD)
#undef GRADPLUG_OP_BACKWARD
    }
  }
}

}  // namespace gradplug
