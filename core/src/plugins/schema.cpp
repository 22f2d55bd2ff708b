#include "gradplug/schema.hpp"

#include <charconv>
#include <cmath>
#include <stdexcept>
#include <string_view>

#include "gradplug/error.hpp"

namespace gradplug {

std::string format_number(double x) {
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  // std::to_chars without a format gives the shortest text that reads back exactly.
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, x);
  return std::string(buffer, result.ptr);
}

const char* type_name(gp_param_type type) {
  switch (type) {
    case GP_PARAM_REAL:
      return "real";
    case GP_PARAM_INT:
      return "int";
    case GP_PARAM_BOOL:
      return "bool";
    case GP_PARAM_PAIR:
      return "pair";
    case GP_PARAM_CHOICE:
      return "choice";
  }
  return "unknown";
}

bool in_range(const gp_param& param, double x) {
  if (std::isnan(x)) return false;
  if (param.type == GP_PARAM_BOOL) return x == 0.0 || x == 1.0;
  if ((param.type == GP_PARAM_INT || param.type == GP_PARAM_CHOICE) && std::floor(x) != x)
    return false;
  if (param.min_open ? !(x > param.min) : !(x >= param.min)) return false;
  if (param.max_open ? !(x < param.max) : !(x <= param.max)) return false;
  return true;
}

std::string describe_accepted(const gp_param& param) {
  if (param.type == GP_PARAM_BOOL) return "true or false";
  if (param.type == GP_PARAM_CHOICE) {
    std::string text = "one of ";
    for (const std::string& word : choice_words(param))
      text.append(text.size() > 7 ? ", " : "").append(word);
    return text;
  }
  std::string what = param.type == GP_PARAM_INT    ? "a whole number"
                     : param.type == GP_PARAM_PAIR ? "a list of two real numbers, each"
                                                   : "a real number";
  const bool no_min = std::isinf(param.min) && param.min < 0;
  const bool no_max = std::isinf(param.max) && param.max > 0;
  if (no_min && no_max) return what;
  // Built by append: GCC 12 gives a false -Wrestrict on a long chain of string operator+.
  std::string text = what;
  text.append(" in ").append(param.min_open || no_min ? "(" : "[");
  text.append(format_number(param.min)).append(", ").append(format_number(param.max));
  text.append(param.max_open || no_max ? ")" : "]");
  return text;
}

std::vector<std::string> choice_words(const gp_param& param) {
  std::vector<std::string> words;
  if (param.type != GP_PARAM_CHOICE || !param.choices) return words;
  const std::string_view list = param.choices;
  for (std::size_t start = 0;;) {
    const std::size_t bar = list.find('|', start);
    words.emplace_back(list.substr(start, bar == std::string_view::npos ? bar : bar - start));
    if (bar == std::string_view::npos) return words;
    start = bar + 1;
  }
}

std::string choice_word(const gp_param& param, double index) {
  const std::vector<std::string> words = choice_words(param);
  if (!(index >= 0.0 && index < static_cast<double>(words.size())) || std::floor(index) != index)
    return "";
  return words[static_cast<std::size_t>(index)];
}

std::string format_default(const gp_param& param) {
  switch (param.type) {
    case GP_PARAM_CHOICE:
      return choice_word(param, param.default_value[0]);
    case GP_PARAM_BOOL:
      return param.default_value[0] != 0.0 ? "true" : "false";
    case GP_PARAM_PAIR: {
      std::string text = "[";
      text.append(format_number(param.default_value[0])).append(", ");
      return text.append(format_number(param.default_value[1])).append("]");
    }
    default:
      return format_number(param.default_value[0]);
  }
}

void check_values(const gp_param* params, std::size_t count, const std::vector<gp_value>& values,
                  const std::string& key_prefix) {
  if (values.size() != count)
    throw std::logic_error("check_values: " + std::to_string(values.size()) + " values for " +
                           std::to_string(count) + " parameters");
  for (std::size_t i = 0; i < count; ++i) {
    const gp_param& p = params[i];
    const bool pair = p.type == GP_PARAM_PAIR;
    for (int e = 0; e < (pair ? 2 : 1); ++e) {
      const double x = values[i].v[e];
      if (in_range(p, x)) continue;
      std::string key = key_prefix.empty() ? p.name : key_prefix + "." + p.name;
      if (pair) key += e == 0 ? "[0]" : "[1]";
      std::string detail = "'" + format_number(x) + "' is out of range; expected ";
      throw Error(std::move(key), detail.append(describe_accepted(p)));
    }
  }
}

std::vector<gp_value> default_values(const gp_param* params, std::size_t count) {
  std::vector<gp_value> values(count);
  for (std::size_t i = 0; i < count; ++i)
    values[i] = gp_value{{params[i].default_value[0], params[i].default_value[1]}};
  return values;
}

}  // namespace gradplug
