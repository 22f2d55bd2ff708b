#include "gradplug/csv.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "gradplug/error.hpp"

namespace gradplug {

namespace {

struct Field {
  std::string text;
  std::size_t column;  // 1-based character column where the field starts
};

// Splits one line on commas (no quoting: gradplug's data sets are plain numeric tables; a quote
// character is reported rather than misread).
std::vector<Field> split_line(const std::string& line, const std::string& where) {
  std::vector<Field> fields;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = line.find(',', start);
    std::string text = line.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (text.find('"') != std::string::npos)
      throw Error(where + ":" + std::to_string(start + 1) +
                  ": quoted fields are not supported; write plain comma-separated values");
    // Trim spaces around the value.
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

}  // namespace

Dataset load_csv(const std::string& path, const std::string& target_column, bool classification) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open the data file (does it exist and can it be read?)");
  std::string line;
  std::size_t line_number = 0;
  auto where = [&] { return path + ":" + std::to_string(line_number); };

  // Header.
  bool have_header = false;
  std::vector<Field> header;
  while (!have_header && std::getline(in, line)) {
    ++line_number;
    if (line_number == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);  // UTF-8 BOM
    if (!line.empty() && line.back() == '\r') line.pop_back();                     // CRLF
    if (line.find('\0') != std::string::npos)
      throw Error(where() + ":1: this is a binary file, not a CSV table");
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    header = split_line(line, where());
    have_header = true;
  }
  if (!have_header) throw Error(path + ":1:1: the file is empty; expected a header row and data rows");
  if (header.size() < 2)
    throw Error(where() + ":1: the header has " + std::to_string(header.size()) +
                " column; expected at least one feature and one target, separated by commas");
  const std::size_t header_line = line_number;
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (header[i].text.empty())
      throw Error(path + ":" + std::to_string(header_line) + ":" + std::to_string(header[i].column) +
                  ": column " + std::to_string(i + 1) + " has no name");
    for (std::size_t j = 0; j < i; ++j)
      if (header[j].text == header[i].text)
        throw Error(path + ":" + std::to_string(header_line) + ":" + std::to_string(header[i].column) +
                    ": column name '" + header[i].text + "' appears twice");
  }
  std::size_t target = header.size() - 1;
  if (!target_column.empty()) {
    auto it = std::find_if(header.begin(), header.end(), [&](const Field& f) { return f.text == target_column; });
    if (it == header.end()) {
      std::string names;
      for (const auto& f : header) names += (names.empty() ? "" : ", ") + f.text;
      throw Error(path + ":" + std::to_string(header_line) + ":1: no column named '" + target_column +
                  "' for the target; columns: " + names);
    }
    target = static_cast<std::size_t>(it - header.begin());
  }

  Dataset d;
  d.features = header.size() - 1;
  d.target_name = header[target].text;
  for (std::size_t k = 0; k < header.size(); ++k)
    if (k != target) d.feature_names.push_back(header[k].text);
  std::vector<std::string> labels;
  while (std::getline(in, line)) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    if (line.find('\0') != std::string::npos) throw Error(where() + ":1: binary data in a CSV table");
    const auto fields = split_line(line, where());
    if (fields.size() != header.size())
      throw Error(where() + ":1: this row has " + std::to_string(fields.size()) + " fields, the header has " +
                  std::to_string(header.size()) + "; every row needs one value per column");
    for (std::size_t k = 0; k < fields.size(); ++k) {
      const Field& f = fields[k];
      const std::string at = where() + ":" + std::to_string(f.column) + ": column '" + header[k].text + "': ";
      if (k == target && classification) {
        if (f.text.empty()) throw Error(at + "empty class label");
        labels.push_back(f.text);
        continue;
      }
      double value = 0;
      if (!parse_number(f.text, value))
        throw Error(at + (f.text.empty() ? std::string("empty cell") : "'" + f.text + "' is not a number") +
                    (k == target ? "; a regression target must be numeric (or use a classification loss)"
                                 : "; features must be numbers"));
      if (!std::isfinite(value)) throw Error(at + "'" + f.text + "' is not a finite number");
      (k == target ? d.y : d.x).push_back(value);
    }
    ++d.rows;
  }
  if (d.rows == 0)
    throw Error(path + ":" + std::to_string(header_line + 1) + ":1: the file has a header but no data rows");

  if (classification) {
    // Numeric labels sort by value (so digits 0..9 keep their order); others by first appearance.
    std::vector<std::string> classes;
    bool numeric = true;
    for (const auto& l : labels) {
      double v;
      numeric = numeric && parse_number(l, v);
      if (std::find(classes.begin(), classes.end(), l) == classes.end()) classes.push_back(l);
    }
    if (numeric)
      std::sort(classes.begin(), classes.end(),
                [](const std::string& a, const std::string& b) { return std::stod(a) < std::stod(b); });
    if (classes.size() < 2)
      throw Error(path + ": the target column '" + header[target].text +
                  "' has a single class; classification needs at least two");
    std::map<std::string, double> index;
    for (std::size_t c = 0; c < classes.size(); ++c) index[classes[c]] = static_cast<double>(c);
    d.y.clear();
    for (const auto& l : labels) d.y.push_back(index[l]);
    d.class_names = classes;
  }
  return d;
}

}  // namespace gradplug
