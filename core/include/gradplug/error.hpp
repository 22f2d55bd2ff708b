// Error: a failure the user caused and can fix (a config, a data file, a plugin file, a flag).
// Its message says what and what to do. An error about one config value also carries that value's
// key path ("model.layers", "regularizers[1].p") as data, so the host can put the value's origin
// (file:line:column, or the flag the user typed) in front without reading the message text.
// The host prints it and exits with code 2. Programmer errors are assertions or std::logic_error.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>

namespace gradplug {

class Error : public std::runtime_error {
 public:
  // A message that already names its place (a file:line) or needs none.
  explicit Error(const std::string& message) : std::runtime_error(message), detail_(message) {}
  // An error about the config value at key_path; what() is "key_path: detail".
  Error(std::string key_path, const std::string& detail)
      : std::runtime_error(key_path.empty() ? detail : key_path + ": " + detail),
        key_path_(std::move(key_path)),
        detail_(detail) {}

  // The config value this error is about, "" when it is about none.
  const std::string& key_path() const noexcept { return key_path_; }
  // The message without the key path.
  const std::string& detail() const noexcept { return detail_; }

 private:
  std::string key_path_;
  std::string detail_;
};

}  // namespace gradplug
