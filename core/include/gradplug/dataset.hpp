// Dataset: rows of numeric features with their targets, in memory.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "gradplug/random.hpp"

namespace gradplug {

struct Dataset {
  std::size_t rows = 0;
  std::size_t features = 0;
  std::size_t target_columns = 1;
  std::vector<double> x;  // rows * features, row-major
  std::vector<double> y;  // rows * target_columns; a class index when class_names is not empty
  std::vector<std::string> class_names;
  std::vector<std::string> feature_names;  // one per feature (CSV header, or x1, x2, ...)
  std::string target_name = "y";

  // Names x1..xn for data without a header.
  void name_features();

  bool is_classification() const { return !class_names.empty(); }
  std::size_t classes() const { return class_names.size(); }
  const double* row(std::size_t i) const { return x.data() + i * features; }
  const double* target(std::size_t i) const { return y.data() + i * target_columns; }
};

// scikit-learn's make_moons: two interleaving half circles, class 0 the upper one, with Gaussian
// noise of standard deviation `noise`, shuffled. Seeded by rng.
Dataset make_moons(std::size_t samples, double noise, Random& rng);

}  // namespace gradplug
