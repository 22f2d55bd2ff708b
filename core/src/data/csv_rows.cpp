// Predict's input, a chunk of rows at a time: the same table reader and checks as the whole-file
// readers in csv.cpp, over a file stream instead of text in memory.
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "csv_table.hpp"
#include "gradplug/csv.hpp"
#include "gradplug/error.hpp"

namespace gradplug {

struct CsvModelRows::State {
  std::ifstream file;
  std::unique_ptr<csv::TableReader> reader;
  std::vector<std::size_t> columns;  // the file's column of each model input
  std::vector<std::string> feature_names;
  std::size_t rows_read = 0;
};

CsvModelRows::CsvModelRows(const std::string& path, const std::vector<std::string>& feature_names)
    : state_(std::make_unique<State>()) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw Error(path + ": is a directory; give the path of a data file (CSV)");
  state_->file.open(path, std::ios::binary);
  if (!state_->file)
    throw Error(path + ": cannot open the data file (CSV): " +
                (errno == ENOENT ? std::string("no such file") : std::strerror(errno)));
  state_->reader = std::make_unique<csv::TableReader>(state_->file, path);
  const csv::Table& t = state_->reader->table();
  for (const auto& name : feature_names) {
    const std::size_t k = t.find(name);
    if (k == t.header.size())
      throw Error(t.at(t.header_line, 1) + ": no column '" + name +
                  "', which the model takes as an input; columns: " + t.columns());
    state_->columns.push_back(k);
  }
  state_->feature_names = feature_names;
}

CsvModelRows::~CsvModelRows() = default;

bool CsvModelRows::next(Dataset& data, std::size_t rows) {
  State& s = *state_;
  data.features = s.columns.size();
  data.feature_names = s.feature_names;
  data.rows = 0;
  data.x.clear();
  data.y.clear();
  csv::Row row;
  while (data.rows < rows && s.reader->next(row)) {
    for (std::size_t k : s.columns)
      data.x.push_back(
          csv::number_at(s.reader->table(), row, k, "the model's inputs must be numbers"));
    ++data.rows;
  }
  if (data.rows == 0) s.reader->require_rows(s.rows_read);
  s.rows_read += data.rows;
  if (s.file.bad())
    throw Error(s.reader->table().path + ": cannot read the data file: " + std::strerror(errno));
  return data.rows > 0;
}

}  // namespace gradplug
