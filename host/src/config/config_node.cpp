#include "config/config_node.hpp"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/yaml_reader.hpp"
#include "gradplug/error.hpp"
#include "gradplug/input_file.hpp"
#include "gradplug/limits.hpp"
#include "gradplug/text.hpp"

namespace gradplug::host {

const ConfigNode* ConfigNode::find(const std::string& key) const {
  for (const auto& [k, v] : entries)
    if (k == key) return &v;
  return nullptr;
}

ConfigNode* ConfigNode::find(const std::string& key) {
  for (auto& [k, v] : entries)
    if (k == key) return &v;
  return nullptr;
}

const std::string& ConfigNode::where_key(const std::string& key) const {
  for (std::size_t i = 0; i < entries.size(); ++i)
    if (entries[i].first == key && i < key_where.size()) return key_where[i];
  return where;
}

void ConfigNode::add(const std::string& key, ConfigNode value, const std::string& key_location) {
  entries.push_back(ConfigEntry{key, std::move(value)});
  key_where.resize(entries.size() - 1, where);
  key_where.push_back(key_location);
}

namespace {

// 1-based line and column of a byte offset.
std::string position(const std::string& text, std::size_t offset) {
  std::size_t line = 1, column = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return std::to_string(line) + ":" + std::to_string(column);
}

}  // namespace

ConfigNode parse_config(const std::string& text, const std::string& origin) {
  if (text.find('\0') != std::string::npos)
    throw Error(origin + ": this is a binary file, not a YAML experiment config");
  if (const std::size_t bad = first_invalid_utf8(text); bad != std::string::npos)
    throw Error(origin + ":" + position(text, bad) +
                ": not UTF-8 text (a binary file, or another encoding such as Latin-1); save the "
                "config as UTF-8");
  ConfigNode tree = read_yaml_document(text, origin);
  if (tree.type == ConfigNode::Type::Null)
    throw Error(origin + ": the config is empty; see configs/seed.yaml for a complete example");
  return tree;
}

ConfigNode load_config_file(const std::string& path) {
  return parse_config(read_input_file(path, limits::kConfigBytes, "config file"), path);
}

void apply_override(ConfigNode& root, const std::string& assignment) {
  // A value may span lines (--set 'x=a\nb'): the origin stays on one line in messages.
  const std::string origin = "--set " + printable_text(assignment);
  const auto equals = assignment.find('=');
  if (equals == std::string::npos || equals == 0)
    throw Error(origin + ": expected key.path=value, e.g. --set optimizer.lr=0.01");
  const std::string path = assignment.substr(0, equals);
  ConfigNode value = parse_config(
      assignment.substr(equals + 1).empty() ? "~" : assignment.substr(equals + 1), origin);
  // Every node of the value points at the flag.
  std::vector<ConfigNode*> stack{&value};
  while (!stack.empty()) {
    ConfigNode* n = stack.back();
    stack.pop_back();
    n->where = origin;
    for (auto& item : n->items) stack.push_back(&item);
    for (auto& [k, v] : n->entries) stack.push_back(&v);
  }
  if (root.type != ConfigNode::Type::Map)
    throw Error(origin + ": the config's top level is not a map of keys");
  ConfigNode* node = &root;
  std::size_t start = 0;
  while (true) {
    const auto dot = path.find('.', start);
    const std::string key =
        path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (key.empty()) throw Error(origin + ": empty key in '" + path + "'");
    ConfigNode* child = node->find(key);
    if (dot == std::string::npos) {
      if (child) {
        *child = std::move(value);
      } else {
        node->add(key, std::move(value), origin);
      }
      return;
    }
    if (!child) {
      node->add(key, ConfigNode{ConfigNode::Type::Map, {}, {}, {}, {}, origin}, origin);
      child = &node->entries.back().second;
    } else if (child->type == ConfigNode::Type::Scalar && dot != std::string::npos) {
      // `optimizer: adam` with --set optimizer.lr=...: the scalar is the plugin's name.
      ConfigNode map{ConfigNode::Type::Map, {}, {}, {}, {}, child->where};
      map.add("name", *child, child->where);
      *child = std::move(map);
    } else if (child->type != ConfigNode::Type::Map) {
      throw Error(origin + ": '" + path.substr(0, dot) + "' (set at " + child->where +
                  ") is not a map, so it has no key '" + path.substr(dot + 1) + "'");
    }
    node = child;
    start = dot + 1;
  }
}

std::string locate(const ConfigNode& root, const std::string& path) {
  const ConfigNode* node = &root;
  std::size_t i = 0;
  while (i < path.size() && node) {
    if (path[i] == '[') {
      const std::size_t close = path.find(']', i);
      if (close == std::string::npos || node->type != ConfigNode::Type::Sequence) return "";
      const std::string digits = path.substr(i + 1, close - i - 1);
      std::size_t index = 0;
      const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
      // A key path built from a user's key ("layers[x]") is not an index: no place to name.
      if (ec != std::errc() || end != digits.data() + digits.size() || index >= node->items.size())
        return "";
      node = &node->items[index];
      i = close + 1;
    } else {
      if (path[i] == '.') ++i;
      const std::size_t end = std::min(path.find('.', i), path.find('[', i));
      const std::string key =
          path.substr(i, end == std::string::npos ? std::string::npos : end - i);
      if (node->type != ConfigNode::Type::Map) return "";
      node = node->find(key);
      i = end == std::string::npos ? path.size() : end;
    }
  }
  return node ? node->where : "";
}

std::string with_location(const ConfigNode& root, const std::string& message) {
  const std::size_t colon = message.find(": ");
  if (colon == std::string::npos || message.find(' ') < colon) return message;
  const std::string where = locate(root, message.substr(0, colon));
  return where.empty() ? message : where + ": " + message;
}

namespace {
void emit(YAML::Emitter& out, const ConfigNode& node) {
  switch (node.type) {
    case ConfigNode::Type::Null:
      out << YAML::Null;
      break;
    case ConfigNode::Type::Scalar:
      out << node.scalar;
      break;
    case ConfigNode::Type::Sequence: {
      bool flat = true;
      for (const auto& item : node.items) flat = flat && item.type == ConfigNode::Type::Scalar;
      if (flat) out << YAML::Flow;
      out << YAML::BeginSeq;
      for (const auto& item : node.items) emit(out, item);
      out << YAML::EndSeq;
      break;
    }
    case ConfigNode::Type::Map:
      out << YAML::BeginMap;
      for (const auto& [k, v] : node.entries) {
        out << YAML::Key << k << YAML::Value;
        emit(out, v);
      }
      out << YAML::EndMap;
      break;
  }
}
}  // namespace

std::string to_yaml(const ConfigNode& node) {
  YAML::Emitter out;
  emit(out, node);
  return std::string(out.c_str()) + "\n";
}

}  // namespace gradplug::host
