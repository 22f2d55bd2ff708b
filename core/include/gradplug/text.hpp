// Checks on text from files: whatever gradplug reads as a name (a CSV column or class label, a
// config value) ends up in JSON, CSV and SVG outputs, so it must be valid UTF-8 there.
#pragma once

#include <cstddef>
#include <string>

namespace gradplug {

// Valid UTF-8 (RFC 3629: no overlongs, no surrogates, at most U+10FFFF): the offset of the first
// bad byte, or std::string::npos.
std::size_t first_invalid_utf8(const std::string& text);

// Why `name` cannot be one component of a path gradplug creates (a run or variant directory), or
// "" when it can: not empty, "." or "..", at most 100 bytes, UTF-8 without '/', '\\', NUL or
// other control characters.
std::string path_component_problem(const std::string& name);

// `text` as one printable line for a message: control characters as \n, \t, \r or \xHH (as
// escape_control does) and each byte that is not valid UTF-8 as \xHH.
std::string printable_text(const std::string& text);

}  // namespace gradplug
