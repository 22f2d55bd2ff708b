// A JSON record gradplug reads back from a directory (summary.json, plan.json, a run's status,
// a shard record): read within limits::kRecordBytes with the bounded parser (json_input.hpp),
// and every field through a typed accessor. A missing field or one of the wrong type is a
// gradplug::Error naming the file and the field ("runs[3].seed"), never a json type_error.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace gradplug::host {

class Record {
 public:
  // Reads `file`; `what` names the kind of record in messages ("run summary").
  static Record read(const std::filesystem::path& file, const std::string& what);
  Record(const nlohmann::json& value, std::string file, std::string what, std::string path = "");

  bool has(const std::string& key) const;  // present and not null
  std::string text(const std::string& key) const;
  double number(const std::string& key) const;  // a number, or null as NaN
  std::uint64_t whole(const std::string& key) const;
  bool flag(const std::string& key) const;
  std::vector<std::string> texts(const std::string& key) const;
  Record object(const std::string& key) const;
  std::vector<Record> objects(const std::string& key) const;  // an array of objects

  const nlohmann::json& value() const { return *value_; }
  [[noreturn]] void fail(const std::string& key, const std::string& problem) const;

 private:
  const nlohmann::json& at(const std::string& key) const;
  std::string field(const std::string& key) const;

  std::shared_ptr<const nlohmann::json> root_;  // keeps the document of a read() alive
  const nlohmann::json* value_;
  std::string file_, what_, path_;
};

}  // namespace gradplug::host
