// Parsing a JSON file gradplug reads back (model.json, summary.json, plan.json, shard records):
// nesting is bounded (limits::kNestingDepth) while parsing, before any code walks the tree, so a
// file of a million '[' is refused instead of overflowing the stack in a later recursive walk.
// Errors name the file, line and column.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace gradplug::host {

// `name` is the file (or origin) in messages, `what` the kind of document ("model file").
nlohmann::json parse_json_document(const std::string& text, const std::string& name,
                                   const std::string& what);

// Reads (within `limit` bytes, see limits.hpp) and parses a JSON file.
nlohmann::json read_json_file(const std::string& path, std::size_t limit, const std::string& what);

}  // namespace gradplug::host
