// Learning-rate schedules: the lr for step k (0-based) of `total` steps, from the optimizer's
// base lr, ending at final = final_factor * base (relative, so one schedule suits every optimizer
// in a comparison). linear: base + (final - base) * k / total (micrograd's demo: base 1.0,
// final_factor 0.1: 1.0 - 0.9 k / 100); step: base * gamma^floor(k / step_size);
// cosine: final + (base - final) (1 + cos(pi k / total)) / 2.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace gradplug {

struct Schedule {
  enum class Kind { Constant, Linear, Step, Cosine };
  Kind kind = Kind::Constant;
  double final_factor = 0.0;  // linear, cosine: the last lr as a fraction of the base lr
  std::size_t step_size = 1;  // step
  double gamma = 0.1;         // step

  double lr(double base_lr, std::size_t k, std::size_t total) const;

  static const std::vector<std::string>& names();  // "constant", "linear", "step", "cosine"
  static const char* name(Kind kind);
};

}  // namespace gradplug
