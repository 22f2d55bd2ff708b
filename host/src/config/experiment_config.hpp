// Reading an experiment from its config tree: every key checked (unknown keys, wrong types,
// out-of-range values, unknown plugin names, plugin parameters against the plugin's own schema),
// every error naming where the value came from and what would be accepted.
#pragma once

#include <string>

#include "config/config_node.hpp"
#include "gradplug/experiment.hpp"
#include "gradplug/limits.hpp"
#include "gradplug/registry.hpp"

namespace gradplug::host {

// Limits that keep a typo from allocating the machine away (the table: limits.hpp).
inline constexpr long long kMaxLayerSize = static_cast<long long>(limits::kLayerUnits);
inline constexpr long long kMaxLayers = static_cast<long long>(limits::kLayers);
inline constexpr long long kMaxSteps = static_cast<long long>(limits::kSteps);
inline constexpr long long kMaxSamples = static_cast<long long>(limits::kSamples);

// Relative data paths are taken from the config file's directory (config_dir), or from the
// current directory when they come from --set.
ExperimentSpec read_experiment(const ConfigNode& root, const Registry& registry,
                               const std::string& default_name,
                               const std::string& config_dir = ".");

// The spec as a config tree with every default filled in (what a run directory records).
ConfigNode resolved_config(const ExperimentSpec& spec, const Registry& registry);

}  // namespace gradplug::host
