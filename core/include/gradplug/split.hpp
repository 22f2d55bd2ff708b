// Train / validation / test splits (stratified by class for classification, seeded) and
// standardization fitted on the training split only.
#pragma once

#include <cstddef>
#include <vector>

#include "gradplug/dataset.hpp"
#include "gradplug/random.hpp"

namespace gradplug {

struct SplitFractions {
  double validation = 0.0;
  double test = 0.0;  // the training split takes the rest
};

struct Splits {
  Dataset train, validation, test;
  std::vector<std::size_t> train_rows, validation_rows, test_rows;  // rows of the original data
};

// Each class (or the whole set, for regression) contributes round(n * fraction) rows to the
// validation and test splits, chosen by rng; rows keep their original order within a split.
Splits split_dataset(const Dataset& data, SplitFractions fractions, Random& rng);

// The rows of data at the given indices.
Dataset select_rows(const Dataset& data, const std::vector<std::size_t>& rows);

// x' = (x - mean) / scale per feature; scale is the standard deviation (ddof 0, as scikit-learn's
// StandardScaler), or 1 for a constant feature.
struct Standardizer {
  std::vector<double> mean;
  std::vector<double> scale;

  static Standardizer fit(const Dataset& train);
  void apply(Dataset& data) const;
};

}  // namespace gradplug
