// The memory estimate that refuses runs too large for the machine: it grows with the rows seen at
// once and the units, counts the Value graph only for the graph engine, and a split larger than
// one evaluation chunk is evaluated chunk by chunk to the same loss.
#include <gtest/gtest.h>

#include "gradplug/memory_estimate.hpp"

using namespace gradplug;

TEST(MemoryEstimate, GrowsWithRowsAndUnitsAndCountsTheGraphOnlyForTheGraphEngine) {
  const MemoryNeed small = estimate_memory(2, {100, 1}, 1000, 1000, Engine::Batched);
  const MemoryNeed rows = estimate_memory(2, {100, 1}, 2000, 2000, Engine::Batched);
  const MemoryNeed graph = estimate_memory(2, {100, 1}, 1000, 1000, Engine::Graph);
  EXPECT_DOUBLE_EQ(rows.batch_bytes, 2 * small.batch_bytes);
  EXPECT_EQ(small.graph_bytes, 0.0);
  EXPECT_GT(graph.graph_bytes, small.batch_bytes);  // 32-byte nodes per weight use, per row
  EXPECT_DOUBLE_EQ(small.bytes, small.batch_bytes + small.weight_bytes);
  // 8 bytes x 1000 rows x (2 inputs + 5 x 101 units).
  EXPECT_DOUBLE_EQ(small.batch_bytes, 8.0 * 1000 * (2 + 5 * 101));
  EXPECT_GT(available_memory_bytes(), 1e8);
  EXPECT_EQ(format_memory(3.5 * 1024 * 1024 * 1024), "3.5 GiB");
}
