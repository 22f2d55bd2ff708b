// Tape: the arena every Value lives on.
//
// Nodes are appended in creation order, so creation order is a topological order and backward is
// one reverse sweep over an array: no recursion, no per-node heap allocation, no std::function.
// A node is 32 bytes (data, grad, an operand, the op, and 8 bytes of payload: a second operand and
// an auxiliary word, or a constant held inline so `x * 2.0` is one node, not two); n-ary nodes
// keep their operand indices in a second array, and plugin activations are referenced by a small
// index into a third.
//
// Lifetime: a Value is an index into its tape. It stays valid until the tape is rewound below it
// (rewind(mark)), cleared, or destroyed; after that the index may name a different, newer node, so
// a released Value must not be used (debug builds assert that its index is still inside the tape).
// Training builds one graph per step on top of a mark and rewinds to it afterwards, so memory does
// not grow with the number of steps.
//
// Gradients: backward() seeds the root with +1 and sweeps down to the first node. Leaf gradients
// accumulate across backward calls (as in micrograd and PyTorch) until zero_grad(); gradients of
// intermediate nodes describe the latest backward only (they are reset before each sweep).
#pragma once

#include <bit>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "gradplug/activation.hpp"

namespace gradplug {

// Every op a node can record, one entry each: X(name, symbol, operands).
//   name      the Op enumerator, and the struct in core/src/engine/ops.hpp that holds the op's
//             forward and local derivative side by side (Tape::backward dispatches to it);
//   symbol    the op as a formula fragment ("+", "tanh", ...; a 'k' stands for the constant);
//   operands  where the node keeps its inputs (see Operands).
// Adding an op: one line here and its struct in ops.hpp (plus a spelling in value.hpp if users
// call it); the backward sweep, op_name, Tape::inputs and `gradplug graph` read this table.
#define GRADPLUG_OPS(X)                                                                     \
  X(Leaf, "leaf", None)         /* a variable (parameter or input to take gradients for) */ \
  X(Const, "const", None)       /* a constant (gradient never read) */                      \
  X(Add, "+", Two)              /* a + b */                                                 \
  X(Sub, "-", Two)              /* a - b */                                                 \
  X(Mul, "*", Two)              /* a * b */                                                 \
  X(Div, "/", Two)              /* a / b */                                                 \
  X(AddConst, "+k", Constant)   /* a + k (a - k is a + (-k), exactly) */                    \
  X(MulConst, "*k", Constant)   /* a * k */                                                 \
  X(DivConst, "/k", Constant)   /* a / k */                                                 \
  X(ConstSub, "k-", Constant)   /* k - a */                                                 \
  X(ConstDiv, "k/", Constant)   /* k / a */                                                 \
  X(Neg, "neg", One)            /* -a */                                                    \
  X(PowConst, "^k", Constant)   /* a ^ k */                                                 \
  X(Pow, "^", Two)              /* a ^ b */                                                 \
  X(Exp, "exp", One)            /* exp(a) */                                                \
  X(Log, "log", One)            /* log(a) */                                                \
  X(Sin, "sin", One)            /* sin(a) */                                                \
  X(Cos, "cos", One)            /* cos(a) */                                                \
  X(Tanh, "tanh", One)          /* tanh(a) */                                               \
  X(Sigmoid, "sigmoid", One)    /* 1 / (1 + exp(-a)) */                                     \
  X(Relu, "relu", One)          /* max(a, 0) */                                             \
  X(Softplus, "softplus", One)  /* log(1 + exp(a)) */                                       \
  X(Sum, "sum", List)           /* sum of n operands */                                     \
  X(Dot, "dot", Dot)            /* sum_k w_k * x_k (+ bias): what a neuron computes */      \
  X(Primitive, "f", Activation) /* f(a) from an Activation plugin */

enum class Op : std::uint32_t {
#define GRADPLUG_OP_ENUMERATOR(name, symbol, operands) name,
  GRADPLUG_OPS(GRADPLUG_OP_ENUMERATOR)
#undef GRADPLUG_OP_ENUMERATOR
};

// Where a node keeps its inputs.
enum class Operands : std::uint8_t {
  None,        // a leaf or constant
  One,         // node a
  Two,         // nodes a and b
  Constant,    // node a, and the constant k inline
  List,        // operands[a .. a + b)
  Dot,         // operands[a .. a + 2b + aux): w, then x, then the bias when aux == 1
  Activation,  // node a; aux indexes the tape's activation table
};

struct OpInfo {
  Op op;
  const char* name;  // the op's symbol
  Operands operands;
};

inline constexpr OpInfo kOps[] = {
#define GRADPLUG_OP_INFO(name, symbol, operands) {Op::name, symbol, Operands::operands},
    GRADPLUG_OPS(GRADPLUG_OP_INFO)
#undef GRADPLUG_OP_INFO
};

constexpr const OpInfo& op_info(Op op) { return kOps[static_cast<std::size_t>(op)]; }
// The op's name as a formula fragment ("+", "*", "tanh", "dot", ...).
constexpr const char* op_name(Op op) { return op_info(op).name; }

struct Node {
  double data;
  double grad;
  std::uint32_t a;  // first operand, or offset into the operand array for n-ary ops
  Op op;
  std::uint64_t payload;  // b and aux, or the constant k

