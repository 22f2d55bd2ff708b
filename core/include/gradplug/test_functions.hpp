// Two-dimensional test functions with known minima, for watching optimizers work: each written
// once with Values, so its gradient comes from the engine. Start points and minima follow the
// usual conventions of optimization test suites.
#pragma once

#include <array>
#include <string>
#include <vector>

#include "gradplug/value.hpp"

namespace gradplug {

struct TestFunction {
  std::string name;
  std::string formula;                        // for the plot's title and the docs
  std::array<double, 2> start;                // the standard start point
  std::vector<std::array<double, 2>> minima;  // every global minimum
  double minimum_value = 0.0;
  std::array<double, 4> view;  // x_min, x_max, y_min, y_max for plots
  Value (*f)(const Value& x, const Value& y);

  // f(x, y) in plain doubles.
  double operator()(double x, double y) const;
  // f and its gradient at (x, y), through the Value engine.
  double value_and_gradient(double x, double y, std::array<double, 2>& gradient) const;
};

const std::vector<TestFunction>& test_functions();
// The function by name, or null.
const TestFunction* find_test_function(const std::string& name);

}  // namespace gradplug
