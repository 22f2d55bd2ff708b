#include "run/json_input.hpp"

#include <algorithm>

#include "gradplug/error.hpp"
#include "gradplug/input_file.hpp"
#include "gradplug/limits.hpp"

namespace gradplug::host {

namespace {

using nlohmann::json;

struct TooDeep {};

// "line L, column C" of a byte offset (1-based, as editors count).
std::string place(const std::string& text, std::size_t offset) {
  offset = std::min(offset, text.size());
  const auto line =
      1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(offset), '\n');
  const std::size_t line_start = text.rfind('\n', offset == 0 ? 0 : offset - 1);
  const std::size_t column =
      line_start == std::string::npos || offset == 0 ? offset + 1 : offset - line_start;
  return std::to_string(line) + ":" + std::to_string(column);
}

}  // namespace

json parse_json_document(const std::string& text, const std::string& name,
                         const std::string& what) {
  std::size_t deepest_at = 0;
  std::size_t opened = 0;
  // The callback sees each value as it starts; parsing stops at the first one too deep.
  const json::parser_callback_t bound = [&](int depth, json::parse_event_t event, json&) {
    if (event == json::parse_event_t::object_start || event == json::parse_event_t::array_start) {
      ++opened;
      if (depth >= limits::kNestingDepth) {
        deepest_at = opened;
        throw TooDeep{};
      }
    }
    return true;
  };
  try {
    return json::parse(text, bound);
  } catch (const TooDeep&) {
    // The offending bracket: the deepest_at-th '[' or '{' outside strings.
    std::size_t offset = 0, seen = 0;
    bool in_string = false;
    for (; offset < text.size(); ++offset) {
      const char c = text[offset];
      if (in_string) {
        if (c == '\\')
          ++offset;
        else if (c == '"')
          in_string = false;
      } else if (c == '"') {
        in_string = true;
      } else if ((c == '[' || c == '{') && ++seen == deepest_at) {
        break;
      }
    }
    throw Error(name + ":" + place(text, offset) + ": nested more than " +
                std::to_string(limits::kNestingDepth) + " levels deep; a " + what +
                " is never that deep, so the file is damaged or not a " + what);
  } catch (const json::parse_error& e) {
    const std::size_t at = e.byte == 0 ? 0 : e.byte - 1;
    std::string reason = e.what();
    // "[json.exception.parse_error.101] parse error at line 1, column 5: <reason>"
    if (const auto column = reason.find("column "); column != std::string::npos)
      if (const auto colon = reason.find(": ", column); colon != std::string::npos)
        reason = reason.substr(colon + 2);
    throw Error(name + ":" + place(text, at) + ": not valid JSON (" + reason + "); the " + what +
                " may be truncated or damaged");
  } catch (const json::exception& e) {  // e.g. a number beyond the double range (1e400)
    throw Error(name + ": not a usable JSON document (" + std::string(e.what()) + "); the " + what +
                " may be damaged");
  }
}

json read_json_file(const std::string& path, std::size_t limit, const std::string& what) {
  return parse_json_document(read_input_file(path, limit, what), path, what);
}

}  // namespace gradplug::host
