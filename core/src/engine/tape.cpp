#include "gradplug/tape.hpp"

#include <algorithm>
#include <stdexcept>

#include "engine/ops.hpp"

namespace gradplug {

namespace {
thread_local Tape* current_tape = nullptr;
}

const char* op_name(Op op) {
  switch (op) {
    case Op::Leaf:
      return "leaf";
    case Op::Const:
      return "const";
    case Op::Add:
      return "+";
    case Op::Sub:
      return "-";
    case Op::Mul:
      return "*";
    case Op::Div:
      return "/";
    case Op::AddConst:
      return "+k";
    case Op::MulConst:
      return "*k";
    case Op::DivConst:
      return "/k";
    case Op::ConstSub:
      return "k-";
    case Op::ConstDiv:
      return "k/";
    case Op::Neg:
      return "neg";
    case Op::PowConst:
      return "^k";
    case Op::Pow:
      return "^";
    case Op::Exp:
      return "exp";
    case Op::Log:
      return "log";
    case Op::Sin:
      return "sin";
    case Op::Cos:
      return "cos";
    case Op::Tanh:
      return "tanh";
    case Op::Sigmoid:
      return "sigmoid";
    case Op::Relu:
      return "relu";
    case Op::Softplus:
      return "softplus";
    case Op::Sum:
      return "sum";
    case Op::Dot:
      return "dot";
    case Op::Primitive:
      return "f";
  }
  return "?";
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
      case Op::Leaf:
      case Op::Const:
        break;
      case Op::Add:
        ops::Add::backward(context, n);
        break;
      case Op::Sub:
        ops::Sub::backward(context, n);
        break;
      case Op::Mul:
        ops::Mul::backward(context, n);
        break;
      case Op::Div:
        ops::Div::backward(context, n);
        break;
      case Op::AddConst:
        ops::AddConst::backward(context, n);
        break;
      case Op::MulConst:
        ops::MulConst::backward(context, n);
        break;
      case Op::DivConst:
        ops::DivConst::backward(context, n);
        break;
      case Op::ConstSub:
        ops::ConstSub::backward(context, n);
        break;
      case Op::ConstDiv:
        ops::ConstDiv::backward(context, n);
        break;
      case Op::Neg:
        ops::Neg::backward(context, n);
        break;
      case Op::PowConst:
        ops::PowConst::backward(context, n);
        break;
      case Op::Pow:
        ops::Pow::backward(context, n);
        break;
      case Op::Exp:
        ops::Exp::backward(context, n);
        break;
      case Op::Log:
        ops::Log::backward(context, n);
        break;
      case Op::Sin:
        ops::Sin::backward(context, n);
        break;
      case Op::Cos:
        ops::Cos::backward(context, n);
        break;
      case Op::Tanh:
        ops::Tanh::backward(context, n);
        break;
      case Op::Sigmoid:
        ops::Sigmoid::backward(context, n);
        break;
      case Op::Relu:
        ops::Relu::backward(context, n);
        break;
      case Op::Softplus:
        ops::Softplus::backward(context, n);
        break;
      case Op::Sum:
        ops::Sum::backward(context, n);
        break;
      case Op::Dot:
        ops::Dot::backward(context, n);
        break;
      case Op::Primitive:
        ops::Primitive::backward(context, n);
        break;
    }
  }
}

}  // namespace gradplug
