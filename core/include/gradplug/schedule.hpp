// Learning-rate schedules: the lr for step k (0-based) of `total` steps, from the optimizer's
// base lr. linear: base + (final - base) * k / total (micrograd's demo: 1.0 - 0.9 k / 100);
// step: base * gamma^floor(k / step_size); cosine: final + (base - final) (1 + cos(pi k / total)) / 2.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace gradplug {

struct Schedule {
  enum class Kind { Constant, Linear, Step, Cosine };
  Kind kind = Kind::Constant;
  double final_lr = 0.0;       // linear, cosine
  std::size_t step_size = 1;   // step
  double gamma = 0.1;          // step

  double lr(double base_lr, std::size_t k, std::size_t total) const;

  static const std::vector<std::string>& names();  // "constant", "linear", "step", "cosine"
  static const char* name(Kind kind);
};

}  // namespace gradplug
