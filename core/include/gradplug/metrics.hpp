// What evaluate reports about a trained model on labelled data, computed from its predictions:
// for classifiers the confusion matrix and everything derived from it (accuracy, per-class
// precision, recall and F1, their macro averages), so the figures cannot disagree; for
// regression RMSE, MAE and R^2.
#pragma once

#include <cstddef>
#include <vector>

namespace gradplug {

struct ClassScores {
  std::size_t support = 0;    // rows of this class
  std::size_t predicted = 0;  // rows predicted as this class
  // 0 where undefined (no rows predicted as, or of, the class), as scikit-learn reports them.
  double precision = 0, recall = 0, f1 = 0;
};

struct ClassificationMetrics {
  std::size_t rows = 0;
  std::vector<std::vector<std::size_t>> confusion;  // [true class][predicted class]
  double accuracy = 0;                              // the confusion matrix's diagonal / rows
  std::vector<ClassScores> classes;
  // Means over the classes that occur in the truth or the predictions (scikit-learn's labels).
  double macro_precision = 0, macro_recall = 0, macro_f1 = 0;
};

// truth[i] and predicted[i] are class indices below `classes`.
ClassificationMetrics classification_metrics(const std::vector<std::size_t>& truth,
                                             const std::vector<std::size_t>& predicted,
                                             std::size_t classes);

struct RegressionScores {
  double rmse = 0, mae = 0;
  // 1 - residual sum of squares / total sum of squares; for a constant target 1 when every
  // prediction is exact, else 0 (scikit-learn's convention).
  double r2 = 0;
};

struct RegressionMetrics {
  std::size_t rows = 0;
  std::vector<RegressionScores> columns;  // one per target column
  RegressionScores mean;                  // each score averaged over the columns
};

// targets and predictions: rows x columns, row-major, of equal size.
RegressionMetrics regression_metrics(const std::vector<double>& targets,
                                     const std::vector<double>& predictions, std::size_t columns);

}  // namespace gradplug
