// Writing results so that nothing is ever half-written: a file appears complete or not at all.
#pragma once

#include <filesystem>
#include <string>

#include "run/run_lock.hpp"

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

// The same, written as it is produced (predict streams its rows into one). Nothing appears under
// a regular file's name before commit(); destroyed uncommitted, it leaves no trace there.
class OutputFile {
 public:
  OutputFile(const std::string& path, const std::string& flag);
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;
  void write(const std::string& text);
  void commit();

 private:
  std::string named_;                // the flag and path, for messages
  std::filesystem::path target_;     // a regular file's final name
  std::filesystem::path temporary_;  // where it is written until commit; empty: in place
  int fd_ = -1;
  bool to_stdout_ = false;
  bool committed_ = false;
};

// Removes the temporary files that write_file_atomic leaves when a process is killed mid-write.
void remove_stale_temporaries(const std::filesystem::path& dir);

// A new run directory, claimed by this process for as long as `lock` lives.
struct ClaimedDirectory {
  std::filesystem::path path;
  RunLock lock;
};

// Creates and claims a new, empty run directory for `command`. With `requested` empty:
// <parent>/<name>-<timestamp> (suffixed -2, -3, ... if taken); else exactly `requested`, which
// must not exist or be empty. Two processes given the same directory: one gets it, the other an
// Error naming the holder.
ClaimedDirectory create_run_directory(const std::string& requested,
                                      const std::filesystem::path& parent, const std::string& name,
                                      const std::string& command);

}  // namespace gradplug::host
