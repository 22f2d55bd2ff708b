#include "gradplug/schedule.hpp"

#include <cmath>
#include <numbers>

namespace gradplug {

double Schedule::lr(double base, std::size_t k, std::size_t total) const {
  const double progress = total ? static_cast<double>(k) / static_cast<double>(total) : 0.0;
  switch (kind) {
    case Kind::Constant:
      return base;
    case Kind::Linear:
      return base + (final_factor * base - base) * progress;
    case Kind::Step:
    {
      const std::size_t decays = k / (step_size ? step_size : 1);  // whole periods done: floor
      return base * std::pow(gamma, static_cast<double>(decays));
    }
    case Kind::Cosine:
      return final_factor * base +
             (base - final_factor * base) * (1.0 + std::cos(std::numbers::pi * progress)) / 2.0;
  }
  return base;
}

const std::vector<std::string>& Schedule::names() {
  static const std::vector<std::string> names = {"constant", "linear", "step", "cosine"};
  return names;
}

const char* Schedule::name(Kind kind) { return names()[static_cast<std::size_t>(kind)].c_str(); }

}  // namespace gradplug
