// Value: a scalar in a reverse-mode autodiff graph, as easy as micrograd:
//
//   Value a = -4.0, b = 2.0;
//   auto c = a + b;
//   auto g = (c * c).tanh() + 10.0 / c;
//   g.backward();
//   a.grad();  // dg/da
//
// A Value is a handle (tape, index) to a node on a Tape (see tape.hpp for the graph's lifetime).
// Value(double) makes a leaf on the current thread's tape; arithmetic with a plain double turns
// the double into a constant node. `x += y` means x = x + y: a new node, as in micrograd.
//
// Edge cases follow IEEE arithmetic, as PyTorch does: log(0) = -inf, log(x < 0) = NaN, and a
// negative base with a fractional exponent gives NaN. tanh and sigmoid saturate exactly (to +-1,
// 0 and 1) for |x| up to 1e300 with finite gradients; relu'(0) = 0.
#pragma once

#include <cstdint>
#include <span>

#include "gradplug/activation.hpp"
#include "gradplug/tape.hpp"

namespace gradplug {

class Value {
 public:
  // A leaf on the current thread's tape.
  Value(double x);  // NOLINT(google-explicit-constructor): micrograd-style `Value a = 2.0;`
  // A leaf on the given tape.
  Value(Tape& tape, double x) : tape_(&tape), index_(tape.leaf(x)) {}
  // The node at an index of a tape.
  Value(Tape& tape, std::uint32_t index) : tape_(&tape), index_(index) {}

  double data() const { return tape_->node(index_).data; }
  double grad() const { return tape_->node(index_).grad; }
  void set_data(double x) { tape_->node(index_).data = x; }
  Tape& tape() const { return *tape_; }
  std::uint32_t index() const { return index_; }

  // d(this)/d(every node below it), accumulated into the leaves.
  void backward() const { tape_->backward(index_); }

  Value operator-() const;
  Value pow(double exponent) const;
  Value pow(const Value& exponent) const;
  Value exp() const;
  Value log() const;
  Value sin() const;
  Value cos() const;
  Value tanh() const;
  Value sigmoid() const;
  Value relu() const;
  Value softplus() const;
  // The activation plugin's f as a node; its derivative comes from the plugin's df.
  Value apply(const Activation& activation) const;

  Value& operator+=(const Value& other);
  Value& operator-=(const Value& other);
  Value& operator*=(const Value& other);
  Value& operator/=(const Value& other);

  friend Value operator+(const Value& a, const Value& b);
  friend Value operator-(const Value& a, const Value& b);
  friend Value operator*(const Value& a, const Value& b);
  friend Value operator/(const Value& a, const Value& b);
  friend Value operator+(const Value& a, double b);
  friend Value operator+(double a, const Value& b);
  friend Value operator-(const Value& a, double b);
  friend Value operator-(double a, const Value& b);
  friend Value operator*(const Value& a, double b);
  friend Value operator*(double a, const Value& b);
  friend Value operator/(const Value& a, double b);
  friend Value operator/(double a, const Value& b);

 private:
  Tape* tape_;
  std::uint32_t index_;
};

// Free-function spellings, for readability in formulas.
inline Value pow(const Value& a, double k) { return a.pow(k); }
inline Value pow(const Value& a, const Value& k) { return a.pow(k); }
inline Value exp(const Value& a) { return a.exp(); }
inline Value log(const Value& a) { return a.log(); }
inline Value sin(const Value& a) { return a.sin(); }
inline Value cos(const Value& a) { return a.cos(); }
inline Value tanh(const Value& a) { return a.tanh(); }
inline Value sigmoid(const Value& a) { return a.sigmoid(); }
inline Value relu(const Value& a) { return a.relu(); }

// One fused node for the sum of many values (all on one tape; at least one).
Value sum(std::span<const Value> values);
// One fused node for sum_k w[k] * x[k] (+ bias): what a neuron computes.
Value dot(std::span<const Value> w, std::span<const Value> x);
Value dot(std::span<const Value> w, std::span<const Value> x, const Value& bias);

}  // namespace gradplug
