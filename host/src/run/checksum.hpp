// Checksums for the JSON files gradplug writes (model.json, summary.json): a corrupted or
// hand-edited file is refused with a clear message instead of being loaded.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace gradplug::host {

// The document with a "checksum" member added: FNV-1a 64 over its canonical text (the compact
// dump of the document without "checksum"; keys are sorted, numbers printed exactly).
nlohmann::json with_checksum(nlohmann::json document);

// Whether the document's "checksum" matches its content; `problem` says why not.
bool checksum_matches(const nlohmann::json& document, std::string& problem);

}  // namespace gradplug::host
