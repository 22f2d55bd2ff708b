// Broken plugin: a plugin built against the SDK of plugin ABI version 1 (before gp_param gained
// its `choices` list). Only the leading abi_version is meant to be read: the registry must skip the
// library, naming version 1 and the version it needs, and go on with the other plugins.
#include <cstdint>

#include "gradplug/plugin.hpp"

namespace {

// ABI 1's descriptor, as an old plugin exported it (its gp_param had no `choices`).
struct AbiOneDescriptor {
  std::uint32_t abi_version;
  std::uint32_t kind;
  const char* name;
  const char* version;
  const char* description;
  const void* params;
  std::size_t param_count;
  void* (*create)(const gp_value*, char*, std::size_t);
  void (*destroy)(void*);
};

}  // namespace

extern "C" const AbiOneDescriptor old_abi_descriptor = {1,
                                                        GP_KIND_ACTIVATION,
                                                        "old_abi",
                                                        "1.0.0",
                                                        "Built for plugin ABI version 1.",
                                                        nullptr,
                                                        0,
                                                        nullptr,
                                                        nullptr};
BOOST_DLL_ALIAS(old_abi_descriptor, gradplug_plugin)
