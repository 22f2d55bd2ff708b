#include "gradplug/text.hpp"

#include <cstdio>

namespace gradplug {

std::size_t first_invalid_utf8(const std::string& text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  for (std::size_t i = 0; i < n;) {
    const unsigned char c = s[i];
    std::size_t len = c < 0x80           ? 1
                      : (c >> 5) == 0x6  ? 2
                      : (c >> 4) == 0xE  ? 3
                      : (c >> 3) == 0x1E ? 4
                                         : 0;
    if (len == 0 || i + len > n) return i;
    for (std::size_t k = 1; k < len; ++k)
      if ((s[i + k] & 0xC0) != 0x80) return i;
    if (len == 2 && c < 0xC2) return i;
    if (len == 3 && ((c == 0xE0 && s[i + 1] < 0xA0) || (c == 0xED && s[i + 1] >= 0xA0))) return i;
    if (len == 4 && ((c == 0xF0 && s[i + 1] < 0x90) || c > 0xF4 || (c == 0xF4 && s[i + 1] >= 0x90)))
      return i;
    i += len;
  }
  return std::string::npos;
}

std::string path_component_problem(const std::string& name) {
  if (name.empty()) return "it is empty";
  if (name == "." || name == "..") return "'" + name + "' means a directory that already exists";
  if (name.size() > 100) return "it is longer than 100 bytes";
  for (const unsigned char c : name) {
    if (c == '/' || c == '\\') return "it holds a '/' or '\\' (it names one directory)";
    if (c < 0x20 || c == 0x7f) return "it holds a control character (such as a NUL or a newline)";
  }
  if (first_invalid_utf8(name) != std::string::npos) return "it is not UTF-8 text";
  return "";
}

std::string printable_text(const std::string& text) {
  std::string out;
  const auto hex = [&](unsigned char byte) {
    char code[8];
    std::snprintf(code, sizeof code, "\\x%02x", byte);
    out += code;
  };
  for (std::size_t i = 0; i < text.size();) {
    const std::string rest = text.substr(i);
    const std::size_t bad = first_invalid_utf8(rest);
    for (const char c : rest.substr(0, bad)) {
      const auto byte = static_cast<unsigned char>(c);
      if (byte >= 0x20 && byte != 0x7f)
        out += c;
      else if (c == '\n')
        out += "\\n";
      else if (c == '\t')
        out += "\\t";
      else if (c == '\r')
        out += "\\r";
      else
        hex(byte);
    }
    if (bad == std::string::npos) break;
    hex(static_cast<unsigned char>(rest[bad]));
    i += bad + 1;
  }
  return out;
}

}  // namespace gradplug
