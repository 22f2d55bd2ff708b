// The DOT drawing of a Value graph (micrograd's draw_dot), apart from `gradplug graph`'s config
// handling so a test can draw a tape holding every op.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "gradplug/tape.hpp"

namespace gradplug::host {

// The DOT text of every node on the tape: value_names[i] (may be empty, or shorter than the tape)
// labels node i; a Primitive node is labelled with the name of its activation in activations.
std::string graph_dot(const Tape& tape, const std::vector<std::string>& value_names,
                      const std::vector<std::pair<const Activation*, std::string>>& activations,
                      const std::string& title);

}  // namespace gradplug::host
