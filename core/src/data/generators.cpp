#include "gradplug/generators.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <numbers>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "gradplug/error.hpp"

namespace gradplug {
namespace {

std::string show(double v) {
  std::ostringstream out;
  out << v;
  return out.str();
}

[[noreturn]] void fail(const char* generator, const std::string& message) {
  throw Error(std::string(generator) + ": " + message);
}

void require_at_least(const char* generator, const char* name, std::size_t value,
                      std::size_t minimum) {
  if (value < minimum)
    fail(generator, std::string(name) + " must be at least " + std::to_string(minimum) + ", got " +
                        std::to_string(value));
}

void require_non_negative(const char* generator, const char* name, double value) {
  if (!(value >= 0.0) || !std::isfinite(value))
    fail(generator, std::string(name) + " must be a finite number >= 0, got " + show(value));
}

// rows * features, refusing a count that does not fit in memory's index type.
std::size_t cells(const char* generator, std::size_t rows, std::size_t features) {
  if (features != 0 && rows > std::numeric_limits<std::size_t>::max() / features)
    fail(generator,
         std::to_string(rows) + " rows of " + std::to_string(features) + " features are too many");
  return rows * features;
}

Dataset classification(const char* generator, std::size_t rows, std::size_t features,
                       std::size_t classes) {
  Dataset d;
  d.rows = rows;
  d.features = features;
  d.x.resize(cells(generator, rows, features));
  d.y.resize(rows);
  d.class_names.reserve(classes);
  for (std::size_t c = 0; c < classes; ++c) d.class_names.push_back(std::to_string(c));
  return d;
}

// Fisher-Yates over whole rows, drawing rng.below(i) for i = rows down to 2 (as make_moons).
void shuffle_rows(Dataset& d, Random& rng) {
  for (std::size_t i = d.rows; i > 1; --i) {
    const std::size_t j = rng.below(i);
    if (j == i - 1) continue;
    std::swap_ranges(d.x.begin() + static_cast<std::ptrdiff_t>((i - 1) * d.features),
                     d.x.begin() + static_cast<std::ptrdiff_t>(i * d.features),
                     d.x.begin() + static_cast<std::ptrdiff_t>(j * d.features));
    std::swap(d.y[i - 1], d.y[j]);
  }
}

// Gaussian noise on every coordinate, row-major; no draws when sd is 0.
void add_noise(Dataset& d, double sd, Random& rng) {
  if (sd > 0)
    for (double& v : d.x) v += sd * rng.normal();
}

// numpy.linspace(start, stop, n)[i] with endpoint=True: start + i * step, the last one exactly
// stop.
double linspace(double start, double stop, std::size_t i, std::size_t n) {
  if (i + 1 == n) return stop;
  return static_cast<double>(i) * ((stop - start) / static_cast<double>(n - 1)) + start;
}

}  // namespace

Dataset make_seed4() {
  Dataset d;
  d.rows = 4;
  d.features = 3;
  d.x = {2, 3, -1, 3, -1, 0.5, 0.5, 1, 1, 1, 1, -1};
  d.y = {10, -15, -15, 8};
  return d;
}

Dataset make_xor(std::size_t samples, double noise, Random& rng) {
  require_at_least("xor", "samples", samples, 1);
  require_non_negative("xor", "noise", noise);
  Dataset d = classification("xor", samples, 2, 2);
  if (samples == 4) {
    d.x = {-1, -1, -1, 1, 1, -1, 1, 1};
  } else {
    for (double& v : d.x) v = rng.uniform(-1.0, 1.0);  // x then y, row by row
  }
  for (std::size_t i = 0; i < samples; ++i)
    d.y[i] = (d.x[2 * i] > 0) != (d.x[2 * i + 1] > 0) ? 1.0 : 0.0;
  add_noise(d, noise, rng);
  return d;
}

Dataset make_circles(std::size_t samples, double noise, double factor, Random& rng) {
  require_at_least("circles", "samples", samples, 2);
  require_non_negative("circles", "noise", noise);
  if (!(factor > 0.0 && factor < 1.0))
    fail("circles", "factor must be in (0, 1), got " + show(factor));
  Dataset d = classification("circles", samples, 2, 2);
  const std::size_t outer = samples / 2, inner = samples - outer;
  // numpy.linspace(0, 2 pi, n, endpoint=False)[i] = i * (2 pi / n).
  auto angle = [](std::size_t i, std::size_t n) {
    return static_cast<double>(i) * (2.0 * std::numbers::pi / static_cast<double>(n));
  };
  for (std::size_t i = 0; i < outer; ++i) {
    d.x[2 * i] = std::cos(angle(i, outer));
    d.x[2 * i + 1] = std::sin(angle(i, outer));
    d.y[i] = 0;
  }
  for (std::size_t i = 0; i < inner; ++i) {
    const std::size_t r = outer + i;
    d.x[2 * r] = std::cos(angle(i, inner)) * factor;
    d.x[2 * r + 1] = std::sin(angle(i, inner)) * factor;
    d.y[r] = 1;
  }
  shuffle_rows(d, rng);
  add_noise(d, noise, rng);
  return d;
}

Dataset make_spirals(std::size_t classes, std::size_t points_per_class, double noise, Random& rng) {
  require_at_least("spirals", "classes", classes, 2);
  require_at_least("spirals", "points_per_class", points_per_class, 2);
  require_non_negative("spirals", "noise", noise);
  const std::size_t n = points_per_class;
  Dataset d = classification("spirals", cells("spirals", classes, n), 2, classes);
  for (std::size_t j = 0; j < classes; ++j) {
    const double start = 4.0 * static_cast<double>(j), stop = 4.0 * static_cast<double>(j + 1);
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t row = j * n + i;
      const double r = linspace(0.0, 1.0, i, n);
      double t = linspace(start, stop, i, n);
      if (noise > 0) t += noise * rng.normal();
      d.x[2 * row] = r * std::sin(t);
      d.x[2 * row + 1] = r * std::cos(t);
      d.y[row] = static_cast<double>(j);
    }
  }
  return d;
}

Dataset make_blobs(std::size_t samples, std::size_t centers, std::size_t features,
                   double cluster_std, double center_box, Random& rng) {
  require_at_least("blobs", "centers", centers, 1);
  require_at_least("blobs", "features", features, 1);
  require_at_least("blobs", "samples", samples, 2);
  if (samples < centers)
    fail("blobs", "samples must be at least centers (" + std::to_string(centers) +
                      ") so that every center gets a point, got " + std::to_string(samples));
  require_non_negative("blobs", "cluster_std", cluster_std);
  require_non_negative("blobs", "center_box", center_box);
  Dataset d = classification("blobs", samples, features, centers);

  std::vector<double> middle(centers * features);
  for (double& v : middle) v = rng.uniform(-center_box, center_box);

  std::size_t row = 0;
  for (std::size_t c = 0; c < centers; ++c) {
    const std::size_t count = samples / centers + (c < samples % centers ? 1 : 0);
    for (std::size_t k = 0; k < count; ++k, ++row) {
      for (std::size_t f = 0; f < features; ++f) {
        double v = middle[c * features + f];
        if (cluster_std > 0) v += cluster_std * rng.normal();
        d.x[row * features + f] = v;
      }
      d.y[row] = static_cast<double>(c);
    }
  }
  shuffle_rows(d, rng);
  return d;
}

}  // namespace gradplug
