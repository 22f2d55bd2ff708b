// What a run will need in memory, worked out before anything large is allocated: a layer of
// 10^5 units on 2*10^5 rows with a full batch would otherwise end in std::bad_alloc halfway.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "gradplug/trainer.hpp"

namespace gradplug {

struct MemoryNeed {
  double bytes = 0;         // everything below together
  double batch_bytes = 0;   // activations and gradients of the largest batch evaluated at once
  double graph_bytes = 0;   // the Value graph of one batch (engine: graph)
  double weight_bytes = 0;  // weights, gradients, their working copies and optimizer state
};

// `rows_at_once`: the most rows one pass sees (the batch, or a whole split when it is evaluated);
// `batch`: the rows of one training step.
MemoryNeed estimate_memory(std::size_t inputs, const std::vector<std::size_t>& layers,
                           std::size_t rows_at_once, std::size_t batch, Engine engine);

// The memory this process may use: physical memory, or less where an address-space limit is set.
double available_memory_bytes();

// "3.2 GiB".
std::string format_memory(double bytes);

}  // namespace gradplug
