#include "run/record.hpp"

#include <cmath>

#include "gradplug/error.hpp"
#include "gradplug/limits.hpp"
#include "run/json_input.hpp"

namespace gradplug::host {

using nlohmann::json;

namespace {

std::string shown(const json& v) {
  std::string text = v.dump(-1, ' ', false, json::error_handler_t::replace);
  return text.size() > 40 ? text.substr(0, 40) + "..." : text;
}

}  // namespace

Record Record::read(const std::filesystem::path& file, const std::string& what) {
  auto document =
      std::make_shared<const json>(read_json_file(file.string(), limits::kRecordBytes, what));
  Record r(*document, file.string(), what);
  r.root_ = document;
  if (!document->is_object()) r.fail("", "expected a JSON object, got " + shown(*document));
  return r;
}

Record::Record(const json& value, std::string file, std::string what, std::string path)
    : value_(&value), file_(std::move(file)), what_(std::move(what)), path_(std::move(path)) {}

std::string Record::field(const std::string& key) const {
  if (key.empty()) return path_;
  if (!key.empty() && key[0] == '[') return path_ + key;
  return path_.empty() ? key : path_ + "." + key;
}

void Record::fail(const std::string& key, const std::string& problem) const {
  const std::string name = field(key);
  throw Error(file_ + ": " + (name.empty() ? "" : "field '" + name + "': ") + problem +
              "; the file is damaged or not a gradplug " + what_);
}

bool Record::has(const std::string& key) const {
  return value_->is_object() && value_->contains(key) && !(*value_)[key].is_null();
}

const json& Record::at(const std::string& key) const {
  if (!value_->is_object()) fail("", "expected a JSON object, got " + shown(*value_));
  const auto it = value_->find(key);
  if (it == value_->end()) fail(key, "missing");
  return *it;
}

std::string Record::text(const std::string& key) const {
  const json& v = at(key);
  if (!v.is_string()) fail(key, "expected text, got " + shown(v));
  return v.get<std::string>();
}

double Record::number(const std::string& key) const {
  const json& v = at(key);
  if (v.is_null()) return NAN;
  if (!v.is_number()) fail(key, "expected a number, got " + shown(v));
  return v.get<double>();
}

std::uint64_t Record::whole(const std::string& key) const {
  const json& v = at(key);
  if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<std::int64_t>() >= 0))
    fail(key, "expected a whole number (0 or more), got " + shown(v));
  return v.get<std::uint64_t>();
}

bool Record::flag(const std::string& key) const {
  const json& v = at(key);
  if (!v.is_boolean()) fail(key, "expected true or false, got " + shown(v));
  return v.get<bool>();
}

std::vector<std::string> Record::texts(const std::string& key) const {
  const json& v = at(key);
  if (!v.is_array()) fail(key, "expected a list of texts, got " + shown(v));
  std::vector<std::string> out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (!v[i].is_string())
      fail(key + "[" + std::to_string(i) + "]", "expected text, got " + shown(v[i]));
    out.push_back(v[i].get<std::string>());
  }
  return out;
}

Record Record::object(const std::string& key) const {
  const json& v = at(key);
  if (!v.is_object()) fail(key, "expected a JSON object, got " + shown(v));
  Record r(v, file_, what_, field(key));
  r.root_ = root_;
  return r;
}

std::vector<Record> Record::objects(const std::string& key) const {
  const json& v = at(key);
  if (!v.is_array()) fail(key, "expected a list, got " + shown(v));
  std::vector<Record> out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const std::string item = key + "[" + std::to_string(i) + "]";
    if (!v[i].is_object()) fail(item, "expected a JSON object, got " + shown(v[i]));
    Record r(v[i], file_, what_, field(item));
    r.root_ = root_;
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace gradplug::host
