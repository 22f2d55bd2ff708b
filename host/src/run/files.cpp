#include "run/files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <iostream>

#include "gradplug/error.hpp"
#include "gradplug/text.hpp"

namespace gradplug::host {

namespace fs = std::filesystem;

namespace {

// Writes all of content to fd; false with errno set on failure.
bool write_all(int fd, const std::string& content) {
  std::size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = EIO;
      return false;
    }
    written += static_cast<std::size_t>(n);
  }
  return true;
}

[[noreturn]] void cannot_write(const std::string& what, int err) {
  throw Error(what + ": cannot write: " + std::strerror(err));
}

// The file a chain of links ends at (which need not exist yet).
fs::path link_target(fs::path path, const std::string& named) {
  std::error_code ec;
  for (int hops = 0; fs::is_symlink(path, ec); ++hops) {
    if (hops == 40) cannot_write(named, ELOOP);
    const fs::path next = fs::read_symlink(path, ec);
    if (ec) cannot_write(named, ec.value());
    path = next.is_absolute() ? next : path.parent_path() / next;
  }
  return fs::weakly_canonical(path, ec);
}

}  // namespace

void write_file_atomic(const fs::path& path, const std::string& content) {
  const fs::path temporary = path.string() + ".tmp-" + std::to_string(::getpid());
  ::unlink(temporary.c_str());  // one left by an earlier process with this pid
  // O_EXCL | O_NOFOLLOW: never write through a file or link someone planted under this name.
  const int fd =
      ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0) cannot_write(path.string(), errno);
  if (!write_all(fd, content) || ::fsync(fd) != 0) {
    const int saved = errno;
    ::close(fd);
    ::unlink(temporary.c_str());
    cannot_write(path.string(), saved);
  }
  if (::close(fd) != 0 || ::rename(temporary.c_str(), path.c_str()) != 0) {
    const int saved = errno;
    ::unlink(temporary.c_str());
    cannot_write(path.string(), saved);
  }
}

OutputFile::OutputFile(const std::string& path, const std::string& flag)
    : named_(flag + " " + path) {
  if (path == "-") {
    to_stdout_ = true;
    return;
  }
  struct stat link {
  }, st{};
  const bool exists = ::lstat(path.c_str(), &link) == 0;
  if (!exists && errno != ENOENT) cannot_write(named_, errno);
  const bool is_link = exists && S_ISLNK(link.st_mode);
  if (exists && ::stat(path.c_str(), &st) != 0) st = link;  // a dangling link: its target is made
  if (exists && S_ISDIR(st.st_mode)) throw Error(named_ + ": is a directory; give a file name");
  if (exists && S_ISBLK(st.st_mode))
    throw Error(named_ + ": is a block device (a disk); refusing to write to it");
  if (!exists || S_ISREG(st.st_mode) || (is_link && S_ISLNK(st.st_mode))) {
    // Replacing by rename is for regular files: a link is followed, and said so, so that the
    // file written is the one it points to and the link stays.
    target_ = path;
    if (is_link) {
      target_ = link_target(path, named_);
      std::cerr << "gradplug: " << named_ << " is a symbolic link; writing the file it points to, "
                << target_.string() << "\n";
    }
    temporary_ = target_.string() + ".tmp-" + std::to_string(::getpid());
    ::unlink(temporary_.c_str());
    fd_ = ::open(temporary_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd_ < 0) cannot_write(named_, errno);
    return;
  }
  // A character device, FIFO or socket (/dev/stdout, a pipe): written in place, as a shell
  // redirection would, never replaced.
  fd_ = ::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_NOCTTY);
  if (fd_ < 0) cannot_write(named_, errno);
}

OutputFile::~OutputFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_ && !temporary_.empty()) ::unlink(temporary_.c_str());
}

void OutputFile::write(const std::string& text) {
  if (to_stdout_) {
    std::cout << text;
    if (!std::cout) cannot_write("standard output", errno ? errno : EIO);
    return;
  }
  if (!write_all(fd_, text)) cannot_write(named_, errno);
}

void OutputFile::commit() {
  if (to_stdout_) {
    std::cout.flush();
    if (!std::cout) cannot_write("standard output", errno ? errno : EIO);
    committed_ = true;
    return;
  }
  const bool regular = !temporary_.empty();
  const int fd = fd_;
  fd_ = -1;
  if ((regular && ::fsync(fd) != 0) || ::close(fd) != 0 ||
      (regular && ::rename(temporary_.c_str(), target_.c_str()) != 0))
    cannot_write(named_, errno);
  committed_ = true;
}

void write_output_file(const std::string& path, const std::string& content,
                       const std::string& flag) {
  OutputFile out(path, flag);
  out.write(content);
  out.commit();
}

void remove_stale_temporaries(const fs::path& dir) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    const auto at = name.rfind(".tmp-");
    if (at != std::string::npos && at + 5 < name.size() &&
        name.find_first_not_of("0123456789", at + 5) == std::string::npos)
      fs::remove(entry.path(), ec);
  }
}

namespace {

// Empty but for a lock file (a claimant's, held or left by a killed process).
bool empty_but_lock(const fs::path& dir) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (entry.path().filename() != kLockFile) return false;
  return !ec;
}

}  // namespace

ClaimedDirectory create_run_directory(const std::string& requested, const fs::path& parent,
                                      const std::string& name, const std::string& command) {
  std::error_code ec;
  if (!requested.empty()) {
    // The path is recorded in summary.json, which must be UTF-8: refused before anything exists.
    if (first_invalid_utf8(requested) != std::string::npos)
      throw Error("--out " + printable_text(requested) +
                  ": the path is not UTF-8 text (another encoding such as Latin-1?); choose a "
                  "UTF-8 name");
    const fs::path dir(requested);
    const std::string named = "--out " + requested;
    auto refuse_if_used = [&] {
      if (const auto holder = RunLock::holder(dir))
        throw Error(named + ": in use by " + *holder + "; choose another directory");
      throw Error(named +
                  ": already exists and is not an empty directory; choose a new directory so no "
                  "earlier result is overwritten");
    };
    if (fs::exists(dir, ec) && !(fs::is_directory(dir, ec) && empty_but_lock(dir)))
      refuse_if_used();
    fs::create_directories(dir, ec);
    if (ec) throw Error(named + ": cannot create the directory: " + ec.message());
    RunLock lock = RunLock::claim(dir, command, named);
    // Another process may have claimed, filled and left it between the check and the claim.
    if (!empty_but_lock(dir)) refuse_if_used();
    return {dir, std::move(lock)};
  }
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm local{};
  ::localtime_r(&now, &local);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &local);
  fs::create_directories(parent, ec);
  if (ec) throw Error(parent.string() + ": cannot create the runs directory: " + ec.message());
  if (const std::string problem = path_component_problem(name); !problem.empty())
    throw std::logic_error("run directory name '" + name + "': " + problem);  // checked before
  const std::string base = name + "-" + stamp;
  for (int attempt = 1; attempt < 1000; ++attempt) {
    const fs::path dir = parent / (attempt == 1 ? base : base + "-" + std::to_string(attempt));
    // create_directory is atomic: two runs started in the same second get different directories.
    if (fs::create_directory(dir, ec)) return {dir, RunLock::claim(dir, command, dir.string())};
    if (ec) throw Error(dir.string() + ": cannot create the run directory: " + ec.message());
  }
  throw Error(parent.string() + ": too many runs named " + base);
}

}  // namespace gradplug::host
