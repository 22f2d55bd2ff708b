// Helpers for an optimizer's load(): find a named buffer in a saved OptimizerState and check its
// size, and read the step counter, with messages that name the plugin (std::invalid_argument, as
// Optimizer::load documents).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "gradplug/optimizer.hpp"

namespace gradplug {

// Buffer `name` of a saved state, which must hold `size` values.
inline const std::vector<double>& state_buffer(const OptimizerState& state, std::string_view plugin,
                                               const char* name, std::size_t size) {
  for (const auto& [key, values] : state) {
    if (key != name) continue;
    if (values.size() != size)
      throw std::invalid_argument(std::string(plugin) + ": cannot load state: buffer '" + name +
                                  "' has " + std::to_string(values.size()) + " values, expected " +
                                  std::to_string(size) +
                                  (size == 1 ? "" : " (the size given to reset())"));
    return values;
  }
  throw std::invalid_argument(std::string(plugin) + ": cannot load state: buffer '" + name +
                              "' is missing (was it saved with other hyperparameters?)");
}

// The step counter of a saved state (buffer "step"): a whole number in [0, 2^53].
inline std::uint64_t state_step(const OptimizerState& state, std::string_view plugin) {
  const double k = state_buffer(state, plugin, "step", 1)[0];
  if (!(k >= 0.0 && k <= 9007199254740992.0 && k == std::floor(k))) {
    char text[32];
    std::snprintf(text, sizeof text, "%g", k);
    throw std::invalid_argument(
        std::string(plugin) +
        ": cannot load state: buffer 'step' must hold a whole number >= 0, not " + text);
  }
  return static_cast<std::uint64_t>(k);
}

}  // namespace gradplug
