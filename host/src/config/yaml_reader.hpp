// The one YAML reader of the host: yaml-cpp's parser, driven event by event into a ConfigNode tree.
// Building the tree ourselves (rather than YAML::LoadAll and a walk over YAML::Node) bounds the
// work at its cause: nesting is refused as it opens, alias expansion is counted as it is copied,
// a self-containing alias is refused, and at most three documents are asked for, so yaml-cpp 0.7's
// endless stream of empty documents on a stray token (jbeder/yaml-cpp#1040) cannot run away.
#pragma once

#include <string>

#include "config/config_node.hpp"

namespace gradplug::host {

// The single document of `text` (a Null node when there is none). Syntax errors, a second
// document, duplicate or non-scalar keys, nesting past limits::kNestingDepth and expansion past
// limits::kConfigNodes become gradplug::Error naming origin:line:column.
ConfigNode read_yaml_document(const std::string& text, const std::string& origin);

}  // namespace gradplug::host
