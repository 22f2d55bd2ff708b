#include "compare/variant_args.hpp"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <sstream>

#include "config/number_text.hpp"
#include "gradplug/error.hpp"
#include "gradplug/limits.hpp"
#include "gradplug/schema.hpp"
#include "gradplug/text.hpp"

namespace gradplug::host {

namespace {

constexpr long kMaxCount = 1000;  // points of one linspace/logspace

// LOW, HIGH and COUNT of "linspace(LOW,HIGH,COUNT)"; errors say which argument is wrong.
struct Range {
  double lo = 0, hi = 0;
  std::int64_t n = 0;
};

Range read_range(const std::vector<std::string>& args, const std::string& kind,
                 const std::string& flag) {
  const std::string form = kind + "LOW,HIGH,COUNT), e.g. " + kind + "1e-4,1,9)";
  if (args.size() != 3)
    throw Error(flag + ": expected three arguments, " + form + "; got " +
                std::to_string(args.size()));
  Range r;
  const char* names[] = {"LOW", "HIGH"};
  double* ends[] = {&r.lo, &r.hi};
  for (int i = 0; i < 2; ++i)
    if (std::string problem = real_problem(args[i], "'" + args[i] + "'", *ends[i]);
        !problem.empty())
      throw Error(flag + ": " + names[i] + ": " + problem + "; expected " + form);
  if (std::string problem = integer_problem(args[2], "'" + args[2] + "'", 2, kMaxCount, r.n);
      !problem.empty())
    throw Error(flag + ": COUNT: " + problem + "; expected " + form);
  return r;
}

// A value as twelve significant digits: logspace(0.01,1,3) gives 0.01, 0.1, 1, not
// 0.010000000000000004.
std::string short_number(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.12g", v);
  return format_number(std::strtod(text, nullptr));
}

}  // namespace

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream in(text);
  while (std::getline(in, part, separator)) {
    const std::size_t first = part.find_first_not_of(" \t");
    const std::size_t last = part.find_last_not_of(" \t");
    parts.push_back(first == std::string::npos ? "" : part.substr(first, last - first + 1));
  }
  if (!text.empty() && text.back() == separator) parts.emplace_back();
  return parts;
}

std::vector<std::string> sweep_values(const std::string& text, const std::string& flag) {
  for (const std::string kind : {"logspace(", "linspace("}) {
    if (text.rfind(kind, 0) != 0) continue;
    if (text.back() != ')') throw Error(flag + ": missing ')' in '" + text + "'");
    const Range r =
        read_range(split(text.substr(kind.size(), text.size() - kind.size() - 1), ','), kind, flag);
    const bool log = kind[1] == 'o';
    if (log && !(r.lo > 0 && r.hi > 0))
      throw Error(flag + ": logspace needs positive ends (LOW and HIGH), got " + text);
    std::vector<std::string> values;
    for (std::int64_t i = 0; i < r.n; ++i) {
      const double t = static_cast<double>(i) / static_cast<double>(r.n - 1);
      const double v =
          log ? std::pow(10.0, std::log10(r.lo) + t * (std::log10(r.hi) - std::log10(r.lo)))
              : r.lo + t * (r.hi - r.lo);
      if (!std::isfinite(v))
        throw Error(flag +
                    ": the points between LOW and HIGH are not finite numbers (HIGH - LOW "
                    "is too large); choose ends closer together");
      values.push_back(short_number(v));
    }
    return values;
  }
  const auto values = split(text, ',');
  if (values.empty())
    throw Error(flag +
                ": no values; expected KEY=a,b,c, KEY=linspace(LOW,HIGH,COUNT) or "
                "KEY=logspace(LOW,HIGH,COUNT), e.g. optimizer.lr=0.1,0.01");
  for (const auto& v : values)
    if (v.empty()) throw Error(flag + ": empty value in '" + text + "'");
  return values;
}

void check_run_count(std::size_t variants, const std::vector<std::size_t>& sweep_sizes,
                     std::size_t seeds) {
  // In doubles: the product of a few factors below 2^53 each is exact enough to compare and
  // cannot wrap around as a size_t would.
  double runs = static_cast<double>(variants) * static_cast<double>(seeds);
  std::string product = std::to_string(variants) + (variants == 1 ? " variant" : " variants");
  for (std::size_t n : sweep_sizes) {
    runs *= static_cast<double>(n);
    product += " x " + std::to_string(n) + " sweep values";
  }
  product += " x " + std::to_string(seeds) + (seeds == 1 ? " seed" : " seeds");
  if (runs <= static_cast<double>(limits::kRuns)) return;
  char total[32];
  std::snprintf(total, sizeof total, "%.0f", runs);
  throw Error("gradplug compare: --optimizers/compare:, --sweep and --seeds ask for " + product +
              " = " + total + " runs; a comparison has at most " + std::to_string(limits::kRuns) +
              " runs (fewer sweep values or seeds)");
}

std::string variant_folder(const std::string& label, const std::string& origin, bool named) {
  const auto refuse = [&](const std::string& why) {
    throw Error(origin + ": variant label '" + printable_text(label) + "' " + why +
                "; a label becomes a folder name: any text without '/' or control "
                "characters, and not '.' or '..'");
  };
  if (label.empty()) refuse("is empty");
  if (named && (label == "." || label == "..")) refuse("is not a folder name");
  if (named && label.find('/') != std::string::npos) refuse("holds a '/'");
  for (unsigned char c : label)
    if (c < 0x20 || c == 0x7F) refuse("holds a control character");
  if (first_invalid_utf8(label) != std::string::npos) refuse("is not UTF-8 text");
  std::string out;
  for (char c : label)
    out += std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' ? c : '_';
  return out.substr(0, 80);  // "...", the shortest that is all dots, is still a plain name
}

}  // namespace gradplug::host
