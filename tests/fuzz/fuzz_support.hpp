// What every fuzz target shares: a gradplug::Error is the normal answer to a bad input; anything
// else (another exception type, a broken invariant) aborts, so libFuzzer saves the input as a crash.
// Sanitizer reports, timeouts and out-of-memory are crashes by themselves.
#pragma once

#include <cxxabi.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <memory>
#include <string>
#include <typeinfo>

#include "gradplug/error.hpp"
#include "gradplug/registry.hpp"

namespace gradplug::fuzz {

inline std::string type_name(const std::type_info& type) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> name(abi::__cxa_demangle(type.name(), nullptr, nullptr, &status),
                                              std::free);
  return status == 0 && name ? name.get() : type.name();
}

[[noreturn]] inline void fail(const std::string& what) {
  std::fprintf(stderr, "\nfuzz: %s\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}

inline void check(bool ok, const std::string& what) {
  if (!ok) fail("broken invariant: " + what);
}

// Off by default: GRADPLUG_FUZZ_STRICT=1 also treats an Error whose message does not name the
// input (`origin`) as a failure - every user error is meant to say which file it is about.
inline bool strict() {
  static const bool on = [] {
    const char* v = std::getenv("GRADPLUG_FUZZ_STRICT");
    return v && std::string(v) == "1";
  }();
  return on;
}

// Runs f; returns true when it finished, false when it threw gradplug::Error; aborts otherwise.
template <class F>
bool expect_only_errors(const char* step, const std::string& origin, F&& f) {
  try {
    f();
    return true;
  } catch (const Error& e) {
    const std::string message = e.what();
    if (message.empty()) fail(std::string(step) + ": gradplug::Error with an empty message");
    if (strict() && message.find(origin) == std::string::npos)
      fail(std::string(step) + ": the message does not name '" + origin + "': " + message);
    return false;
  } catch (const std::exception& e) {
    fail(std::string(step) + ": unexpected exception " + type_name(typeid(e)) + " (not gradplug::Error): " +
         e.what());
  } catch (...) {
    fail(std::string(step) + ": unexpected exception of a type not derived from std::exception");
  }
}

// The built-in plugins of the fuzz build, loaded once.
inline const Registry& registry() {
  static const Registry loaded = [] {
    Registry r;
    r.scan_directory(GRADPLUG_FUZZ_PLUGIN_DIR);
    if (r.plugins().empty()) fail("no plugins found in " GRADPLUG_FUZZ_PLUGIN_DIR);
    return r;
  }();
  return loaded;
}

}  // namespace gradplug::fuzz
