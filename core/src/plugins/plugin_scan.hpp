// The plugin scanner: a library's load-time code runs in a child process first, so a plugin that
// exits, crashes, hangs or prints while loading is refused with the reason instead of taking the
// host down or corrupting its output (GStreamer's registry scanner does the same).
#pragma once

#include <sys/types.h>

#include <boost/dll/shared_library.hpp>
#include <cstdint>
#include <filesystem>
#include <string>

namespace gradplug::detail {

// An open plugin file and who it is: the scanner and the host both load it through its file
// descriptor (fd_path()), so the file loaded is the file scanned.
struct PluginFile {
  int fd = -1;
  std::uint64_t device = 0, inode = 0, size = 0;
  std::int64_t mtime_ns = 0;
  std::string fd_path() const { return "/proc/self/fd/" + std::to_string(fd); }
};

// Opens `file` (read only, close-on-exec) and fills in its identity; false with `error` set when
// it cannot be opened or is not a regular file.
bool open_plugin_file(const std::filesystem::path& file, PluginFile& out, std::string& error);

// What scanning found: clean (loadable, a sound descriptor) or the reason it is refused.
struct ScanVerdict {
  bool clean = false;
  std::string reason;  // empty when clean
  // A clean plugin's kind and name, as its descriptor gives them: enough to list it and to find
  // it by name without loading it (it is loaded when something uses it).
  int kind = -1;
  std::string name;
};

// Loads the library in a child process (stdout and stderr captured, `timeout_ms` to answer) and
// checks its descriptor there; the host process never runs the library's code.
ScanVerdict scan_in_child(const std::filesystem::path& file, const PluginFile& plugin,
                          int timeout_ms);

// Loads the library at fd_path() into this process; false with the loader's reason (naming `file`,
// not the descriptor path) when it does not load.
bool load_library(const std::filesystem::path& file, const PluginFile& plugin,
                  boost::dll::shared_library& library, std::string& reason);

// What is wrong with a loaded library's descriptor (no descriptor, another ABI version, missing
// parts, names with control characters), or "" when it is sound.
std::string descriptor_problem(const boost::dll::shared_library& library);

}  // namespace gradplug::detail
