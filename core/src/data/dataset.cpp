#include "gradplug/dataset.hpp"

#include <cmath>
#include <numbers>

namespace gradplug {

void Dataset::name_features() {
  feature_names.clear();
  for (std::size_t k = 0; k < features; ++k) feature_names.push_back("x" + std::to_string(k + 1));
}

Dataset make_moons(std::size_t samples, double noise, Random& rng) {
  Dataset d;
  d.rows = samples;
  d.features = 2;
  d.class_names = {"0", "1"};
  d.x.resize(samples * 2);
  d.y.resize(samples);
  const std::size_t outer = samples / 2, inner = samples - outer;
  // As scikit-learn: linspace(0, pi, n) on each moon.
  auto angle = [](std::size_t i, std::size_t n) {
    return n > 1 ? std::numbers::pi * static_cast<double>(i) / static_cast<double>(n - 1) : 0.0;
  };
  for (std::size_t i = 0; i < outer; ++i) {
    d.x[2 * i] = std::cos(angle(i, outer));
    d.x[2 * i + 1] = std::sin(angle(i, outer));
    d.y[i] = 0;
  }
  for (std::size_t i = 0; i < inner; ++i) {
    const std::size_t r = outer + i;
    d.x[2 * r] = 1.0 - std::cos(angle(i, inner));
    d.x[2 * r + 1] = 1.0 - std::sin(angle(i, inner)) - 0.5;
    d.y[r] = 1;
  }
  // Fisher-Yates shuffle of the rows, then the noise.
  for (std::size_t i = samples; i > 1; --i) {
    const std::size_t j = rng.below(i);
    std::swap(d.x[2 * (i - 1)], d.x[2 * j]);
    std::swap(d.x[2 * (i - 1) + 1], d.x[2 * j + 1]);
    std::swap(d.y[i - 1], d.y[j]);
  }
  if (noise > 0)
    for (double& v : d.x) v += noise * rng.normal();
  d.name_features();
  return d;
}

}  // namespace gradplug
