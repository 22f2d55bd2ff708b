// Registry: finds plugin libraries in directories, checks them, and creates instances by name.
//
// Each library is first loaded in a child process (the scanner, plugins/plugin_scan.hpp): one that
// exits, crashes, hangs or prints while loading is skipped with that reason and never loaded here.
// The verdict is cached per file identity (plugins/scan_cache.hpp). Files and directories others
// could write to are refused (plugins/plugin_security.hpp). Each library is loaded with immediate
// binding (a missing symbol fails at load, not later). Its
// descriptor's ABI version is read before anything else. Files that are not libraries, lack the
// descriptor or have another ABI version are skipped and remembered with the reason; two plugins
// with the same kind and name are a clash (see PluginClash). Objects made by a plugin hold a
// reference to its library, so the library stays loaded as long as any of them lives.
#pragma once

#include <cstdint>
#include <deque>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gradplug/abi.h"
#include "gradplug/activation.hpp"
#include "gradplug/optimizer.hpp"
#include "gradplug/regularizer.hpp"

namespace boost::dll {
class shared_library;
}

namespace gradplug {

namespace detail {
class ScanCache;
}

// "activation", "optimizer" or "regularizer".
const char* kind_name(gp_kind kind);

// One loaded plugin library: its file, its descriptor, and the library handle that keeps it mapped.
struct LoadedPlugin {
  std::filesystem::path file;
  const gp_descriptor* descriptor = nullptr;  // lives in the library below
  std::shared_ptr<boost::dll::shared_library> library;

  gp_kind kind() const { return static_cast<gp_kind>(descriptor->kind); }  // the descriptor's kind
  std::string_view name() const { return descriptor->name; }               // the descriptor's name
};

// `text` with every control character (a byte below 0x20, or 0x7f) and every byte that is not
// UTF-8 written as an escape, e.g. "\n", "\t", "\x1b" (printable_text in text.hpp), so what a
// plugin says cannot forge lines or drive the terminal.
std::string escape_control(std::string_view text);

// A file that was not loaded as a plugin, and why (shown by `gradplug plugins`).
struct SkippedFile {
  std::filesystem::path file;
  std::string reason;
};

// Two plugins of one kind under one name: neither can be used by that name (which would run
// depends on load order), and every other plugin still can.
struct PluginClash {
  gp_kind kind;
  std::string name;
  std::filesystem::path first, second;
  // "two activation plugins are named 'tanh': A and B (remove or rename one of them)".
  std::string message() const;
};

class Registry {
 public:
  Registry();
  ~Registry();
  Registry(Registry&&) noexcept;
  Registry& operator=(Registry&&) noexcept;

  // Refuses (see below) unless allowed: loading code from a place others can write to would run
  // their code. Like ssh with a key file others can read.
  void allow_insecure(bool allow) { allow_insecure_ = allow; }

  // Loads every regular file in dir whose name ends in ".so" (in name order). A missing directory
  // is skipped silently when optional, else an Error. A duplicate (kind, name) is recorded as a
  // clash. Throws Error on a directory that is unsafe: owned by another user than root or the
  // caller, or writable by group or others, or below such a directory (a sticky one, as /tmp, is
  // fine); a plugin file that is unsafe in the same way (after resolving links) is skipped with
  // that reason.
  void scan_directory(const std::filesystem::path& dir, bool optional = false);
  // Loads one library file; returns false (and records why in skipped()) if it is not a plugin.
  bool load_file(const std::filesystem::path& file);

  // What loaded, in load order, and what was skipped.
  // Loads every plugin not yet loaded (a listing needs them all; a config only what it names).
  const std::deque<LoadedPlugin>& plugins() const;
  const std::vector<SkippedFile>& skipped() const { return skipped_; }

  // The plugin of that kind and name, or null; an Error naming both files when two share it.
  const LoadedPlugin* find(gp_kind kind, std::string_view name) const;
  // The clash under that kind and name, or null; and every clash.
  const PluginClash* clash(gp_kind kind, std::string_view name) const;
  const std::vector<PluginClash>& clashes() const { return clashes_; }
  // Like find, but an Error that lists the known names (and the skipped files) when absent.
  const LoadedPlugin& get(gp_kind kind, std::string_view name) const;
  // The names of the loaded plugins of one kind, sorted.
  std::vector<std::string> names(gp_kind kind) const;

  // Creates an instance from values for the plugin's schema (one per entry, in order; empty means
  // all defaults). Checks them against the schema first (check_values in schema.hpp): a value out
  // of range is an Error whose key path is key_prefix + "." + the parameter, e.g. key_prefix
  // "optimizer" gives "optimizer.lr". Throws Error with the plugin's message if creation fails.
  std::shared_ptr<Activation> create_activation(std::string_view name,
                                                const std::vector<gp_value>& values = {},
                                                const std::string& key_prefix = "") const;
  std::shared_ptr<Optimizer> create_optimizer(std::string_view name,
                                              const std::vector<gp_value>& values = {},
                                              const std::string& key_prefix = "") const;
  std::shared_ptr<Regularizer> create_regularizer(std::string_view name,
                                                  const std::vector<gp_value>& values = {},
                                                  const std::string& key_prefix = "") const;

  // The built-in plugin directory: <dir of the running executable>/../lib/gradplug/plugins.
  static std::filesystem::path builtin_directory();
  // Directories from a colon-separated list such as GRADPLUG_PLUGIN_PATH.
  static std::vector<std::filesystem::path> split_path_list(std::string_view list);

 private:
  void* create_raw(gp_kind kind, std::string_view name, const std::vector<gp_value>& values,
                   const std::string& key_prefix, const LoadedPlugin*& plugin) const;
  template <class T>
  std::shared_ptr<T> create(gp_kind kind, std::string_view name,
                            const std::vector<gp_value>& values,
                            const std::string& key_prefix) const;

  // in_checked_directory: file is in a directory scan_directory has just found safe.
  bool load_one(const std::filesystem::path& file, bool in_checked_directory);
  bool skip(const std::filesystem::path& file, std::string reason);
  detail::ScanCache& cache();

  // A plugin the scanner found clean, with its kind and name from the scan: loaded into this
  // process only when something uses it (find, get, create_*, plugins()).
  struct Pending {
    std::filesystem::path file;
    int fd = -1;  // open since the scan, so the file loaded is the file scanned
    std::uint64_t device = 0, inode = 0, size = 0;
    std::int64_t mtime_ns = 0;
    gp_kind kind{};
    std::string name;
  };
  const LoadedPlugin* load_pending(std::size_t index) const;
  bool name_taken(gp_kind kind, const std::string& name, const std::filesystem::path& file);

  // Loading on first use changes these from const member functions; a deque keeps every
  // LoadedPlugin where it is as more are loaded.
  mutable std::deque<LoadedPlugin> plugins_;
  mutable std::vector<Pending> pending_;
  mutable std::vector<SkippedFile> skipped_;
  std::vector<PluginClash> clashes_;
  bool allow_insecure_ = false;
  std::unique_ptr<detail::ScanCache> cache_;  // read on first use
};

}  // namespace gradplug
