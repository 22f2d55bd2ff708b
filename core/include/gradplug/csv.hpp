// Reading a data set from a CSV file: a header row, numeric feature columns, and one target
// column chosen by name (default: the last). For a classification loss the target's distinct
// values become classes (numeric labels sorted by value, others by first appearance); for a
// regression loss the target must be numeric. Every problem is an Error naming file:line:column.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "gradplug/dataset.hpp"

namespace gradplug {

Dataset load_csv(const std::string& path, const std::string& target_column, bool classification);

// Reads the columns a trained model needs: its features by name, in its order (other columns are
// ignored), and the target column when present (mapped to the model's classes; a label the model
// never saw is an Error). Without the target column, y is empty unless require_target.
Dataset load_csv_for_model(const std::string& path, const std::vector<std::string>& feature_names,
                           const std::string& target_name,
                           const std::vector<std::string>& class_names, bool require_target);

// The same two from CSV text in memory (what the files above hold); `origin` takes the place of the
// path in messages. The file versions read the file and call these.
Dataset load_csv_text(const std::string& text, const std::string& origin,
                      const std::string& target_column, bool classification);
Dataset load_csv_for_model_text(const std::string& text, const std::string& origin,
                                const std::vector<std::string>& feature_names,
                                const std::string& target_name,
                                const std::vector<std::string>& class_names, bool require_target);

// A data file read row by row for a trained model's inputs (what predict streams), with the
// checks of load_csv_for_model (no target is read): a file of any length in bounded memory.
class CsvModelRows {
 public:
  CsvModelRows(const std::string& path, const std::vector<std::string>& feature_names);
  ~CsvModelRows();
  // The next `rows` rows or fewer into `data`, replacing what it held (features in the model's
  // order); false when the file has no more.
  bool next(Dataset& data, std::size_t rows);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace gradplug
