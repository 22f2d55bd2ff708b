// Reading a data set from a CSV file: a header row, numeric feature columns, and one target
// column chosen by name (default: the last). For a classification loss the target's distinct
// values become classes (numeric labels sorted by value, others by first appearance); for a
// regression loss the target must be numeric. Every problem is an Error naming file:line:column.
#pragma once

#include <string>

#include "gradplug/dataset.hpp"

namespace gradplug {

Dataset load_csv(const std::string& path, const std::string& target_column, bool classification);

}  // namespace gradplug
