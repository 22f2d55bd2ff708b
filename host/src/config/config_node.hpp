// ConfigNode: a YAML document as plain data, each node remembering where it came from
// ("file:line:column", or the --set flag that gave it), so every error can point at its origin.
// YAML exists only in the host: the core sees an ExperimentSpec.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace gradplug::host {

struct ConfigEntry;

struct ConfigNode {
  enum class Type { Null, Scalar, Sequence, Map };
  Type type = Type::Null;
  std::string scalar;                                       // Scalar: the text as written
  std::vector<ConfigNode> items;                            // Sequence
  std::vector<ConfigEntry> entries;                         // Map, in document order
  std::vector<std::string> key_where;                       // Map: where each key is written
  std::string where;                                        // "file:line:col" or "--set k=v"

  const ConfigNode* find(const std::string& key) const;
  ConfigNode* find(const std::string& key);
  // Where key is written (the node's own location when unknown).
  const std::string& where_key(const std::string& key) const;
  void add(const std::string& key, ConfigNode value, const std::string& key_location);
};

// One key of a map and its value. A struct rather than std::pair: clang (up to 16) with
// libstdc++ 12 cannot instantiate a pair of an incomplete type in C++20 (llvm issue 59966).
struct ConfigEntry {
  std::string first;
  ConfigNode second;
};

// Parses a YAML file. Syntax errors, duplicate keys, empty, binary and non-UTF-8 files, and
// alias expansions past a size limit become gradplug::Error naming file:line:column.
ConfigNode load_config_file(const std::string& path);
// Parses YAML text; `origin` names it in messages and locations.
ConfigNode parse_config(const std::string& text, const std::string& origin);

// Applies one `--set key.path=value` (value in YAML syntax) to the tree.
void apply_override(ConfigNode& root, const std::string& assignment);

// Where the value at a config path such as "model.layers" or "regularizers[1]" is written, or ""
// when the path is not in the tree.
std::string locate(const ConfigNode& root, const std::string& path);

// An Error message that starts with a config path ("optimizer: ...") gets that value's location
// put in front of it; other messages are returned as they are.
std::string with_location(const ConfigNode& root, const std::string& message);

// Writes a tree back as YAML (for the resolved config of a run).
std::string to_yaml(const ConfigNode& node);

}  // namespace gradplug::host
