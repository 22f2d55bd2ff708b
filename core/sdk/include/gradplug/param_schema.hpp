// One-line schema entries: constexpr helpers that build a gp_param, so a plugin's schema reads
// like its docs table:
//
//   constexpr gp_param kSchema[] = {
//       gradplug::real("lr", 1e-3, gradplug::at_least(0.0), "learning rate"),
//       gradplug::pair("betas", {0.9, 0.999}, gradplug::in_closed_open(0.0, 1.0), "decay rates"),
//       gradplug::flag("amsgrad", false, "use the running maximum of the second moment"),
//   };
//
// (or, after `using namespace gradplug::schema;`, just `real(...)`, `pair(...)`, ...). A default
// outside its range does not compile (the helper's check throws in a constant
// expression), so a plugin cannot ship one.
#pragma once

#include <cstddef>
#include <limits>

#include "gradplug/abi.h"

namespace gradplug {
inline namespace schema {

// The values a parameter accepts: [min, max], either end open; +-inf for no bound.
struct Range {
  double min;
  double max;
  bool min_open;
  bool max_open;

  constexpr bool contains(double x) const {
    return (min_open ? x > min : x >= min) && (max_open ? x < max : x <= max);
  }
};

inline constexpr double kUnbounded = std::numeric_limits<double>::infinity();

// Every real number.
constexpr Range any_real() { return {-kUnbounded, kUnbounded, true, true}; }
// [lo, inf)
constexpr Range at_least(double lo) { return {lo, kUnbounded, false, true}; }
// (lo, inf)
constexpr Range greater_than(double lo) { return {lo, kUnbounded, true, true}; }
// (0, inf)
constexpr Range positive() { return greater_than(0.0); }
// [0, inf)
constexpr Range non_negative() { return at_least(0.0); }
// [lo, hi]
constexpr Range in_closed(double lo, double hi) { return {lo, hi, false, false}; }
// [lo, hi)
constexpr Range in_closed_open(double lo, double hi) { return {lo, hi, false, true}; }
// (lo, hi]
constexpr Range in_open_closed(double lo, double hi) { return {lo, hi, true, false}; }
// (lo, hi)
constexpr Range in_open(double lo, double hi) { return {lo, hi, true, true}; }

namespace detail {

// Reached only when a default lies outside its range; in a constant expression it stops the
// build with this function's name in the compiler's message.
inline void default_outside_its_range() {}

constexpr double checked_default(double x, Range range) {
  if (!range.contains(x)) default_outside_its_range();
  return x;
}

constexpr gp_param entry(const char* name, gp_param_type type, double first, double second,
                         Range range, const char* doc) {
  return gp_param{.name = name,
                  .type = type,
                  .default_value = {checked_default(first, range), second},
                  .min = range.min,
                  .max = range.max,
                  .min_open = range.min_open ? 1 : 0,
                  .max_open = range.max_open ? 1 : 0,
                  .doc = doc,
                  .choices = nullptr};
}

// The number of words in a '|'-separated list.
constexpr std::size_t word_count(const char* list) {
  std::size_t count = 1;
  for (const char* c = list; *c; ++c) count += *c == '|' ? 1 : 0;
  return count;
}

// The index of `word` in a '|'-separated list; stops the build (in a constant expression) when
// the word is not in it.
constexpr double word_index(const char* list, const char* word) {
  double index = 0;
  for (const char* start = list;; ++index) {
    const char* w = word;
    const char* c = start;
    while (*c && *c != '|' && *w && *c == *w) ++c, ++w;
    if (*w == 0 && (*c == 0 || *c == '|')) return index;
    while (*c && *c != '|') ++c;
    if (*c == 0) break;
    start = c + 1;
  }
  default_outside_its_range();
  return -1;
}

}  // namespace detail

// A real number (GP_PARAM_REAL); read with Params::real.
constexpr gp_param real(const char* name, double default_value, Range range, const char* doc) {
  return detail::entry(name, GP_PARAM_REAL, default_value, 0.0, range, doc);
}

// A whole number (GP_PARAM_INT) in range; read with Params::integer.
constexpr gp_param integer(const char* name, long long default_value, Range range,
                           const char* doc) {
  return detail::entry(name, GP_PARAM_INT, static_cast<double>(default_value), 0.0, range, doc);
}

// true or false (GP_PARAM_BOOL); read with Params::flag.
constexpr gp_param flag(const char* name, bool default_value, const char* doc) {
  return detail::entry(name, GP_PARAM_BOOL, default_value ? 1.0 : 0.0, 0.0, in_closed(0.0, 1.0),
                       doc);
}

// Two real numbers, each in range (GP_PARAM_PAIR), e.g. Adam's betas; read with Params::pair.
struct PairDefault {
  double first;
  double second;
};
constexpr gp_param pair(const char* name, PairDefault default_value, Range range, const char* doc) {
  return detail::entry(name, GP_PARAM_PAIR, default_value.first,
                       detail::checked_default(default_value.second, range), range, doc);
}

// One word of a '|'-separated list (GP_PARAM_CHOICE), e.g. gelu's
// choice("approximate", "none|tanh", "none", "..."); read with Params::choice.
constexpr gp_param choice(const char* name, const char* choices, const char* default_choice,
                          const char* doc) {
  const double last = static_cast<double>(detail::word_count(choices) - 1);
  gp_param p = detail::entry(name, GP_PARAM_CHOICE, detail::word_index(choices, default_choice),
                             0.0, in_closed(0.0, last), doc);
  p.choices = choices;
  return p;
}

}  // namespace schema
}  // namespace gradplug
