// The bounds on everything gradplug reads, in one table: a damaged or hostile input meets a clear
// message at a stated limit instead of exhausting memory, the stack or the clock. Each limit is
// far above what a real experiment needs. docs/limits.md lists them for users.
#pragma once

#include <cstddef>

namespace gradplug::limits {

// Bytes of one input file.
inline constexpr std::size_t kConfigBytes = std::size_t{16} << 20;   // an experiment YAML file
inline constexpr std::size_t kModelBytes = std::size_t{2} << 30;     // model.json (50e6 weights)
inline constexpr std::size_t kDataBytes = std::size_t{4} << 30;      // a CSV data file
inline constexpr std::size_t kRecordBytes = std::size_t{256} << 20;  // summary.json, plan.json,
                                                                     // metrics.csv, shard records

// Structure.
inline constexpr int kNestingDepth = 64;                // JSON arrays/objects, YAML collections
inline constexpr std::size_t kConfigNodes = 100'000;  // YAML nodes after alias expansion
inline constexpr std::size_t kCsvColumns = 100'000;     // columns of a CSV header
inline constexpr std::size_t kCsvLineBytes = std::size_t{64} << 20;  // one line of a CSV file

// A model.
inline constexpr std::size_t kLayerUnits = 100'000;
inline constexpr std::size_t kLayers = 1000;
inline constexpr std::size_t kInputs = 1'000'000;
inline constexpr double kParameters = 50e6;  // weights and biases of all layers
inline constexpr std::size_t kSteps = 1'000'000'000;
inline constexpr std::size_t kSamples = 10'000'000;  // rows of a generated data set

// A comparison: variants times seeds.
inline constexpr std::size_t kRuns = 100'000;

}  // namespace gradplug::limits
