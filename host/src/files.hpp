// Writing results so that nothing is ever half-written: a file appears complete or not at all.
#pragma once

#include <filesystem>
#include <string>

namespace gradplug::host {

// Writes content to a temporary file beside path, flushes it to disk, then renames it over path.
void write_file_atomic(const std::filesystem::path& path, const std::string& content);

// Creates a new, empty run directory. With `requested` empty: <parent>/<name>-<timestamp>
// (suffixed -2, -3, ... if taken); else exactly `requested`, which must not exist or be empty.
std::filesystem::path create_run_directory(const std::string& requested,
                                           const std::filesystem::path& parent,
                                           const std::string& name);

}  // namespace gradplug::host
