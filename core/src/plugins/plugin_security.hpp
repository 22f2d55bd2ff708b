// Where plugin code may be loaded from, checked as ssh's StrictModes checks a key file: the file,
// after resolving every symbolic link, and each directory from it up to the root must be owned by
// root or the caller and writable by neither group nor others. A sticky bit (as on /tmp) makes a
// world-writable ancestor acceptable, but never the plugin directory itself nor the directory that
// holds the resolved file: there anyone could rename the plugin away and put theirs in its place.
#pragma once

#include <filesystem>
#include <string>

namespace gradplug::detail {

// Why `dir` is not a safe plugin directory (one sentence naming the offending path, why, and how
// to fix it), or "" when it is.
std::string unsafe_directory_reason(const std::filesystem::path& dir);

// Why the plugin file `file` is not safe to load (its own mode and owner, the directory holding
// it, every directory above; also those of the file a symbolic link resolves to), or "".
std::string unsafe_file_reason(const std::filesystem::path& file);

// unsafe_file_reason for a file in a directory that unsafe_directory_reason has just passed: a
// file that is no symbolic link needs only its own owner and mode checked (its directories are).
std::string unsafe_file_in_safe_directory_reason(const std::filesystem::path& file);

}  // namespace gradplug::detail
