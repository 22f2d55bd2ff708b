#include "plugins/plugin_security.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>

namespace gradplug::detail {

namespace fs = std::filesystem;

namespace {

std::string octal_mode(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

// What is wrong with one entry of a chain, or "". `strict`: a sticky bit does not excuse
// group or others write permission (the entry itself, or the directory that holds the file).
// `self`: the path is the one the user named, so the message says "it".
std::string entry_problem(const fs::path& path, bool strict, bool self) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return path.string() + " cannot be examined";
  const std::string name = self ? "it" : path.string();
  const std::string insecure = ", or pass --allow-insecure-plugins if you trust everyone who can)";
  if (st.st_uid != 0 && st.st_uid != ::geteuid())
    return name + " is owned by another user (uid " + std::to_string(st.st_uid) +
           "), who could replace the code gradplug would run (chown " + path.string() +
           " to yourself or root" + insecure;
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) == 0) return "";
  const bool sticky = S_ISDIR(st.st_mode) && (st.st_mode & S_ISVTX);
  if (sticky && !strict) return "";
  std::string fix = "chmod go-w " + path.string();
  if (S_ISDIR(st.st_mode) && !strict) fix += ", or chmod +t " + path.string() + " as /tmp is";
  return "users other than its owner can write to " + name + " (mode " + octal_mode(st.st_mode) +
         (sticky ? ", sticky, but it holds the plugin" : "") +
         "), so they could plant code gradplug would run (" + fix + insecure;
}

// Checks path and each directory above it; the first `strict_count` entries get no sticky excuse.
// `self`: the first entry is the path the user named.
std::string chain_problem(const fs::path& path, int strict_count, bool self) {
  int index = 0;
  for (fs::path p = path;; p = p.parent_path(), ++index) {
    if (std::string problem = entry_problem(p, index < strict_count, self && index == 0);
        !problem.empty())
      return problem;
    if (p == p.root_path() || p.parent_path() == p || p.empty()) return "";
  }
}

fs::path absolute_normal(const fs::path& path) {
  std::error_code ec;
  fs::path absolute = fs::absolute(path, ec);
  return (ec ? path : absolute).lexically_normal();
}

}  // namespace

std::string unsafe_directory_reason(const fs::path& dir) {
  // The path as given (a link on the way may sit in a directory others can write to), then the
  // directory it resolves to.
  const fs::path given = absolute_normal(dir);
  if (std::string problem = chain_problem(given, 1, true); !problem.empty()) return problem;
  std::error_code ec;
  const fs::path resolved = fs::canonical(dir, ec);
  if (ec) return dir.string() + " cannot be resolved: " + ec.message();
  return resolved == given ? "" : chain_problem(resolved, 1, false);
}

std::string unsafe_file_reason(const fs::path& file) {
  const fs::path given = absolute_normal(file);
  if (std::string problem = chain_problem(given.parent_path(), 1, false); !problem.empty())
    return problem;
  std::error_code ec;
  const fs::path resolved = fs::canonical(file, ec);
  if (ec) return file.string() + " cannot be resolved: " + ec.message();
  std::string problem = chain_problem(resolved, 2, resolved == given);
  if (!problem.empty() && resolved != given)
    problem = "it resolves to " + resolved.string() + ", and " + problem;
  return problem;
}

std::string unsafe_file_in_safe_directory_reason(const fs::path& file) {
  struct stat st {};
  if (::lstat(file.c_str(), &st) == 0 && !S_ISLNK(st.st_mode))
    return entry_problem(file, true, true);
  return unsafe_file_reason(file);
}

}  // namespace gradplug::detail
