#include "gradplug/csv.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <map>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "csv_table.hpp"
#include "gradplug/error.hpp"
#include "gradplug/input_file.hpp"
#include "gradplug/limits.hpp"
#include "gradplug/text.hpp"

namespace gradplug {

using csv::Field;
using csv::number_at;
using csv::parse_number;
using csv::read_table;
using csv::Row;
using csv::Table;

namespace {

// The whole file as text, within the limit for a data file.
std::string read_file(const std::string& path) {
  return read_input_file(path, limits::kDataBytes, "data file (CSV)");
}

}  // namespace

Dataset load_csv(const std::string& path, const std::string& target_column, bool classification) {
  return load_csv_text(read_file(path), path, target_column, classification);
}

Dataset load_csv_text(const std::string& text, const std::string& path,
                      const std::string& target_column, bool classification) {
  const Table t = read_table(text, path);
  if (t.header.size() < 2)
    throw Error(t.at(t.header_line, 1) + ": the header has " + std::to_string(t.header.size()) +
                " column; expected at least one feature and one target, separated by commas");
  std::size_t target = t.header.size() - 1;
  if (!target_column.empty()) {
    target = t.find(target_column);
    if (target == t.header.size())
      throw Error(t.at(t.header_line, 1) + ": no column named '" + target_column +
                  "' for the target; columns: " + t.columns());
  }
  Dataset d;
  d.features = t.header.size() - 1;
  d.rows = t.rows.size();
  d.target_name = t.header[target].text;
  for (std::size_t k = 0; k < t.header.size(); ++k)
    if (k != target) d.feature_names.push_back(t.header[k].text);
  std::vector<std::string> labels;
  for (const Row& row : t.rows) {
    for (std::size_t k = 0; k < row.fields.size(); ++k) {
      if (k == target && classification) {
        if (row.fields[k].text.empty())
          throw Error(t.at(row.line, row.fields[k].column) + ": empty class label");
        csv::check_utf8(t, row.line, row.fields[k], "class label");
        labels.push_back(row.fields[k].text);
      } else if (k == target) {
        d.y.push_back(number_at(
            t, row, k, "a regression target must be numeric (or use a classification loss)"));
      } else {
        d.x.push_back(number_at(t, row, k, "features must be numbers"));
      }
    }
  }
  if (classification) {
    // Numeric labels sort by value (so digits 0..9 keep their order); others by first appearance.
    std::vector<std::string> classes;
    bool numeric = true;
    std::unordered_set<std::string> seen;
    for (const auto& l : labels) {
      double v;
      numeric = numeric && parse_number(l, v);
      if (seen.insert(l).second) classes.push_back(l);
    }
    if (numeric)
      std::sort(classes.begin(), classes.end(), [](const std::string& a, const std::string& b) {
        return std::strtod(a.c_str(), nullptr) < std::strtod(b.c_str(), nullptr);  // never throws
      });
    if (classes.size() < 2)
      throw Error(path + ": the target column '" + d.target_name +
                  "' has a single class; classification needs at least two");
    std::unordered_map<std::string, double> index;
    for (std::size_t c = 0; c < classes.size(); ++c) index[classes[c]] = static_cast<double>(c);
    for (const auto& l : labels) d.y.push_back(index[l]);
    d.class_names = classes;
  }
  return d;
}

Dataset load_csv_for_model(const std::string& path, const std::vector<std::string>& feature_names,
                           const std::string& target_name,
                           const std::vector<std::string>& class_names, bool require_target) {
  return load_csv_for_model_text(read_file(path), path, feature_names, target_name, class_names,
                                 require_target);
}

Dataset load_csv_for_model_text(const std::string& text, const std::string& path,
                                const std::vector<std::string>& feature_names,
                                const std::string& target_name,
                                const std::vector<std::string>& class_names, bool require_target) {
  const Table t = read_table(text, path);
  std::vector<std::size_t> columns;
  for (const auto& name : feature_names) {
    const std::size_t k = t.find(name);
    if (k == t.header.size())
      throw Error(t.at(t.header_line, 1) + ": no column '" + name +
                  "', which the model takes as an input; columns: " + t.columns());
    columns.push_back(k);
  }
  // Predicting uses no target: its column, if any, is not read (nor its labels checked).
  const std::size_t target =
      target_name.empty() || !require_target ? t.header.size() : t.find(target_name);
  if (require_target && target == t.header.size())
    throw Error(t.at(t.header_line, 1) + ": no target column '" + target_name +
                "' to evaluate against; columns: " + t.columns());
  Dataset d;
  d.rows = t.rows.size();
  d.features = feature_names.size();
  d.feature_names = feature_names;
  d.target_name = target_name;
  d.class_names = class_names;
  for (const Row& row : t.rows) {
    for (std::size_t k : columns)
      d.x.push_back(number_at(t, row, k, "the model's inputs must be numbers"));
    if (target == t.header.size()) continue;
    if (class_names.empty()) {
      d.y.push_back(number_at(t, row, target, "a regression target must be numeric"));
      continue;
    }
    const Field& f = row.fields[target];
    const auto it = std::find(class_names.begin(), class_names.end(), f.text);
    if (it == class_names.end()) {
      std::string known;
      for (const auto& c : class_names) known += (known.empty() ? "" : ", ") + c;
      throw Error(t.at(row.line, f.column) + ": class '" + f.text +
                  "' was not seen in training; the model knows: " + known);
    }
    d.y.push_back(static_cast<double>(it - class_names.begin()));
  }
  if (target == t.header.size()) d.y.clear();
  return d;
}

}  // namespace gradplug
