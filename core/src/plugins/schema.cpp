#include "gradplug/schema.hpp"

#include <charconv>
#include <cmath>

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
  }
  return "unknown";
}

bool in_range(const gp_param& param, double x) {
  if (std::isnan(x)) return false;
  if (param.type == GP_PARAM_BOOL) return x == 0.0 || x == 1.0;
  if (param.type == GP_PARAM_INT && std::floor(x) != x) return false;
  if (param.min_open ? !(x > param.min) : !(x >= param.min)) return false;
  if (param.max_open ? !(x < param.max) : !(x <= param.max)) return false;
  return true;
}

std::string describe_accepted(const gp_param& param) {
  if (param.type == GP_PARAM_BOOL) return "true or false";
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

std::string format_default(const gp_param& param) {
  switch (param.type) {
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

std::vector<gp_value> default_values(const gp_param* params, std::size_t count) {
  std::vector<gp_value> values(count);
  for (std::size_t i = 0; i < count; ++i)
    values[i] = gp_value{{params[i].default_value[0], params[i].default_value[1]}};
  return values;
}

}  // namespace gradplug
