// What crossing the plugin boundary costs: one digits training step (64-128-64-10 ReLU, batch
// 64, softmax cross-entropy, forward + backward on the batched kernels) with the relu activation
// loaded from its plugin library, against the same relu source compiled into this program.
// Run: build/bin/activation_bench (built with -DGRADPLUG_BUILD_BENCH=ON).
#include <benchmark/benchmark.h>

#include <memory>
#include <numeric>

#include "gradplug/batch_kernels.hpp"
#include "gradplug/csv.hpp"
#include "gradplug/registry.hpp"
#include "gradplug/split.hpp"

// The descriptor of plugins/activations/relu.cpp, compiled into this program (see CMakeLists.txt).
extern "C" const gp_descriptor gradplug_descriptor_;

namespace {

using namespace gradplug;

std::shared_ptr<const Activation> compiled_in_relu() {
  void* instance = gradplug_descriptor_.create(nullptr, nullptr, 0);
  auto destroy = gradplug_descriptor_.destroy;
  return std::shared_ptr<const Activation>(
      static_cast<Activation*>(instance),
      [destroy](const Activation* a) { destroy(const_cast<Activation*>(a)); });
}

std::shared_ptr<const Activation> plugin_relu() {
  static const Registry registry = [] {
    Registry r;
    r.scan_directory(GRADPLUG_BENCH_PLUGIN_DIR);
    return r;
  }();
  return registry.create_activation("relu");
}

void DigitsStep(benchmark::State& state, bool from_plugin) {
  Dataset data = load_csv(GRADPLUG_BENCH_DIGITS, "digit", true);
  Standardizer::fit(data).apply(data);
  const auto relu = from_plugin ? plugin_relu() : compiled_in_relu();
  Random rng(1);
  MLP model(64, {{128, relu, "relu"}, {64, relu, "relu"}, {10, nullptr, "linear"}}, Init::He, rng);
  BatchKernels kernels;
  std::vector<double> grads(model.parameters().size());
  std::vector<std::size_t> rows(64);
  std::size_t start = 0;
  for (auto _ : state) {
    std::iota(rows.begin(), rows.end(), start);
    start = (start + 64) % (data.rows - 64);
    benchmark::DoNotOptimize(
        kernels.loss_and_gradients(model, grads.data(), data, rows, LossKind::SoftmaxCE));
  }
}

}  // namespace

BENCHMARK_CAPTURE(DigitsStep, compiled_in, false)->MinTime(1.0);
BENCHMARK_CAPTURE(DigitsStep, plugin, true)->MinTime(1.0);
BENCHMARK_CAPTURE(DigitsStep, compiled_in_again, false)->MinTime(1.0);
BENCHMARK_CAPTURE(DigitsStep, plugin_again, true)->MinTime(1.0);

BENCHMARK_MAIN();
