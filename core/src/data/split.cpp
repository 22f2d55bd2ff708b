#include "gradplug/split.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <string>

#include "gradplug/error.hpp"
#include "gradplug/schema.hpp"

namespace gradplug {

Dataset select_rows(const Dataset& data, const std::vector<std::size_t>& rows) {
  Dataset out;
  out.rows = rows.size();
  out.features = data.features;
  out.target_columns = data.target_columns;
  out.class_names = data.class_names;
  out.feature_names = data.feature_names;
  out.target_name = data.target_name;
  out.x.reserve(rows.size() * data.features);
  out.y.reserve(rows.size() * data.target_columns);
  for (std::size_t r : rows) {
    out.x.insert(out.x.end(), data.row(r), data.row(r) + data.features);
    out.y.insert(out.y.end(), data.target(r), data.target(r) + data.target_columns);
  }
  return out;
}

Splits split_dataset(const Dataset& data, SplitFractions fractions, Random& rng) {
  // Groups of rows that are split in the same proportions: one per class, or one in all.
  std::map<double, std::vector<std::size_t>> groups;
  for (std::size_t r = 0; r < data.rows; ++r)
    groups[data.is_classification() ? data.target(r)[0] : 0.0].push_back(r);
  Splits s;
  for (auto& [label, rows] : groups) {
    for (std::size_t i = rows.size(); i > 1; --i) std::swap(rows[i - 1], rows[rng.below(i)]);
    const auto n = static_cast<double>(rows.size());
    const auto n_test = static_cast<std::size_t>(std::llround(n * fractions.test));
    const auto n_val = std::min(rows.size() - n_test,
                                static_cast<std::size_t>(std::llround(n * fractions.validation)));
    for (std::size_t i = 0; i < rows.size(); ++i)
      (i < n_test           ? s.test_rows
       : i < n_test + n_val ? s.validation_rows
                            : s.train_rows)
          .push_back(rows[i]);
  }
  for (auto* rows : {&s.train_rows, &s.validation_rows, &s.test_rows})
    std::sort(rows->begin(), rows->end());
  s.train = select_rows(data, s.train_rows);
  s.validation = select_rows(data, s.validation_rows);
  s.test = select_rows(data, s.test_rows);
  return s;
}

namespace {

// The mean and standard deviation of column k, for values whose sums of squares overflow
// (|x| near 1e200) or underflow (near 1e-200): each value is divided by the column's largest
// magnitude first, so every term is at most 1 and the results (at most that magnitude) are finite.
void fit_scaled(const Dataset& train, std::size_t k, double& mean, double& sd) {
  const auto n = static_cast<double>(train.rows);
  double largest = 0;
  for (std::size_t r = 0; r < train.rows; ++r)
    largest = std::max(largest, std::fabs(train.row(r)[k]));
  mean = 0, sd = 0;
  if (largest == 0 || !std::isfinite(largest)) return;
  double m = 0;
  for (std::size_t r = 0; r < train.rows; ++r) m += train.row(r)[k] / largest;
  m /= n;
  double var = 0;
  for (std::size_t r = 0; r < train.rows; ++r) {
    const double d = train.row(r)[k] / largest - m;
    var += d * d;
  }
  mean = m * largest;
  sd = std::sqrt(var / n) * largest;
}

std::string column_name(const Dataset& data, std::size_t k) {
  return k < data.feature_names.size() ? data.feature_names[k] : "x" + std::to_string(k + 1);
}

}  // namespace

Standardizer Standardizer::fit(const Dataset& train) {
  Standardizer s;
  s.mean.assign(train.features, 0.0);
  s.scale.assign(train.features, 1.0);
  if (train.rows == 0) return s;
  const auto n = static_cast<double>(train.rows);
  for (std::size_t r = 0; r < train.rows; ++r)
    for (std::size_t k = 0; k < train.features; ++k) s.mean[k] += train.row(r)[k];
  for (double& m : s.mean) m /= n;
  std::vector<double> var(train.features, 0.0);
  for (std::size_t r = 0; r < train.rows; ++r)
    for (std::size_t k = 0; k < train.features; ++k) {
      const double d = train.row(r)[k] - s.mean[k];
      var[k] += d * d;
    }
  for (std::size_t k = 0; k < train.features; ++k) {
    double sd = std::sqrt(var[k] / n);
    // The plain sums are kept where they are finite and their squares far from underflow (a
    // column of values near 1e-300 would seem constant): the same figures as before, to the bit.
    if (!std::isfinite(s.mean[k]) || !std::isfinite(sd) || sd < 1e-140)
      fit_scaled(train, k, s.mean[k], sd);
    if (!std::isfinite(s.mean[k]) || !std::isfinite(sd))
      throw Error("data column '" + column_name(train, k) +
                  "': its mean and spread are not finite numbers; check the column's values");
    s.scale[k] = sd > 0 ? sd : 1.0;
  }
  return s;
}

void Standardizer::apply(Dataset& data) const {
  for (std::size_t r = 0; r < data.rows; ++r)
    for (std::size_t k = 0; k < data.features; ++k) {
      double& v = data.x[r * data.features + k];
      const double x = v;
      v = (x - mean[k]) / scale[k];
      // x - mean can overflow where the quotient would not (x = 1e308, mean = -1e308).
      if (!std::isfinite(v)) v = x / scale[k] - mean[k] / scale[k];
      if (!std::isfinite(v))
        throw Error("data column '" + column_name(data, k) + "': the value " + format_number(x) +
                    " is too far from the training data's mean (" + format_number(mean[k]) +
                    ", scale " + format_number(scale[k]) +
                    ") to standardize; check the column's values");
    }
}

}  // namespace gradplug
