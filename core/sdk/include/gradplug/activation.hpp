// Activation: the interface an activation plugin implements. It owns the math (f and f'); the
// engine owns the chain rule. The array forms let a whole layer cross the plugin boundary in one
// call; override them when a vectorised loop is faster, they must agree with the scalar forms.
#pragma once

#include <cstddef>

namespace gradplug {

class Activation {
 public:
  virtual ~Activation() = default;

  // y = f(x). Must be finite for every finite x.
  virtual double f(double x) const = 0;
  // f'(x), given x and y = f(x) (many derivatives are cheapest from y, e.g. tanh: 1 - y*y).
  virtual double df(double x, double y) const = 0;

  // y[i] = f(x[i]) for i < n.
  virtual void f_array(const double* x, double* y, std::size_t n) const {
    for (std::size_t i = 0; i < n; ++i) y[i] = f(x[i]);
  }
  // d[i] = f'(x[i]) given y[i] = f(x[i]), for i < n.
  virtual void df_array(const double* x, const double* y, double* d, std::size_t n) const {
    for (std::size_t i = 0; i < n; ++i) d[i] = df(x[i], y[i]);
  }
};

}  // namespace gradplug
