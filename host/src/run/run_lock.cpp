#include "run/run_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>

#include "gradplug/error.hpp"

namespace gradplug::host {

namespace fs = std::filesystem;

namespace {

std::string read_holder(int fd) {
  char text[512];
  const ssize_t n = ::pread(fd, text, sizeof text - 1, 0);
  std::string holder = n > 0 ? std::string(text, static_cast<std::size_t>(n)) : std::string();
  while (!holder.empty() && (holder.back() == '\n' || holder.back() == '\r')) holder.pop_back();
  return holder.empty() ? "the shards of a comparison, or a process just starting" : holder;
}

std::string describe_self(const std::string& command) {
  char host[256] = "";
  ::gethostname(host, sizeof host - 1);
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  ::gmtime_r(&now, &utc);
  char since[32];
  std::strftime(since, sizeof since, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return "pid " + std::to_string(::getpid()) + " on host " + host + ": " + command + ", since " +
         since + "\n";
}

// Whether fd is still the file at path (a holder that finished removes its file; a lock taken on
// the removed file would guard nothing).
bool still_linked(int fd, const fs::path& path) {
  struct stat open_file {
  }, named{};
  return ::fstat(fd, &open_file) == 0 && ::stat(path.c_str(), &named) == 0 &&
         open_file.st_dev == named.st_dev && open_file.st_ino == named.st_ino;
}

}  // namespace

RunLock RunLock::claim(const fs::path& dir, const std::string& command, const std::string& named,
                       bool shared) {
  const fs::path file = dir / kLockFile;
  for (int attempt = 0; attempt < 100; ++attempt) {
    const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) throw Error(named + ": cannot create its lock file: " + std::strerror(errno));
    if (::flock(fd, (shared ? LOCK_SH : LOCK_EX) | LOCK_NB) != 0) {
      const int err = errno;
      const std::string holder = read_holder(fd);
      ::close(fd);
      if (err != EWOULDBLOCK)
        throw Error(named + ": cannot lock " + file.string() + ": " + std::strerror(err));
      throw Error(named + ": in use by " + holder +
                  "; one process works in a run directory at a time: wait for it to finish, or "
                  "stop it (its checkpoint lets you --resume)");
    }
    if (!still_linked(fd, file)) {  // taken from a holder that just finished: try again
      ::close(fd);
      continue;
    }
    // Ours now; a file left by a killed process (nobody held its lock) is simply taken over.
    // Shards hold it together and name no one holder.
    const std::string self = shared ? std::string() : describe_self(command);
    if (::ftruncate(fd, 0) != 0 || (!shared && ::pwrite(fd, self.data(), self.size(), 0) < 0)) {
      const int err = errno;
      ::close(fd);
      throw Error(named + ": cannot write its lock file: " + std::strerror(err));
    }
    return RunLock(file, fd, shared);
  }
  throw Error(named + ": cannot claim the directory: its lock keeps changing hands");
}

std::optional<std::string> RunLock::holder(const fs::path& dir) {
  const fs::path file = dir / kLockFile;
  const int fd = ::open(file.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::optional<std::string> result;
  if (::flock(fd, LOCK_SH | LOCK_NB) != 0)
    result = read_holder(fd);
  else
    ::flock(fd, LOCK_UN);
  ::close(fd);
  return result;
}

RunLock::RunLock(RunLock&& other) noexcept
    : file_(std::move(other.file_)), fd_(other.fd_), shared_(other.shared_) {
  other.fd_ = -1;
}

RunLock::~RunLock() {
  if (fd_ < 0) return;
  if (!shared_) ::unlink(file_.c_str());  // while still held: no one takes the old file meanwhile
  ::close(fd_);
}

}  // namespace gradplug::host
