// Writing results so that nothing is ever half-written: a file appears complete or not at all.
#pragma once

#include <filesystem>
#include <string>

namespace gradplug::host {

// Writes content to a temporary file beside path, flushes it to disk, then renames it over path.
void write_file_atomic(const std::filesystem::path& path, const std::string& content);

// Writes an output the user named (predict --output, graph --out): a new or regular file is
// replaced atomically as above; a character device, FIFO or socket (/dev/stdout, a pipe) is
// written in place, never replaced; "-" is standard output. A symbolic link is followed to its
// target, with a note on stderr. A directory or a block device is refused with an Error naming
// `flag` and the path, before anything is written.
void write_output_file(const std::string& path, const std::string& content,
                       const std::string& flag);

// Removes the temporary files that write_file_atomic leaves when a process is killed mid-write.
void remove_stale_temporaries(const std::filesystem::path& dir);

// Creates a new, empty run directory. With `requested` empty: <parent>/<name>-<timestamp>
// (suffixed -2, -3, ... if taken); else exactly `requested`, which must not exist or be empty.
std::filesystem::path create_run_directory(const std::string& requested,
                                           const std::filesystem::path& parent,
                                           const std::string& name);

}  // namespace gradplug::host
