#include "plugins/scan_cache.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <sstream>
#include <vector>

#include "gradplug/abi.h"
#include "plugins/plugin_security.hpp"

namespace gradplug::detail {

namespace fs = std::filesystem;

namespace {

constexpr const char* kFileName = "plugin-scan.tsv";
// The format and the rules the verdicts were made by: bump the number whenever the scanner or
// descriptor_problem checks something new, so verdicts of the old rules are not believed.
// 2: names and parameter names with control characters are refused.
// 4: a clean verdict records the plugin's kind and name (it is loaded only when used).
const std::string kHeader = std::string("gradplug-plugin-scan 4 ") + GRADPLUG_VERSION;

// Tabs, newlines and backslashes escaped, so one entry is one line of tab-separated fields.
std::string escape_field(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\t')
      out += "\\t";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string unescape_field(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\' || i + 1 == text.size()) {
      out += text[i];
      continue;
    }
    const char next = text[++i];
    out += next == 't' ? '\t' : next == 'n' ? '\n' : next;
  }
  return out;
}

// A whole field as a number, or false (std::stoull took "12abc" as 12 and " -1" as 2^64 - 1).
template <typename T>
bool whole_field(const std::string& text, T& out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && !text.empty();
}

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> fields;
  std::size_t start = 0;
  for (std::size_t tab; (tab = line.find('\t', start)) != std::string::npos; start = tab + 1)
    fields.push_back(line.substr(start, tab - start));
  fields.push_back(line.substr(start));
  return fields;
}

// Owned by us and writable by nobody else: only then may the cache be believed.
bool trusted(const struct stat& st) {
  return st.st_uid == ::geteuid() && (st.st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

}  // namespace

ScanCache ScanCache::open_default() {
  const char* off = std::getenv("GRADPLUG_PLUGIN_SCAN_CACHE");
  if (off && std::string(off) == "0") return ScanCache();
  fs::path base;
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg == '/')
    base = xdg;
  else if (const char* home = std::getenv("HOME"); home && *home == '/')
    base = fs::path(home) / ".cache";
  else
    return ScanCache();
  return ScanCache(base / "gradplug");
}

ScanCache::ScanCache(const fs::path& dir) : dir_(dir) {
  ::mkdir(dir.parent_path().c_str(), 0700);  // ~/.cache, as the XDG spec makes it
  ::mkdir(dir.c_str(), 0700);
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || !trusted(st)) return;
  if (!unsafe_directory_reason(dir).empty()) return;
  usable_ = true;
  read();
}

void ScanCache::read() {
  const int fd = ::open((dir_ / kFileName).c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return;
  struct stat st {};
  std::string text;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && trusted(st)) {
    char buffer[65536];
    for (ssize_t n; (n = ::read(fd, buffer, sizeof buffer)) > 0;)
      text.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  std::istringstream in(text);
  std::string line;
  if (!std::getline(in, line) || line != kHeader) return;  // another gradplug's cache: start over
  while (std::getline(in, line)) {
    const auto f = split_tabs(line);
    if (f.size() != 10 || (f[5] != "0" && f[5] != "1")) continue;
    Entry e;
    if (!whole_field(f[0], e.abi) || !whole_field(f[1], e.device) || !whole_field(f[2], e.inode) ||
        !whole_field(f[3], e.size) || !whole_field(f[4], e.mtime_ns) ||
        !whole_field(f[8], e.verdict.kind))
      continue;  // a damaged line: that file is scanned again
    e.verdict.clean = f[5] == "1";
    e.verdict.reason = unescape_field(f[7]);
    e.verdict.name = unescape_field(f[9]);
    if (e.verdict.clean && (e.verdict.kind < 0 || e.verdict.name.empty())) continue;
    entries_[unescape_field(f[6])] = e;
  }
}

const ScanVerdict* ScanCache::find(const std::string& path, const PluginFile& id) const {
  const auto it = entries_.find(path);
  if (it == entries_.end()) return nullptr;
  const Entry& e = it->second;
  if (e.abi != GRADPLUG_ABI_VERSION || e.device != id.device || e.inode != id.inode ||
      e.size != id.size || e.mtime_ns != id.mtime_ns)
    return nullptr;
  return &e.verdict;
}

void ScanCache::put(const std::string& path, const PluginFile& id, const ScanVerdict& verdict) {
  if (!usable_) return;
  entries_[path] = Entry{id.device, id.inode, id.size, id.mtime_ns, GRADPLUG_ABI_VERSION, verdict};
  dirty_ = true;
}

void ScanCache::save() {
  if (!usable_ || !dirty_) return;
  dirty_ = false;
  std::string text = kHeader + "\n";
  for (const auto& [path, e] : entries_) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) continue;  // gone: forget it
    text += std::to_string(e.abi) + "\t" + std::to_string(e.device) + "\t" +
            std::to_string(e.inode) + "\t" + std::to_string(e.size) + "\t" +
            std::to_string(e.mtime_ns) + "\t" + (e.verdict.clean ? "1" : "0") + "\t" +
            escape_field(path) + "\t" + escape_field(e.verdict.reason) + "\t" +
            std::to_string(e.verdict.kind) + "\t" + escape_field(e.verdict.name) + "\n";
  }
  std::string temp = (dir_ / (std::string(kFileName) + ".XXXXXX")).string();
  const int fd = ::mkostemp(temp.data(), O_CLOEXEC);  // 0600
  if (fd < 0) return;
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  const bool written = ::close(fd) == 0 && done == text.size();
  if (!written || ::rename(temp.c_str(), (dir_ / kFileName).c_str()) != 0) ::unlink(temp.c_str());
}

}  // namespace gradplug::detail
