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

void write_output_file(const std::string& path, const std::string& content,
                       const std::string& flag) {
  const std::string named = flag + " " + path;
  if (path == "-") {
    std::cout << content << std::flush;
    if (!std::cout) cannot_write("standard output", errno ? errno : EIO);
    return;
  }
  struct stat link {
  }, st{};
  if (::lstat(path.c_str(), &link) != 0) {
    if (errno != ENOENT) cannot_write(named, errno);
    write_file_atomic(path, content);
    return;
  }
  const bool is_link = S_ISLNK(link.st_mode);
  if (::stat(path.c_str(), &st) != 0) st = link;  // a dangling link: its target is made below
  if (S_ISDIR(st.st_mode)) throw Error(named + ": is a directory; give a file name");
  if (S_ISBLK(st.st_mode))
    throw Error(named + ": is a block device (a disk); refusing to write to it");
  if (S_ISREG(st.st_mode) || (is_link && S_ISLNK(st.st_mode))) {
    // Replacing by rename is for regular files: a link is followed, and said so, so that the
    // file written is the one it points to and the link stays.
    fs::path target = path;
    if (is_link) {
      target = link_target(path, named);
      std::cerr << "gradplug: " << named << " is a symbolic link; writing the file it points to, "
                << target.string() << "\n";
    }
    write_file_atomic(target, content);
    return;
  }
  // A character device, FIFO or socket (/dev/stdout, a pipe): written in place, as a shell
  // redirection would, never replaced.
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) cannot_write(named, errno);
  const bool ok = write_all(fd, content);
  const int saved = errno;
  if (::close(fd) != 0 && ok) cannot_write(named, errno);
  if (!ok) cannot_write(named, saved);
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

fs::path create_run_directory(const std::string& requested, const fs::path& parent,
                              const std::string& name) {
  std::error_code ec;
  if (!requested.empty()) {
    // The path is recorded in summary.json, which must be UTF-8: refused before anything exists.
    if (first_invalid_utf8(requested) != std::string::npos)
      throw Error("--out " + printable_text(requested) +
                  ": the path is not UTF-8 text (another encoding such as Latin-1?); choose a "
                  "UTF-8 name");
    const fs::path dir(requested);
    if (fs::exists(dir, ec) && !(fs::is_directory(dir, ec) && fs::is_empty(dir, ec)))
      throw Error("--out " + requested +
                  ": already exists and is not an empty directory; choose a new directory so no "
                  "earlier result is overwritten");
    fs::create_directories(dir, ec);
    if (ec) throw Error("--out " + requested + ": cannot create the directory: " + ec.message());
    return dir;
  }
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm local{};
  ::localtime_r(&now, &local);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &local);
  fs::create_directories(parent, ec);
  if (ec) throw Error(parent.string() + ": cannot create the runs directory: " + ec.message());
  const std::string base = name + "-" + stamp;
  for (int attempt = 1; attempt < 1000; ++attempt) {
    const fs::path dir = parent / (attempt == 1 ? base : base + "-" + std::to_string(attempt));
    // create_directory is atomic: two runs started in the same second get different directories.
    if (fs::create_directory(dir, ec)) return dir;
    if (ec) throw Error(dir.string() + ": cannot create the run directory: " + ec.message());
  }
  throw Error(parent.string() + ": too many runs named " + base);
}

}  // namespace gradplug::host
