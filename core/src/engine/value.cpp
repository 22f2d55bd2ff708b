#include "gradplug/value.hpp"

#include <vector>

#include "engine/ops.hpp"

namespace gradplug {

namespace {

// The node data of the operand at index i.
double data_of(const Tape& t, std::uint32_t i) { return t.node(i).data; }

template <Op op>
Value unary(const Value& a) {
  static_assert(op_info(op).operands == Operands::One);
  Tape& t = a.tape();
  return Value(t, t.push(op, ops::Impl<op>::forward(data_of(t, a.index())), a.index()));
}

template <Op op>
Value binary(const Value& a, const Value& b) {
  static_assert(op_info(op).operands == Operands::Two);
  assert(&a.tape() == &b.tape() && "operands live on different tapes");
  Tape& t = a.tape();
  const double data = ops::Impl<op>::forward(data_of(t, a.index()), data_of(t, b.index()));
  return Value(t, t.push(op, data, a.index(), b.index()));
}

// An op with a constant operand: one node, the constant held inline.
template <Op op>
Value with_constant(const Value& a, double k) {
  static_assert(op_info(op).operands == Operands::Constant);
  Tape& t = a.tape();
  const double data = ops::Impl<op>::forward(data_of(t, a.index()), k);
  return Value(t, t.push_constant_op(op, data, a.index(), k));
}

}  // namespace

Value::Value(double x) : tape_(&Tape::current()), index_(tape_->leaf(x)) {}

Value Value::operator-() const { return unary<Op::Neg>(*this); }
Value Value::exp() const { return unary<Op::Exp>(*this); }
Value Value::log() const { return unary<Op::Log>(*this); }
Value Value::sin() const { return unary<Op::Sin>(*this); }
Value Value::cos() const { return unary<Op::Cos>(*this); }
Value Value::tanh() const { return unary<Op::Tanh>(*this); }
Value Value::sigmoid() const { return unary<Op::Sigmoid>(*this); }
Value Value::relu() const { return unary<Op::Relu>(*this); }
Value Value::softplus() const { return unary<Op::Softplus>(*this); }

Value Value::pow(double exponent) const { return with_constant<Op::PowConst>(*this, exponent); }
Value Value::pow(const Value& exponent) const { return binary<Op::Pow>(*this, exponent); }

Value Value::apply(const Activation& activation) const {
  return Value(*tape_, tape_->primitive(activation, index_));
}

Value operator+(const Value& a, const Value& b) { return binary<Op::Add>(a, b); }
Value operator-(const Value& a, const Value& b) { return binary<Op::Sub>(a, b); }
Value operator*(const Value& a, const Value& b) { return binary<Op::Mul>(a, b); }
Value operator/(const Value& a, const Value& b) { return binary<Op::Div>(a, b); }
Value operator+(const Value& a, double b) { return with_constant<Op::AddConst>(a, b); }
Value operator+(double a, const Value& b) { return with_constant<Op::AddConst>(b, a); }
Value operator-(const Value& a, double b) { return with_constant<Op::AddConst>(a, -b); }
Value operator-(double a, const Value& b) { return with_constant<Op::ConstSub>(b, a); }
Value operator*(const Value& a, double b) { return with_constant<Op::MulConst>(a, b); }
Value operator*(double a, const Value& b) { return with_constant<Op::MulConst>(b, a); }
Value operator/(const Value& a, double b) { return with_constant<Op::DivConst>(a, b); }
Value operator/(double a, const Value& b) { return with_constant<Op::ConstDiv>(b, a); }

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
