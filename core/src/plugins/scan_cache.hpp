// The plugin scan cache: what the scanner found about each plugin file, so later starts skip the
// child process. Kept in $XDG_CACHE_HOME/gradplug/plugin-scan.tsv (or ~/.cache/...), one line per
// file keyed by its path, device, inode, size, modification time and the plugin ABI version: a
// file that changed in any of these is scanned again. The cache is read only when owned by the
// current user and writable by nobody else, and written (a temporary file renamed into place)
// only into a directory that passes the same checks. GRADPLUG_PLUGIN_SCAN_CACHE=0 turns it off.
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "plugins/plugin_scan.hpp"

namespace gradplug::detail {

class ScanCache {
 public:
  // The cache of this user (from the environment); an unusable one finds nothing and saves nothing.
  static ScanCache open_default();
  // The cache in `dir` (created 0700 if missing), usable only if dir is trusted.
  explicit ScanCache(const std::filesystem::path& dir);
  ScanCache() = default;

  // The verdict recorded for this file with this identity, or null.
  const ScanVerdict* find(const std::string& path, const PluginFile& id) const;
  void put(const std::string& path, const PluginFile& id, const ScanVerdict& verdict);
  // Writes the cache if something was put since it was read (and it may be written).
  void save();

  bool usable() const { return usable_; }

 private:
  struct Entry {
    std::uint64_t device = 0, inode = 0, size = 0;
    std::int64_t mtime_ns = 0;
    std::uint32_t abi = 0;
    ScanVerdict verdict;
  };
  void read();

  std::filesystem::path dir_;
  std::map<std::string, Entry> entries_;
  bool usable_ = false;
  bool dirty_ = false;
};

}  // namespace gradplug::detail
