#include "cli/flag_numbers.hpp"

#include <cstdint>
#include <limits>
#include <string>

#include "config/number_text.hpp"
#include "gradplug/error.hpp"

namespace gradplug::host {

namespace po = boost::program_options;

namespace {

std::string as_typed(const po::option& o) {
  std::string text;
  for (const auto& token : o.original_tokens) text += (text.empty() ? "" : " ") + token;
  return text.empty() ? "--" + o.string_key : text;
}

void check_count(const po::option& o, const std::string& value) {
  const std::string shown = "'" + value + "'";
  if (!value.empty() && value[0] == '-')
    throw Error(as_typed(o) + ": " + shown + " is negative; expected a whole number (0 or more)");
  if (value.empty() || value.find_first_not_of("0123456789") != std::string::npos)
    throw Error(as_typed(o) + ": expected a whole number (digits only), got " + shown);
  std::uint64_t n = 0;
  const std::string problem =
      unsigned_problem(value, shown, std::numeric_limits<std::size_t>::max(), n);
  if (!problem.empty()) throw Error(as_typed(o) + ": " + problem);
}

void check_real(const po::option& o, const std::string& value) {
  double x = 0;
  const std::string problem = real_problem(value, "'" + value + "'", x);
  if (!problem.empty()) throw Error(as_typed(o) + ": " + problem);
}

}  // namespace

void check_flag_numbers(const po::parsed_options& parsed, const po::options_description& options) {
  for (const po::option& o : parsed.options) {
    if (o.unregistered || o.string_key.empty()) continue;
    const po::option_description* d = options.find_nothrow(o.string_key, false);
    if (!d) continue;
    const po::value_semantic* semantic = d->semantic().get();
    const bool count = dynamic_cast<const po::typed_value<std::size_t>*>(semantic) != nullptr;
    const bool real = dynamic_cast<const po::typed_value<double>*>(semantic) != nullptr;
    for (const std::string& value : o.value) {
      if (count) check_count(o, value);
      if (real) check_real(o, value);
    }
  }
}

}  // namespace gradplug::host
