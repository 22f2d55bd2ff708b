// Checking values against a plugin's parameter schema (shared by the host's config validation and
// by anything else that creates plugins, so the rule lives in one place).
#pragma once

#include <string>
#include <vector>

#include "gradplug/abi.h"

namespace gradplug {

// "real", "int", "bool" or "pair".
const char* type_name(gp_param_type type);

// True when x lies inside the parameter's range (and is whole for an int, 0 or 1 for a bool).
bool in_range(const gp_param& param, double x);

// The accepted values in words, e.g. "a real number in (0, inf)" or "true or false".
std::string describe_accepted(const gp_param& param);

// The default as text, e.g. "0.001", "[0.9, 0.999]", "false".
std::string format_default(const gp_param& param);

// The shortest decimal text that reads back as x ("0.001", "1e-08", "inf").
std::string format_number(double x);

// One gp_value per schema entry, filled with the defaults.
std::vector<gp_value> default_values(const gp_param* params, std::size_t count);

}  // namespace gradplug
