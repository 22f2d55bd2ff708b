// The plugins of this build (GRADPLUG_TEST_PLUGIN_DIR), scanned once per test program, as the
// gradplug program scans its built-in directory. Shared by the core and plugin suites.
#pragma once

#include "gradplug/registry.hpp"

namespace gradplug::testing {

inline const Registry& built_in_plugins() {
  static const Registry registry = [] {
    Registry r;
    r.scan_directory(GRADPLUG_TEST_PLUGIN_DIR);
    return r;
  }();
  return registry;
}

}  // namespace gradplug::testing
