#include "gradplug/value.hpp"

#include <vector>

#include "engine/ops.hpp"

namespace gradplug {

namespace {

// The node data of the operand at index i.
double data_of(const Tape& t, std::uint32_t i) { return t.node(i).data; }

template <class OpT>
Value unary(const Value& a, Op op) {
  Tape& t = a.tape();
  return Value(t, t.push(op, OpT::forward(data_of(t, a.index())), a.index()));
}

template <class OpT>
Value binary(const Value& a, const Value& b, Op op) {
  assert(&a.tape() == &b.tape() && "operands live on different tapes");
  Tape& t = a.tape();
  return Value(t, t.push(op, OpT::forward(data_of(t, a.index()), data_of(t, b.index())), a.index(),
                         b.index()));
}

// An op with a constant operand: one node, the constant held inline.
template <class OpT>
Value with_constant(const Value& a, double k, Op op) {
  Tape& t = a.tape();
  return Value(t, t.push_constant_op(op, OpT::forward(data_of(t, a.index()), k), a.index(), k));
}

}  // namespace

Value::Value(double x) : tape_(&Tape::current()), index_(tape_->leaf(x)) {}

Value Value::operator-() const { return unary<ops::Neg>(*this, Op::Neg); }
Value Value::exp() const { return unary<ops::Exp>(*this, Op::Exp); }
Value Value::log() const { return unary<ops::Log>(*this, Op::Log); }
Value Value::sin() const { return unary<ops::Sin>(*this, Op::Sin); }
Value Value::cos() const { return unary<ops::Cos>(*this, Op::Cos); }
Value Value::tanh() const { return unary<ops::Tanh>(*this, Op::Tanh); }
Value Value::sigmoid() const { return unary<ops::Sigmoid>(*this, Op::Sigmoid); }
Value Value::relu() const { return unary<ops::Relu>(*this, Op::Relu); }
Value Value::softplus() const { return unary<ops::Softplus>(*this, Op::Softplus); }

Value Value::pow(double exponent) const {
  return with_constant<ops::PowConst>(*this, exponent, Op::PowConst);
}
Value Value::pow(const Value& exponent) const { return binary<ops::Pow>(*this, exponent, Op::Pow); }

Value Value::apply(const Activation& activation) const {
  return Value(*tape_, tape_->primitive(activation, index_));
}

Value operator+(const Value& a, const Value& b) { return binary<ops::Add>(a, b, Op::Add); }
Value operator-(const Value& a, const Value& b) { return binary<ops::Sub>(a, b, Op::Sub); }
Value operator*(const Value& a, const Value& b) { return binary<ops::Mul>(a, b, Op::Mul); }
Value operator/(const Value& a, const Value& b) { return binary<ops::Div>(a, b, Op::Div); }
Value operator+(const Value& a, double b) {
  return with_constant<ops::AddConst>(a, b, Op::AddConst);
}
Value operator+(double a, const Value& b) {
  return with_constant<ops::AddConst>(b, a, Op::AddConst);
}
Value operator-(const Value& a, double b) {
  return with_constant<ops::AddConst>(a, -b, Op::AddConst);
}
Value operator-(double a, const Value& b) {
  return with_constant<ops::ConstSub>(b, a, Op::ConstSub);
}
Value operator*(const Value& a, double b) {
  return with_constant<ops::MulConst>(a, b, Op::MulConst);
}
Value operator*(double a, const Value& b) {
  return with_constant<ops::MulConst>(b, a, Op::MulConst);
}
Value operator/(const Value& a, double b) {
  return with_constant<ops::DivConst>(a, b, Op::DivConst);
}
Value operator/(double a, const Value& b) {
  return with_constant<ops::ConstDiv>(b, a, Op::ConstDiv);
}

Value& Value::operator+=(const Value& other) { return *this = *this + other; }
Value& Value::operator-=(const Value& other) { return *this = *this - other; }
Value& Value::operator*=(const Value& other) { return *this = *this * other; }
Value& Value::operator/=(const Value& other) { return *this = *this / other; }

namespace {
// Operand indices of a span of Values: on the stack for neuron-sized spans, so building a graph
// does not allocate per node.
class Indices {
 public:
  explicit Indices(std::span<const Value> values) : size_(values.size()) {
    if (size_ > kInline) heap_.resize(size_);
    std::uint32_t* out = data();
    for (std::size_t i = 0; i < size_; ++i) out[i] = values[i].index();
  }
  std::uint32_t* data() { return size_ > kInline ? heap_.data() : inline_; }
  std::uint32_t size() const { return static_cast<std::uint32_t>(size_); }

 private:
  static constexpr std::size_t kInline = 512;
  std::size_t size_;
  std::uint32_t inline_[kInline];
  std::vector<std::uint32_t> heap_;
};
}  // namespace

Value sum(std::span<const Value> values) {
  assert(!values.empty());
  Tape& t = values.front().tape();
  Indices x(values);
  return Value(t, t.sum(x.data(), x.size()));
}

Value dot(std::span<const Value> w, std::span<const Value> x) {
  assert(!w.empty() && w.size() == x.size());
  Tape& t = w.front().tape();
  Indices wi(w), xi(x);
  return Value(t, t.dot(wi.data(), xi.data(), wi.size()));
}

Value dot(std::span<const Value> w, std::span<const Value> x, const Value& bias) {
  assert(w.size() == x.size());
  Tape& t = bias.tape();
  Indices wi(w), xi(x);
  return Value(t, t.dot(wi.data(), xi.data(), wi.size(), true, bias.index()));
}

}  // namespace gradplug
