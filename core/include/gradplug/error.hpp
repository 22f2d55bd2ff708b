// Error: a failure the user caused and can fix (a config, a data file, a plugin file, a flag).
// Its message already says what, where and what to do; the host prints it and exits with code 2.
// Programmer errors are assertions or std::logic_error, never Error.
#pragma once

#include <stdexcept>
#include <string>

namespace gradplug {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace gradplug
