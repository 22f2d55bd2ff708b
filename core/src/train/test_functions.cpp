#include "gradplug/test_functions.hpp"

#include <cmath>
#include <numbers>

namespace gradplug {

namespace {

Value rosenbrock(const Value& x, const Value& y) {
  return (1.0 - x).pow(2) + 100.0 * (y - x.pow(2)).pow(2);
}

Value rastrigin(const Value& x, const Value& y) {
  constexpr double two_pi = 2 * std::numbers::pi;
  return 20.0 + x.pow(2) - 10.0 * (two_pi * x).cos() + y.pow(2) - 10.0 * (two_pi * y).cos();
}

Value beale(const Value& x, const Value& y) {
  return (1.5 - x + x * y).pow(2) + (2.25 - x + x * y.pow(2)).pow(2) +
         (2.625 - x + x * y.pow(3)).pow(2);
}

Value booth(const Value& x, const Value& y) {
  return (x + 2.0 * y - 7.0).pow(2) + (2.0 * x + y - 5.0).pow(2);
}

Value himmelblau(const Value& x, const Value& y) {
  return (x.pow(2) + y - 11.0).pow(2) + (x + y.pow(2) - 7.0).pow(2);
}

// Condition number 100: the valley SGD zig-zags across and adaptive methods straighten.
Value ill_conditioned(const Value& x, const Value& y) {
  return 0.5 * (x.pow(2) + 100.0 * y.pow(2));
}

}  // namespace

double TestFunction::operator()(double x, double y) const {
  Tape tape;
  return f(Value(tape, x), Value(tape, y)).data();
}

double TestFunction::value_and_gradient(double x, double y, std::array<double, 2>& gradient) const {
  Tape tape;
  const Value vx(tape, x), vy(tape, y);
  const Value out = f(vx, vy);
  out.backward();
  gradient = {vx.grad(), vy.grad()};
  return out.data();
}

const std::vector<TestFunction>& test_functions() {
  static const std::vector<TestFunction> functions = {
      {"rosenbrock",
       "(1-x)^2 + 100 (y-x^2)^2",
       {-1.2, 1.0},
       {{1.0, 1.0}},
       0.0,
       {-2.0, 2.0, -1.0, 3.0},
       rosenbrock},
      {"rastrigin",
       "20 + x^2 - 10 cos(2 pi x) + y^2 - 10 cos(2 pi y)",
       {3.2, -2.7},
       {{0.0, 0.0}},
       0.0,
       {-4.5, 4.5, -4.5, 4.5},
       rastrigin},
      {"beale",
       "(1.5-x+xy)^2 + (2.25-x+xy^2)^2 + (2.625-x+xy^3)^2",
       {1.0, 1.5},
       {{3.0, 0.5}},
       0.0,
       {-4.5, 4.5, -4.5, 4.5},
       beale},
      {"booth",
       "(x+2y-7)^2 + (2x+y-5)^2",
       {-8.0, 8.0},
       {{1.0, 3.0}},
       0.0,
       {-10.0, 10.0, -10.0, 10.0},
       booth},
      {"himmelblau",
       "(x^2+y-11)^2 + (x+y^2-7)^2",
       {0.0, 0.0},
       {{3.0, 2.0}, {-2.805118, 3.131312}, {-3.779310, -3.283186}, {3.584428, -1.848126}},
       0.0,
       {-5.0, 5.0, -5.0, 5.0},
       himmelblau},
      {"ill_conditioned",
       "(x^2 + 100 y^2) / 2",
       {-10.0, 1.0},
       {{0.0, 0.0}},
       0.0,
       {-11.0, 11.0, -3.0, 3.0},
       ill_conditioned},
  };
  return functions;
}

const TestFunction* find_test_function(const std::string& name) {
  for (const auto& f : test_functions())
    if (f.name == name) return &f;
  return nullptr;
}

}  // namespace gradplug
