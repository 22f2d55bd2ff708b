#include "gradplug/memory_estimate.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "gradplug/tape.hpp"

namespace gradplug {

MemoryNeed estimate_memory(std::size_t inputs, const std::vector<std::size_t>& layers,
                           std::size_t rows_at_once, std::size_t batch, Engine engine) {
  MemoryNeed need;
  double units = 0, parameters = 0, operands = 0;
  std::size_t fan_in = inputs;
  for (std::size_t size : layers) {
    units += static_cast<double>(size);
    parameters += static_cast<double>(size) * static_cast<double>(fan_in + 1);
    operands += static_cast<double>(size) * static_cast<double>(fan_in + 1);
    fan_in = size;
  }
  // The batched kernels keep, per layer, the pre-activations, activations, a dropout copy, the
  // gradient and the activation's derivative: about five doubles per unit and row.
  need.batch_bytes =
      8.0 * static_cast<double>(rows_at_once) * (static_cast<double>(inputs) + 5 * units);
  // Weights and gradients, the kernels' transposed and plain copies, and up to four optimizer
  // buffers (Adam with amsgrad keeps three, plus a step count).
  need.weight_bytes = 8.0 * 8 * parameters;
  if (engine == Engine::Graph)  // per row: a node per input, two per unit, an operand per weight
    need.graph_bytes =
        static_cast<double>(batch) *
        (sizeof(Node) * (static_cast<double>(inputs) + 2 * units + 8) + 4 * operands);
  need.bytes = need.batch_bytes + need.weight_bytes + need.graph_bytes;
  return need;
}

double available_memory_bytes() {
  const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGE_SIZE);
  double bytes =
      pages > 0 && page > 0 ? static_cast<double>(pages) * static_cast<double>(page) : 1e18;
  rlimit limit{};
  if (::getrlimit(RLIMIT_AS, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY)
    bytes = std::min(bytes, static_cast<double>(limit.rlim_cur));
  return bytes;
}

std::string format_memory(double bytes) {
  const char* units[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB"};
  std::size_t unit = 0;
  while (unit + 1 < std::size(units) && bytes >= 1024) {
    bytes /= 1024;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text, unit == 0 ? "%.0f %s" : "%.1f %s", bytes, units[unit]);
  return text;
}

}  // namespace gradplug
