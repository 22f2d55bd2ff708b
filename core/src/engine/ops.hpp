// Every op of the Value engine, forward and local derivative side by side (micrograd's locality):
// forward() computes a node's data from its inputs; backward() adds the node's gradient times the
// local derivative into its inputs. One struct per entry of GRADPLUG_OPS (gradplug/tape.hpp), by
// the same name; Tape::backward dispatches on Node::op to these.
#pragma once

#include <cmath>
#include <cstdint>

#include "gradplug/activation.hpp"
#include "gradplug/tape.hpp"

namespace gradplug::ops {

// What a backward step may need besides the nodes.
struct Context {
  Node* nodes;
  const std::uint32_t* operands;
  const Activation* const* activations;
};

// Leaves and constants have no inputs to pass a gradient to.
struct Leaf {
  static void backward(const Context&, const Node&) {}
};
struct Const {
  static void backward(const Context&, const Node&) {}
};

struct Add {
  static double forward(double a, double b) { return a + b; }
  static void backward(const Context& c, const Node& n) {
    c.nodes[n.a].grad += n.grad;
    c.nodes[n.b()].grad += n.grad;
  }
};

struct Sub {
  static double forward(double a, double b) { return a - b; }
  static void backward(const Context& c, const Node& n) {
    c.nodes[n.a].grad += n.grad;
    c.nodes[n.b()].grad -= n.grad;
  }
};

struct Mul {
  static double forward(double a, double b) { return a * b; }
  static void backward(const Context& c, const Node& n) {
    c.nodes[n.a].grad += c.nodes[n.b()].data * n.grad;
    c.nodes[n.b()].grad += c.nodes[n.a].data * n.grad;
  }
};

struct Div {
  static double forward(double a, double b) { return a / b; }
  // d(a/b)/da = 1/b, d(a/b)/db = -a/b^2 = -(a/b)/b
  static void backward(const Context& c, const Node& n) {
    const double b = c.nodes[n.b()].data;
    c.nodes[n.a].grad += n.grad / b;
    c.nodes[n.b()].grad -= n.grad * n.data / b;
  }
};

struct AddConst {
  static double forward(double a, double k) { return a + k; }
  static void backward(const Context& c, const Node& n) { c.nodes[n.a].grad += n.grad; }
};

struct MulConst {
  static double forward(double a, double k) { return a * k; }
  static void backward(const Context& c, const Node& n) { c.nodes[n.a].grad += n.k() * n.grad; }
};

struct DivConst {
  static double forward(double a, double k) { return a / k; }
  static void backward(const Context& c, const Node& n) { c.nodes[n.a].grad += n.grad / n.k(); }
};

struct ConstSub {
  static double forward(double a, double k) { return k - a; }
  static void backward(const Context& c, const Node& n) { c.nodes[n.a].grad -= n.grad; }
};

struct ConstDiv {
  static double forward(double a, double k) { return k / a; }
  // d(k/a)/da = -k/a^2 = -(k/a)/a
  static void backward(const Context& c, const Node& n) {
    c.nodes[n.a].grad -= n.grad * n.data / c.nodes[n.a].data;
  }
};

struct Neg {
  static double forward(double a) { return -a; }
  static void backward(const Context& c, const Node& n) { c.nodes[n.a].grad -= n.grad; }
};

// x^e, exactly as std::pow for the exponents a neuron's formulas use most (0, 1, 2: one
// rounding at most, like pow), which spares a slow library call.
inline double power(double x, double e) {
  if (e == 2.0) return x * x;
  if (e == 1.0) return x;
  if (e == 0.0) return 1.0;
  return std::pow(x, e);
}

struct PowConst {
  static double forward(double a, double k) { return power(a, k); }
  // k * a^(k-1); zero for k == 0 even at a == 0 (PyTorch's convention).
  static void backward(const Context& c, const Node& n) {
    const double k = n.k();
    if (k == 0.0) return;
    c.nodes[n.a].grad += k * power(c.nodes[n.a].data, k - 1.0) * n.grad;
  }
};

struct Pow {
  static double forward(double a, double b) { return std::pow(a, b); }
  // d/da = b * a^(b-1); d/db = a^b * log(a), taken as 0 where a == 0 and b >= 0 (PyTorch).
  static void backward(const Context& c, const Node& n) {
    const double a = c.nodes[n.a].data, b = c.nodes[n.b()].data;
    if (b != 0.0) c.nodes[n.a].grad += b * std::pow(a, b - 1.0) * n.grad;
    if (!(a == 0.0 && b >= 0.0)) c.nodes[n.b()].grad += n.data * std::log(a) * n.grad;
  }
};

struct Exp {
  static double forward(double a) { return std::exp(a); }
  static void backward(const Context& c, const Node& n) { c.nodes[n.a].grad += n.data * n.grad; }
};

struct Log {
  static double forward(double a) { return std::log(a); }
  static void backward(const Context& c, const Node& n) {
    c.nodes[n.a].grad += n.grad / c.nodes[n.a].data;
  }
};

struct Sin {
  static double forward(double a) { return std::sin(a); }
  static void backward(const Context& c, const Node& n) {
    c.nodes[n.a].grad += std::cos(c.nodes[n.a].data) * n.grad;
  }
};

struct Cos {
  static double forward(double a) { return std::cos(a); }
  static void backward(const Context& c, const Node& n) {
    c.nodes[n.a].grad -= std::sin(c.nodes[n.a].data) * n.grad;
  }
};

struct Tanh {
  // std::tanh saturates to exactly +-1 without overflow.
  static double forward(double a) { return std::tanh(a); }
  static void backward(const Context& c, const Node& n) {
    c.nodes[n.a].grad += (1.0 - n.data * n.data) * n.grad;
  }
};

struct Sigmoid {
  // exp of a non-positive number only, so no overflow for any finite a.
  static double forward(double a) {
    if (a >= 0.0) return 1.0 / (1.0 + std::exp(-a));
    const double e = std::exp(a);
    return e / (1.0 + e);
  }
  static void backward(const Context& c, const Node& n) {
    c.nodes[n.a].grad += n.data * (1.0 - n.data) * n.grad;
  }
};

struct Relu {
  static double forward(double a) { return a > 0.0 ? a : 0.0; }
  // relu'(0) = 0.
  static void backward(const Context& c, const Node& n) {
    if (c.nodes[n.a].data > 0.0) c.nodes[n.a].grad += n.grad;
  }
};

struct Softplus {
  // log(1 + e^a) = max(a, 0) + log1p(e^-|a|): no overflow, full precision for large |a|.
  static double forward(double a) {
    return std::fmax(a, 0.0) + std::log1p(std::exp(-std::fabs(a)));
  }
  static void backward(const Context& c, const Node& n) {
    c.nodes[n.a].grad += Sigmoid::forward(c.nodes[n.a].data) * n.grad;
  }
};

struct Sum {
  // Operands at operands[a .. a+b).
  static double forward(const Node* nodes, const std::uint32_t* x, std::uint32_t count) {
    double s = 0.0;
    for (std::uint32_t k = 0; k < count; ++k) s += nodes[x[k]].data;
    return s;
  }
  static void backward(const Context& c, const Node& n) {
    const std::uint32_t* x = c.operands + n.a;
    for (std::uint32_t k = 0; k < n.b(); ++k) c.nodes[x[k]].grad += n.grad;
  }
};

struct Dot {
  // Operands: w[0..b), x[0..b), then the bias when aux == 1.
  static double forward(const Node* nodes, const std::uint32_t* w, const std::uint32_t* x,
                        std::uint32_t count) {
    double s = 0.0;
    for (std::uint32_t k = 0; k < count; ++k) s += nodes[w[k]].data * nodes[x[k]].data;
    return s;
  }
  static void backward(const Context& c, const Node& n) {
    const std::uint32_t* w = c.operands + n.a;
    const std::uint32_t* x = w + n.b();
    for (std::uint32_t k = 0; k < n.b(); ++k) {
      c.nodes[w[k]].grad += c.nodes[x[k]].data * n.grad;
      c.nodes[x[k]].grad += c.nodes[w[k]].data * n.grad;
    }
    if (n.aux()) c.nodes[x[n.b()]].grad += n.grad;
  }
};

struct Primitive {
  static double forward(const Activation& f, double a) { return f.f(a); }
  static void backward(const Context& c, const Node& n) {
    const double a = c.nodes[n.a].data;
    c.nodes[n.a].grad += c.activations[n.aux()]->df(a, n.data) * n.grad;
  }
};

// The struct of an op: Impl<Op::Tanh> is Tanh.
template <Op>
struct ImplOf;
#define GRADPLUG_OP_IMPL(name, symbol, operands) \
  template <>                                    \
  struct ImplOf<Op::name> {                      \
    using type = name;                           \
  };
GRADPLUG_OPS(GRADPLUG_OP_IMPL)
#undef GRADPLUG_OP_IMPL
template <Op op>
using Impl = typename ImplOf<op>::type;

}  // namespace gradplug::ops
