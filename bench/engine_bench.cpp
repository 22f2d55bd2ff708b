// Value engine microbenchmarks (Google Benchmark): micrograd's README expression built and
// differentiated; building and sweeping a long chain (nodes per second); bytes per node; and the
// machine's practical single-thread peak: an Eigen 1024x1024 matrix product (GFLOP/s), the
// yardstick for the achieved GFLOP/s of bench/run.py's whole-run cases. Run: cmake -S . -B build
// -DGRADPLUG_BUILD_BENCH=ON && cmake --build build --target engine_bench
//      && build/bin/engine_bench
#include <benchmark/benchmark.h>

#include <Eigen/Core>

#include "gradplug/value.hpp"

namespace {

using gradplug::Tape;
using gradplug::Value;

void MicrogradExpression(benchmark::State& state) {
  Tape tape;
  Tape::Scope scope(tape);
  tape.reserve(64);
  for (auto _ : state) {
    tape.clear();
    Value a = -4.0;
    Value b = 2.0;
    auto c = a + b;
    auto d = a * b + b.pow(3);
    c += c + 1;
    c += 1 + c + (-a);
    d += d * 2 + (b + a).relu();
    d += 3 * d + (b - a).relu();
    auto e = c - d;
    auto f = e.pow(2);
    auto g = f / 2.0;
    g += 10.0 / f;
    g.backward();
    benchmark::DoNotOptimize(a.grad());
  }
}
BENCHMARK(MicrogradExpression);

// A chain of n binary nodes y = y * c + y ... alternating ops, built then swept.
void build_chain(Tape& tape, std::int64_t n) {
  Value x(tape, 1.0);
  Value k(tape, 0.999999);
  Value y = x;
  for (std::int64_t i = 0; i < n; i += 2) y = (y * k) + x;
  benchmark::DoNotOptimize(y.data());
}

void ChainBuild(benchmark::State& state) {
  Tape tape;
  tape.reserve(static_cast<std::size_t>(state.range(0)) + 8);
  for (auto _ : state) {
    tape.clear();
    build_chain(tape, state.range(0));
  }
  state.counters["nodes_per_second"] = benchmark::Counter(
      static_cast<double>(state.range(0)), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["bytes_per_node"] =
      static_cast<double>(tape.bytes_reserved()) / static_cast<double>(tape.size());
}
BENCHMARK(ChainBuild)->Arg(1'000'000)->Arg(10'000'000)->Unit(benchmark::kMillisecond);

// Backward over a freshly built graph: what every training step does (the graph is rebuilt,
// untimed, before each sweep).
void ChainBackward(benchmark::State& state) {
  Tape tape;
  tape.reserve(static_cast<std::size_t>(state.range(0)) + 8);
  for (auto _ : state) {
    state.PauseTiming();
    tape.clear();
    build_chain(tape, state.range(0));
    state.ResumeTiming();
    tape.backward(tape.size() - 1);
  }
  state.counters["nodes_per_second"] = benchmark::Counter(
      static_cast<double>(tape.size()), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(ChainBackward)->Arg(1'000'000)->Arg(10'000'000)->Unit(benchmark::kMillisecond);

// Backward again over the same graph: includes resetting the intermediate gradients of the
// previous sweep (leaves accumulate, as in PyTorch).
void ChainBackwardAgain(benchmark::State& state) {
  Tape tape;
  tape.reserve(static_cast<std::size_t>(state.range(0)) + 8);
  build_chain(tape, state.range(0));
  for (auto _ : state) tape.backward(tape.size() - 1);
  state.counters["nodes_per_second"] = benchmark::Counter(
      static_cast<double>(tape.size()), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(ChainBackwardAgain)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

// C = A * B for n x n matrices (2 n^3 FLOPs), single-threaded Eigen as built here (-march=native).
template <typename Scalar>
void EigenGemm(benchmark::State& state) {
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  const auto n = static_cast<Eigen::Index>(state.range(0));
  const Matrix a = Matrix::Random(n, n), b = Matrix::Random(n, n);
  Matrix c(n, n);
  for (auto _ : state) {
    c.noalias() = a * b;
    benchmark::DoNotOptimize(c.data());
    benchmark::ClobberMemory();
  }
  const double flops =
      2.0 * static_cast<double>(n) * static_cast<double>(n) * static_cast<double>(n);
  state.counters["GFLOPS"] =
      benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(EigenGemm<double>)->Arg(1024)->Unit(benchmark::kMillisecond);
BENCHMARK(EigenGemm<float>)->Arg(1024)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
