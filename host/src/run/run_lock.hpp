// One process per run directory (a training run, or a comparison outside its shards): the
// directory is claimed for the claimant's lifetime by an exclusive flock on <dir>/.lock, which
// names the holder (pid, host, command, start time). The kernel drops the lock when the process
// ends however it ends, so a lock file left by a killed process is stale by construction and
// `--resume` takes it over; a second live claimant gets an Error naming the holder.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace gradplug::host {

inline constexpr const char* kLockFile = ".lock";

class RunLock {
 public:
  // Claims `dir` (which must exist) for `command` ("gradplug train", ...). Throws Error starting
  // with `named` (the flag and directory as the user gave them) when another process holds it.
  // A shared claim is for the shards of one comparison, which work in one directory together:
  // shards exclude an exclusive claimant and it excludes them.
  static RunLock claim(const std::filesystem::path& dir, const std::string& command,
                       const std::string& named, bool shared = false);
  // Who holds `dir` now ("pid 12 on host h: gradplug train, since ..."), or nothing.
  static std::optional<std::string> holder(const std::filesystem::path& dir);

  RunLock(RunLock&& other) noexcept;
  RunLock& operator=(RunLock&&) = delete;
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;
  // Removes the lock file (when exclusive), then releases the lock.
  ~RunLock();

 private:
  RunLock(std::filesystem::path file, int fd, bool shared)
      : file_(std::move(file)), fd_(fd), shared_(shared) {}
  std::filesystem::path file_;
  int fd_ = -1;
  bool shared_ = false;
};

}  // namespace gradplug::host
