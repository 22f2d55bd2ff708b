#include "gradplug/metrics.hpp"

#include <cmath>
#include <stdexcept>

namespace gradplug {

namespace {
double ratio(std::size_t a, std::size_t b) {
  return b == 0 ? 0.0 : static_cast<double>(a) / static_cast<double>(b);
}
}  // namespace

ClassificationMetrics classification_metrics(const std::vector<std::size_t>& truth,
                                             const std::vector<std::size_t>& predicted,
                                             std::size_t classes) {
  if (truth.size() != predicted.size())
    throw std::invalid_argument("classification_metrics: truth and predictions differ in size");
  ClassificationMetrics m;
  m.rows = truth.size();
  m.confusion.assign(classes, std::vector<std::size_t>(classes, 0));
  for (std::size_t i = 0; i < truth.size(); ++i) {
    if (truth[i] >= classes || predicted[i] >= classes)
      throw std::invalid_argument("classification_metrics: a class index is out of range");
    ++m.confusion[truth[i]][predicted[i]];
  }
  m.classes.resize(classes);
  std::size_t correct = 0, present = 0;
  for (std::size_t c = 0; c < classes; ++c) {
    ClassScores& s = m.classes[c];
    for (std::size_t k = 0; k < classes; ++k) {
      s.support += m.confusion[c][k];
      s.predicted += m.confusion[k][c];
    }
    const std::size_t hits = m.confusion[c][c];
    correct += hits;
    s.precision = ratio(hits, s.predicted);
    s.recall = ratio(hits, s.support);
    s.f1 = s.precision + s.recall > 0 ? 2 * s.precision * s.recall / (s.precision + s.recall) : 0.0;
    if (s.support == 0 && s.predicted == 0) continue;
    ++present;
    m.macro_precision += s.precision;
    m.macro_recall += s.recall;
    m.macro_f1 += s.f1;
  }
  m.accuracy = ratio(correct, m.rows);
  if (present > 0) {
    m.macro_precision /= static_cast<double>(present);
    m.macro_recall /= static_cast<double>(present);
    m.macro_f1 /= static_cast<double>(present);
  }
  return m;
}

RegressionMetrics regression_metrics(const std::vector<double>& targets,
                                     const std::vector<double>& predictions, std::size_t columns) {
  if (columns == 0 || targets.size() != predictions.size() || targets.size() % columns != 0)
    throw std::invalid_argument("regression_metrics: targets and predictions differ in shape");
  RegressionMetrics m;
  m.rows = targets.size() / columns;
  m.columns.resize(columns);
  const double n = static_cast<double>(m.rows);
  for (std::size_t k = 0; k < columns; ++k) {
    double mean = 0;
    for (std::size_t r = 0; r < m.rows; ++r) mean += targets[r * columns + k];
    mean /= n;
    double squares = 0, absolutes = 0, total = 0;
    for (std::size_t r = 0; r < m.rows; ++r) {
      const double t = targets[r * columns + k];
      const double error = predictions[r * columns + k] - t;
      squares += error * error;
      absolutes += std::abs(error);
      total += (t - mean) * (t - mean);
    }
    RegressionScores& s = m.columns[k];
    s.rmse = m.rows ? std::sqrt(squares / n) : 0.0;
    s.mae = m.rows ? absolutes / n : 0.0;
    s.r2 = total > 0 ? 1 - squares / total : (squares == 0 ? 1.0 : 0.0);
    m.mean.rmse += s.rmse / static_cast<double>(columns);
    m.mean.mae += s.mae / static_cast<double>(columns);
    m.mean.r2 += s.r2 / static_cast<double>(columns);
  }
  return m;
}

}  // namespace gradplug
