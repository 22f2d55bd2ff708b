// The CSV table format, shared by the whole-file readers (csv.cpp) and the row-by-row reader
// that predict streams with (csv_rows.cpp): lines, fields with their positions, the header's
// checks and the numbers, one definition each. Internal to core/src/data.
#pragma once

#include <istream>
#include <string>
#include <vector>

namespace gradplug::csv {

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

// Reads a table line by line from a stream: the header first (checked: named, distinct, UTF-8
// columns, at most limits::kCsvColumns), then one row at a time (checked: one field per column).
// A UTF-8 BOM, CRLF line ends and blank lines are accepted; NUL bytes and lines longer than
// limits::kCsvLineBytes are refused.
class TableReader {
 public:
  TableReader(std::istream& in, const std::string& path);
  // The header and its file; `rows` stays empty here.
  const Table& table() const { return table_; }
  // The next data row, or false at the end.
  bool next(Row& row);
  // Refuses a table without data rows (once next() has returned false).
  void require_rows(std::size_t rows_read) const;

 private:
  bool next_line(std::string& line);
  std::istream& in_;
  Table table_;
  std::size_t line_number_ = 0;
};

// The whole text as a table (every row in memory).
Table read_table(const std::string& text, const std::string& path);

bool parse_number(const std::string& text, double& out);
// Field k of the row as a finite number, or an Error at its line and column naming the column
// and `role` (what the number is for).
double number_at(const Table& t, const Row& row, std::size_t k, const char* role);
// A name or label must be UTF-8: it is written into JSON, CSV and SVG outputs.
void check_utf8(const Table& t, std::size_t line, const Field& f, const char* role);

}  // namespace gradplug::csv
