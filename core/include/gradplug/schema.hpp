// Checking values against a plugin's parameter schema (shared by the host's config validation and
// by anything else that creates plugins, so the rule lives in one place).
#pragma once

#include <string>
#include <vector>

#include "gradplug/abi.h"

namespace gradplug {

// "real", "int", "bool", "pair" or "choice".
const char* type_name(gp_param_type type);

// True when x lies inside the parameter's range (and is whole for an int or a choice's index, 0 or
// 1 for a bool).
bool in_range(const gp_param& param, double x);

// The accepted values in words, e.g. "a real number in (0, inf)", "true or false" or
// "one of none, tanh".
std::string describe_accepted(const gp_param& param);

// The words of a GP_PARAM_CHOICE parameter, in order (empty for other types).
std::vector<std::string> choice_words(const gp_param& param);

// The word a choice's index stands for ("" when the index is not one of them).
std::string choice_word(const gp_param& param, double index);

// The default as text, e.g. "0.001", "[0.9, 0.999]", "false", "none".
std::string format_default(const gp_param& param);

// The shortest decimal text that reads back as x ("0.001", "1e-08", "inf").
std::string format_number(double x);

// The one check of plugin parameter values against their schema (the registry runs it whenever it
// creates a plugin; the host runs it while reading a config, to place errors in the file): values
// hold one gp_value per schema entry, in order. Throws Error(key path, detail) for the first value
// outside its range, e.g. Error("optimizer.lr", "'-1' is out of range; expected a real number in
// [0, inf)"); the key path is key_prefix + "." + the parameter's name ("betas[1]" for the second
// of a pair), or the name alone when key_prefix is empty.
void check_values(const gp_param* params, std::size_t count, const std::vector<gp_value>& values,
                  const std::string& key_prefix);

// One gp_value per schema entry, filled with the defaults.
std::vector<gp_value> default_values(const gp_param* params, std::size_t count);

}  // namespace gradplug
