#include "csv_table.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <sstream>
#include <unordered_set>

#include "gradplug/error.hpp"
#include "gradplug/limits.hpp"
#include "gradplug/text.hpp"

namespace gradplug::csv {

namespace {

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

}  // namespace

bool parse_number(const std::string& text, double& out) {
  if (text.empty()) return false;
  char* end = nullptr;
  errno = 0;
  out = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size();
}

void check_utf8(const Table& t, std::size_t line, const Field& f, const char* role) {
  const std::size_t bad = first_invalid_utf8(f.text);
  if (bad == std::string::npos) return;
  throw Error(t.at(line, f.column + bad) + ": the " + role +
              " is not UTF-8 text (another encoding such as Latin-1?); save the file as UTF-8");
}

TableReader::TableReader(std::istream& in, const std::string& path) : in_(in) {
  table_.path = path;
  std::string line;
  if (!next_line(line))
    throw Error(path + ":1:1: the file is empty; expected a header row and data rows");
  const std::string where = path + ":" + std::to_string(line_number_);
  if (static_cast<std::size_t>(std::count(line.begin(), line.end(), ',')) >= limits::kCsvColumns)
    throw Error(where + ":1: the header has more than " + std::to_string(limits::kCsvColumns) +
                " columns, the limit for a data file (docs/limits.md)");
  table_.header = split_line(line, where);
  table_.header_line = line_number_;
  std::unordered_set<std::string> names;  // linear: a header of many columns stays fast
  for (std::size_t i = 0; i < table_.header.size(); ++i) {
    const Field& f = table_.header[i];
    if (f.text.empty())
      throw Error(table_.at(table_.header_line, f.column) + ": column " + std::to_string(i + 1) +
                  " has no name");
    check_utf8(table_, table_.header_line, f, "column name");
    if (!names.insert(f.text).second)
      throw Error(table_.at(table_.header_line, f.column) + ": column name '" + f.text +
                  "' appears twice");
  }
}

bool TableReader::next_line(std::string& line) {
  while (true) {
    line.clear();
    // A bounded getline: a file without line breaks must not become one line in memory.
    std::streambuf& buffer = *in_.rdbuf();
    std::istream::int_type c = 0;
    bool any = false;
    while ((c = buffer.sbumpc()) != std::char_traits<char>::eof() && c != '\n') {
      any = true;
      line.push_back(static_cast<char>(c));
      if (line.size() > limits::kCsvLineBytes)
        throw Error(table_.path + ":" + std::to_string(line_number_ + 1) +
                    ":1: a line longer than " + std::to_string(limits::kCsvLineBytes >> 20) +
                    " MiB, the limit for a data file (docs/limits.md); is this a CSV table?");
    }
    if (!any && c == std::char_traits<char>::eof()) return false;
    ++line_number_;
    if (line_number_ == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);  // UTF-8 BOM
    if (!line.empty() && line.back() == '\r') line.pop_back();                      // CRLF
    if (line.find('\0') != std::string::npos)
      throw Error(table_.path + ":" + std::to_string(line_number_) +
                  ":1: binary data, not a CSV table");
    if (line.find_first_not_of(" \t") != std::string::npos) return true;
  }
}

bool TableReader::next(Row& row) {
  std::string line;
  if (!next_line(line)) return false;
  const std::string where = table_.path + ":" + std::to_string(line_number_);
  row.line = line_number_;
  row.fields = split_line(line, where);
  if (row.fields.size() != table_.header.size())
    throw Error(where + ":1: this row has " + std::to_string(row.fields.size()) +
                " fields, the header has " + std::to_string(table_.header.size()) +
                "; every row needs one value per column");
  return true;
}

void TableReader::require_rows(std::size_t rows_read) const {
  if (rows_read == 0)
    throw Error(table_.path + ":" + std::to_string(table_.header_line + 1) +
                ":1: the file has a header but no data rows");
}

Table read_table(const std::string& text, const std::string& path) {
  std::istringstream in(text);
  TableReader reader(in, path);
  Table t = reader.table();
  Row row;
  while (reader.next(row)) t.rows.push_back(std::move(row));
  reader.require_rows(t.rows.size());
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
  if (!std::isfinite(value))
    throw Error(at + "'" + f.text + "' " +
                (std::isnan(value) || f.text.find_first_of("iInN") != std::string::npos
                     ? "is not a finite number"
                     : "is out of range (a double holds at most about 1.8e308 in size)"));
  return value;
}

}  // namespace gradplug::csv