  // Second operand, or operand count for n-ary ops.
  std::uint32_t b() const { return static_cast<std::uint32_t>(payload); }
  // Dot: 1 when a bias follows; Primitive: activation index.
  std::uint32_t aux() const { return static_cast<std::uint32_t>(payload >> 32); }
  // The inline constant of the *Const ops.
  double k() const { return std::bit_cast<double>(payload); }
};
static_assert(sizeof(Node) == 32, "a node is 32 bytes");

class Tape {
 public:
  // Where a graph starts; rewind() returns to it.
  struct Mark {
    std::uint32_t nodes = 0;
    std::uint32_t operands = 0;
  };

  Tape() = default;
  Tape(const Tape&) = delete;
  Tape& operator=(const Tape&) = delete;

  // The tape that Value(double) uses on this thread (each thread has its own default tape).
  static Tape& current();

  // Makes a tape current on this thread for the lifetime of the scope.
  class Scope {
   public:
    explicit Scope(Tape& tape);
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    Tape* previous_;
  };

  std::uint32_t size() const { return static_cast<std::uint32_t>(nodes_.size()); }
  Mark mark() const { return {size(), static_cast<std::uint32_t>(operands_.size())}; }
  // Releases every node created after the mark.
  void rewind(Mark mark);
  void clear() { rewind(Mark{}); }
  void reserve(std::size_t nodes, std::size_t operands = 0);
  // Bytes held by the node and operand arrays (capacity, not size).
  std::size_t bytes_reserved() const;

  Node& node(std::uint32_t i) {
    assert(i < nodes_.size() && "Value used after its tape was rewound below it");
    return nodes_[i];
  }
  const Node& node(std::uint32_t i) const {
    assert(i < nodes_.size() && "Value used after its tape was rewound below it");
    return nodes_[i];
  }

  // Appends a node and returns its index.
  std::uint32_t push(Op op, double data, std::uint32_t a = 0, std::uint32_t b = 0,
                     std::uint32_t aux = 0) {
    nodes_.push_back(Node{data, 0.0, a, op, b | (static_cast<std::uint64_t>(aux) << 32)});
    return static_cast<std::uint32_t>(nodes_.size() - 1);
  }
  // Appends a node whose payload is the constant k.
  std::uint32_t push_constant_op(Op op, double data, std::uint32_t a, double k) {
    nodes_.push_back(Node{data, 0.0, a, op, std::bit_cast<std::uint64_t>(k)});
    return static_cast<std::uint32_t>(nodes_.size() - 1);
  }
  std::uint32_t leaf(double x) { return push(Op::Leaf, x); }
  std::uint32_t constant(double x) { return push(Op::Const, x); }

  // Fused n-ary nodes, by operand index.
  std::uint32_t sum(const std::uint32_t* operands, std::uint32_t n);
  // sum_k w[k] * x[k], plus node `bias` when has_bias.
  std::uint32_t dot(const std::uint32_t* w, const std::uint32_t* x, std::uint32_t n,
                    bool has_bias = false, std::uint32_t bias = 0);
  // f(x) from an activation plugin; the activation must outlive the nodes that use it.
  std::uint32_t primitive(const Activation& activation, std::uint32_t x);

  // The nodes node i was computed from, in operand order (as its op's Operands lays them out).
  std::vector<std::uint32_t> inputs(std::uint32_t i) const;

  // Reverse sweep from root (see the header comment for the accumulation rule).
  void backward(std::uint32_t root);
  // Sets every gradient on the tape to zero.
  void zero_grad();

  const std::uint32_t* operands() const { return operands_.data(); }
  // The activation of a Primitive node (its aux index).
  const Activation* activation(std::uint32_t index) const { return activations_.at(index); }

 private:
  std::uint32_t activation_index(const Activation& activation);

  std::vector<Node> nodes_;
  std::vector<std::uint32_t> operands_;
  std::vector<const Activation*> activations_;
  // Nodes below this index may hold gradients from an earlier backward.
  std::uint32_t stale_end_ = 0;
};

}  // namespace gradplug
