#include "config/yaml_reader.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <optional>
#include <sstream>
#include <utility>
#include <vector>

#include "gradplug/error.hpp"
#include "gradplug/limits.hpp"

namespace gradplug::host {
namespace {

std::string location(const std::string& origin, const YAML::Mark& mark) {
  if (mark.is_null()) return origin;
  return origin + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

// A finished node with what an alias to it costs: its node count and its height.
struct Built {
  ConfigNode node;
  std::size_t size = 1;
  int height = 0;
};

// A sequence or map still open, and for a map the key waiting for its value.
struct Frame {
  ConfigNode node;
  YAML::anchor_t anchor = YAML::NullAnchor;
  std::size_t nodes_before = 0;
  int height = 0;
  std::optional<std::string> key;
  std::string key_where;
};

// Builds one document's tree from the parser's events.
class DocumentBuilder final : public YAML::EventHandler {
 public:
  DocumentBuilder(const std::string& origin, std::size_t& nodes) : origin_(origin), nodes_(nodes) {}

  const YAML::Mark& start() const { return start_; }
  bool has_root() const { return root_.has_value(); }
  ConfigNode take_root() { return root_ ? std::move(*root_) : ConfigNode{}; }
  // Where the document is: its first value, or its start when it is empty.
  std::string where() const {
    if (root_ && root_->type != ConfigNode::Type::Null) return root_->where;
    return location(origin_, start_);
  }

  void OnDocumentStart(const YAML::Mark& mark) override { start_ = mark; }
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    finish(leaf(mark, ConfigNode::Type::Null, ""), anchor);
  }
  void OnScalar(const YAML::Mark& mark, const std::string& /*tag*/, YAML::anchor_t anchor,
                const std::string& value) override {
    finish(leaf(mark, ConfigNode::Type::Scalar, value), anchor);
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    if (anchor >= anchors_.size() || !anchors_[anchor])
      throw Error(location(origin_, mark) +
                  ": this alias points into the list or map its anchor names, so the config "
                  "would contain itself; copy the values instead");
    const Built& target = *anchors_[anchor];
    count(mark, target.size, target.height);
    finish(target, YAML::NullAnchor);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string& /*tag*/, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value /*style*/) override {
    open(mark, ConfigNode::Type::Sequence, anchor);
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string& /*tag*/, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value /*style*/) override {
    if (!stack_.empty() && stack_.back().node.type == ConfigNode::Type::Map && !stack_.back().key)
      throw Error(location(origin_, mark) + ": a key must be a plain name, not a list or a map");
    open(mark, ConfigNode::Type::Map, anchor);
  }
  void OnMapEnd() override { close(); }

 private:
  // Counts `size` more nodes of height `height` placed at the current depth, against the limits.
  void count(const YAML::Mark& mark, std::size_t size, int height) {
    nodes_ += size;
    if (nodes_ > limits::kConfigNodes)
      throw Error(
          location(origin_, mark) + ": the config expands to more than " +
          std::to_string(limits::kConfigNodes) +
          " values (YAML aliases repeated too often?); an experiment config is far smaller, "
          "and a large data set belongs in a CSV file (data: {source: csv, path: ...})");
    if (static_cast<int>(stack_.size()) + height > limits::kNestingDepth)
      throw Error(location(origin_, mark) + ": nesting deeper than " +
                  std::to_string(limits::kNestingDepth) +
                  " levels; an experiment config is a few levels deep");
  }

  Built leaf(const YAML::Mark& mark, ConfigNode::Type type, const std::string& scalar) {
    count(mark, 1, 0);
    Built built;
    built.node.type = type;
    built.node.scalar = scalar;
    built.node.where = location(origin_, mark);
    return built;
  }

  void open(const YAML::Mark& mark, ConfigNode::Type type, YAML::anchor_t anchor) {
    count(mark, 1, 0);
    Frame frame;
    frame.node.type = type;
    frame.node.where = location(origin_, mark);
    frame.anchor = anchor;
    frame.nodes_before = nodes_ - 1;
    stack_.push_back(std::move(frame));
  }

  void close() {
    Frame frame = std::move(stack_.back());
    stack_.pop_back();
    finish(Built{std::move(frame.node), nodes_ - frame.nodes_before, frame.height}, frame.anchor);
  }

  // Places a finished node in its parent (or as the root) and remembers it under its anchor.
  void finish(Built built, YAML::anchor_t anchor) {
    if (anchor != YAML::NullAnchor) {
      if (anchors_.size() <= anchor) anchors_.resize(anchor + 1);
      anchors_[anchor] = built;
    }
    if (stack_.empty()) {
      root_ = std::move(built.node);
      return;
    }
    Frame& parent = stack_.back();
    parent.height = std::max(parent.height, built.height + 1);
    if (parent.node.type == ConfigNode::Type::Sequence) {
      parent.node.items.push_back(std::move(built.node));
    } else if (!parent.key) {
      take_key(parent, built.node);
    } else {
      ConfigNode& value = built.node;
      // A missing value's mark is wherever the parser stood next: point at its key.
      if (value.type == ConfigNode::Type::Null) value.where = parent.key_where;
      parent.node.add(*parent.key, std::move(value), parent.key_where);
      parent.key.reset();
    }
  }

  void take_key(Frame& map, const ConfigNode& key) {
    if (key.type != ConfigNode::Type::Scalar)
      throw Error(key.where + ": a key must be a plain name" +
                  (key.type == ConfigNode::Type::Null ? std::string(", not empty")
                                                      : std::string(", not a list or a map")));
    if (const ConfigNode* earlier = map.node.find(key.scalar))
      throw Error(key.where + ": duplicate key '" + key.scalar + "' (it is already set at " +
                  earlier->where + "); keep one of them");
    map.key = key.scalar;
    map.key_where = key.where;
  }

  const std::string& origin_;
  std::size_t& nodes_;
  YAML::Mark start_ = YAML::Mark::null_mark();
  std::vector<Frame> stack_;
  std::vector<std::optional<Built>> anchors_;
  std::optional<ConfigNode> root_;
};

// yaml-cpp 0.7 answers some stray tokens (a ',' outside [ ] or { }) with an empty document that
// consumes nothing, again and again; a document starting where the previous one did is that.
[[noreturn]] void stray_token(const std::string& text, const std::string& origin,
                              const YAML::Mark& mark) {
  const auto pos = static_cast<std::size_t>(std::max(mark.pos, 0));
  const char c = pos < text.size() ? text[pos] : ' ';
  std::string message = location(origin, mark) + ": YAML syntax error: unexpected ";
  if (c > ' ' && c < 0x7f)
    message += std::string("'") + c + "'";
  else
    message += "text";
  if (c == ',') message += "; a comma separates values only inside [ ] or { }";
  throw Error(message);
}

// Whether the document after `previous` starts where it did. A syntax error further on does not
// count: the second document is the finding.
bool stuck_after(YAML::Parser& parser, const DocumentBuilder& previous, const std::string& origin,
                 std::size_t& nodes) {
  DocumentBuilder next(origin, nodes);
  try {
    return parser.HandleNextDocument(next) && next.start().pos == previous.start().pos;
  } catch (const YAML::Exception&) {
    return false;
  } catch (const Error&) {
    return false;
  }
}

}  // namespace

ConfigNode read_yaml_document(const std::string& text, const std::string& origin) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  std::size_t nodes = 0;
  try {
    DocumentBuilder first(origin, nodes);
    if (!parser.HandleNextDocument(first)) return ConfigNode{};
    DocumentBuilder second(origin, nodes);
    if (!parser.HandleNextDocument(second)) return first.take_root();
    if (second.start().pos == first.start().pos) stray_token(text, origin, first.start());
    if (stuck_after(parser, second, origin, nodes)) stray_token(text, origin, second.start());
    throw Error(second.where() +
                ": a second YAML document (after '---' or '...'); an experiment config is one "
                "document: remove the separator, or put the second experiment in its own file");
  } catch (const YAML::Exception& e) {
    throw Error(location(origin, e.mark) + ": YAML syntax error: " + e.msg);
  }
}

}  // namespace gradplug::host
