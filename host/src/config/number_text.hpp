// Numbers as users write them (a config scalar, a flag, a --sweep argument), read strictly: the
// whole text, finite, representable, and whole numbers exactly from their digits (never through a
// double, which rounds above 2^53). Each function returns "" with `out` set, or the reason the
// text is refused, in words that start with `shown` (the value as the caller quotes it) or say
// what would be accepted; the caller puts the place (file:line:column, or the flag) in front.
#pragma once

#include <cstdint>
#include <string>

namespace gradplug::host {

// A real number: what strtod reads, the whole text, no leading blank, not inf or nan, and either
// zero or between 2.2250738585072014e-308 (DBL_MIN: below it digits are lost) and 1.8e308.
std::string real_problem(const std::string& text, const std::string& shown, double& out);

// A whole number from lo to hi: decimal digits with an optional sign, read exactly; or a real
// form (1e6, 2.0) that is whole and at most 2^53 in magnitude, where a double is still exact.
std::string integer_problem(const std::string& text, const std::string& shown, std::int64_t lo,
                            std::int64_t hi, std::int64_t& out);

// The same for a whole number from 0 to hi (up to 2^64 - 1, as a seed may be).
std::string unsigned_problem(const std::string& text, const std::string& shown, std::uint64_t hi,
                             std::uint64_t& out);

}  // namespace gradplug::host
