#include "gradplug/csv.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <map>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "gradplug/error.hpp"
#include "gradplug/input_file.hpp"
#include "gradplug/limits.hpp"
#include "gradplug/text.hpp"

namespace gradplug {

namespace {

struct Field {
  std::string text;
  std::size_t column;  // 1-based character column where the field starts
};

struct Row {
  std::size_t line;
  std::vector<Field> fields;
};

// A CSV file as text: the header and the data rows, each field with its position.
struct Table {
  std::string path;
  std::size_t header_line = 0;
  std::vector<Field> header;
  std::vector<Row> rows;

  std::string at(std::size_t line, std::size_t column) const {
    return path + ":" + std::to_string(line) + ":" + std::to_string(column);
  }
  std::string columns() const {
    std::string names;
    for (const auto& f : header) names += (names.empty() ? "" : ", ") + f.text;
    return names;
  }
  std::size_t find(const std::string& name) const {
    for (std::size_t k = 0; k < header.size(); ++k)
      if (header[k].text == name) return k;
    return header.size();
  }
};

// Splits one line on commas (no quoting: gradplug's data sets are plain numeric tables; a quote
// character is reported rather than misread).
std::vector<Field> split_line(const std::string& line, const std::string& where) {
  std::vector<Field> fields;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = line.find(',', start);
    std::string text =
        line.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (text.find('"') != std::string::npos)
      throw Error(where + ":" + std::to_string(start + 1) +
                  ": quoted fields are not supported; write plain comma-separated values");
    const std::size_t first = text.find_first_not_of(" \t");
    const std::size_t last = text.find_last_not_of(" \t");
    fields.push_back({first == std::string::npos ? "" : text.substr(first, last - first + 1),
                      start + 1 + (first == std::string::npos ? 0 : first)});
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return fields;
}

bool parse_number(const std::string& text, double& out) {
  if (text.empty()) return false;
  char* end = nullptr;
  errno = 0;
  out = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size();
}

std::string read_file(const std::string& path) {
  return read_input_file(path, limits::kDataBytes, "data file (CSV)");
}

// A name or label must be UTF-8: it is written into JSON, CSV and SVG outputs.
void check_utf8(const Table& t, std::size_t line, const Field& f, const char* role) {
  const std::size_t bad = first_invalid_utf8(f.text);
  if (bad == std::string::npos) return;
  throw Error(t.at(line, f.column + bad) + ": the " + role +
              " is not UTF-8 text (another encoding such as Latin-1?); save the file as UTF-8");
}

// `path` names the text in messages: the file's path, or the origin given to the *_text functions.
Table read_table(const std::string& text, const std::string& path) {
  std::istringstream in(text);
  Table t;
  t.path = path;
  std::string line;
  std::size_t line_number = 0;
  auto where = [&] { return path + ":" + std::to_string(line_number); };
  while (std::getline(in, line)) {
    ++line_number;
    if (line_number == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);  // UTF-8 BOM
    if (!line.empty() && line.back() == '\r') line.pop_back();                     // CRLF
    if (line.find('\0') != std::string::npos)
      throw Error(where() + ":1: binary data, not a CSV table");
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    if (t.header.empty() &&
        static_cast<std::size_t>(std::count(line.begin(), line.end(), ',')) >= limits::kCsvColumns)
      throw Error(where() + ":1: the header has more than " + std::to_string(limits::kCsvColumns) +
                  " columns, the limit for a data file (docs/limits.md)");
    auto fields = split_line(line, where());
    if (t.header.empty()) {
      t.header = std::move(fields);
      t.header_line = line_number;
      continue;
    }
    if (fields.size() != t.header.size())
      throw Error(where() + ":1: this row has " + std::to_string(fields.size()) +
                  " fields, the header has " + std::to_string(t.header.size()) +
                  "; every row needs one value per column");
    t.rows.push_back({line_number, std::move(fields)});
  }
  if (t.header.empty())
    throw Error(path + ":1:1: the file is empty; expected a header row and data rows");
  std::unordered_set<std::string> names;  // linear: a header of many columns stays fast
  for (std::size_t i = 0; i < t.header.size(); ++i) {
    if (t.header[i].text.empty())
      throw Error(t.at(t.header_line, t.header[i].column) + ": column " + std::to_string(i + 1) +
                  " has no name");
    check_utf8(t, t.header_line, t.header[i], "column name");
    if (!names.insert(t.header[i].text).second)
      throw Error(t.at(t.header_line, t.header[i].column) + ": column name '" + t.header[i].text +
                  "' appears twice");
  }
  if (t.rows.empty())
    throw Error(path + ":" + std::to_string(t.header_line + 1) +
                ":1: the file has a header but no data rows");
  return t;
}

double number_at(const Table& t, const Row& row, std::size_t k, const char* role) {
  const Field& f = row.fields[k];
  double value = 0;
  const std::string at = t.at(row.line, f.column) + ": column '" + t.header[k].text + "': ";
  if (!parse_number(f.text, value))
    throw Error(at +
                (f.text.empty() ? std::string("empty cell") : "'" + f.text + "' is not a number") +
                "; " + role);
  if (!std::isfinite(value)) throw Error(at + "'" + f.text + "' is not a finite number");
  return value;
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
        check_utf8(t, row.line, row.fields[k], "class label");
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
