// Params: the plain typed map a plugin's constructor receives (built from the host-validated
// gp_value array and the plugin's own schema). Lookups of names that are not in the schema are
// programmer errors and throw std::logic_error.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

#include "gradplug/abi.h"

namespace gradplug {

// Every value is already inside its schema range when a plugin sees it. A Params views the arrays
// it was made from: read what you need in the constructor, do not keep the Params.
class Params {
 public:
  // Made by GRADPLUG_PLUGIN's create function: one value per schema entry, in schema order.
  Params(const gp_param* schema, std::size_t count, const gp_value* values)
      : schema_(schema), count_(count), values_(values) {}

  // The GP_PARAM_REAL parameter `name`.
  double real(std::string_view name) const { return find(name).v[0]; }
  // The GP_PARAM_INT parameter `name`.
  long long integer(std::string_view name) const { return static_cast<long long>(find(name).v[0]); }
  // The GP_PARAM_BOOL parameter `name`.
  bool flag(std::string_view name) const { return find(name).v[0] != 0.0; }
  // The GP_PARAM_PAIR parameter `name`, e.g. Adam's betas.
  std::array<double, 2> pair(std::string_view name) const {
    const gp_value& v = find(name);
    return {v.v[0], v.v[1]};
  }
  // The GP_PARAM_CHOICE parameter `name`: the chosen word, e.g. "tanh" (a view of the schema's
  // list, valid as long as the plugin is loaded).
  std::string_view choice(std::string_view name) const {
    const std::size_t i = index_of(name);
    std::string_view words = schema_[i].choices ? schema_[i].choices : "";
    for (auto k = static_cast<std::size_t>(values_[i].v[0]); k > 0; --k)
      words.remove_prefix(std::min(words.size(), words.find('|') + 1));
    return words.substr(0, words.find('|'));
  }
  // The GP_PARAM_CHOICE parameter `name` as the index of the chosen word (0 for the first).
  std::size_t choice_index(std::string_view name) const {
    return static_cast<std::size_t>(find(name).v[0]);
  }

 private:
  std::size_t index_of(std::string_view name) const {
    for (std::size_t i = 0; i < count_; ++i)
      if (name == schema_[i].name) return i;
    throw std::logic_error("plugin asked for parameter '" + std::string(name) +
                           "' that its schema does not declare");
  }
  const gp_value& find(std::string_view name) const { return values_[index_of(name)]; }

  const gp_param* schema_;
  std::size_t count_;
  const gp_value* values_;
};

}  // namespace gradplug
