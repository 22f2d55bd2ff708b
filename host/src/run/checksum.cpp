#include "run/checksum.hpp"

#include <cstdint>
#include <cstdio>

namespace gradplug::host {

namespace {

std::string fnv1a64(const std::string& text) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  char out[32];
  std::snprintf(out, sizeof out, "fnv1a64:%016llx", static_cast<unsigned long long>(hash));
  return out;
}

}  // namespace

nlohmann::json with_checksum(nlohmann::json document) {
  document.erase("checksum");
  const std::string sum = fnv1a64(document.dump());
  document["checksum"] = sum;
  return document;
}

bool checksum_matches(const nlohmann::json& document, std::string& problem) {
  if (!document.is_object() || !document.contains("checksum") ||
      !document["checksum"].is_string()) {
    problem = document.contains("checksum") ? "its \"checksum\" is not a string" : "it has no checksum";
    return false;
  }
  nlohmann::json content = document;
  content.erase("checksum");
  const std::string expected = fnv1a64(content.dump());
  if (document["checksum"].get<std::string>() != expected) {
    problem =
        "its checksum does not match its content (the file was changed or damaged after it was "
        "written)";
    return false;
  }
  return true;
}

}  // namespace gradplug::host
