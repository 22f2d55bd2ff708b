#include "config/number_text.hpp"

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace gradplug::host {

namespace {

constexpr double kExact = 9007199254740992.0;  // 2^53: every whole double up to it is exact

// Decimal digits with an optional sign, and nothing else.
bool plain_digits(const std::string& text) {
  const std::size_t start = !text.empty() && (text[0] == '+' || text[0] == '-') ? 1 : 0;
  return text.size() > start && text.find_first_not_of("0123456789", start) == std::string::npos;
}

std::string range_text(const std::string& shown, const std::string& lo, const std::string& hi) {
  return shown + " is out of range; expected a whole number from " + lo + " to " + hi;
}

// A whole number written as a real (1e6, 2.0): "" with `out` set, else the reason.
std::string whole_real(const std::string& text, const std::string& shown, double& out) {
  const std::string not_whole = "expected a whole number, got " + shown;
  if (std::string problem = real_problem(text, shown, out); !problem.empty())
    return problem.rfind("expected a number", 0) == 0 ? not_whole : problem;
  if (std::floor(out) != out) return not_whole;
  return "";
}

}  // namespace

std::string real_problem(const std::string& text, const std::string& shown, double& out) {
  const std::string not_a_number = "expected a number, got " + shown;
  if (text.empty() || std::isspace(static_cast<unsigned char>(text[0]))) return not_a_number;
  char* end = nullptr;
  errno = 0;
  const double x = std::strtod(text.c_str(), &end);
  const bool overflow = errno == ERANGE && std::isinf(x);
  const bool underflow = errno == ERANGE && !overflow;
  if (end != text.c_str() + text.size()) return not_a_number;
  if (overflow)
    return shown + " is out of range; a number must be at most 1.7976931348623157e+308 in size";
  if (!std::isfinite(x)) return shown + " is not a finite number";
  if (underflow || (x != 0 && std::fabs(x) < std::numeric_limits<double>::min()))
    return shown +
           " is out of range: it is too close to zero (a nonzero number must be at least "
           "2.2250738585072014e-308 in size); write 0 for zero";
  out = x;
  return "";
}

std::string integer_problem(const std::string& text, const std::string& shown, std::int64_t lo,
                            std::int64_t hi, std::int64_t& out) {
  const std::string range = range_text(shown, std::to_string(lo), std::to_string(hi));
  if (plain_digits(text)) {
    const char* first = text.data() + (text[0] == '+' ? 1 : 0);
    std::int64_t value = 0;
    const auto [ptr, ec] = std::from_chars(first, text.data() + text.size(), value);
    if (ec != std::errc() || value < lo || value > hi) return range;
    out = value;
    return "";
  }
  double x = 0;
  if (std::string problem = whole_real(text, shown, x); !problem.empty()) return problem;
  if (x < static_cast<double>(lo) || x > static_cast<double>(hi)) return range;
  if (std::fabs(x) > kExact)
    return shown + " is too large to be read exactly in this form; write it in plain digits";
  out = static_cast<std::int64_t>(x);
  return "";
}

std::string unsigned_problem(const std::string& text, const std::string& shown, std::uint64_t hi,
                             std::uint64_t& out) {
  const std::string range = range_text(shown, "0", std::to_string(hi));
  if (plain_digits(text)) {
    if (text[0] == '-') {
      if (text.find_first_not_of("0", 1) != std::string::npos) return range;
      out = 0;
      return "";
    }
    const char* first = text.data() + (text[0] == '+' ? 1 : 0);
    std::uint64_t value = 0;
    const auto [ptr, ec] = std::from_chars(first, text.data() + text.size(), value);
    if (ec != std::errc() || value > hi) return range;
    out = value;
    return "";
  }
  double x = 0;
  if (std::string problem = whole_real(text, shown, x); !problem.empty()) return problem;
  if (x < 0 || x > static_cast<double>(hi)) return range;
  if (x > kExact)
    return shown + " is too large to be read exactly in this form; write it in plain digits";
  out = static_cast<std::uint64_t>(x);
  return "";
}

}  // namespace gradplug::host
