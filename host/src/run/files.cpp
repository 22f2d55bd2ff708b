#include "run/files.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>

#include "gradplug/error.hpp"

namespace gradplug::host {

namespace fs = std::filesystem;

void write_file_atomic(const fs::path& path, const std::string& content) {
  const fs::path temporary = path.string() + ".tmp-" + std::to_string(::getpid());
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw Error(path.string() + ": cannot write: " + std::strerror(errno));
  std::size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int saved = errno;
      ::close(fd);
      ::unlink(temporary.c_str());
      throw Error(path.string() + ": cannot write: " + std::strerror(saved));
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    const int saved = errno;
    ::unlink(temporary.c_str());
    throw Error(path.string() + ": cannot write: " + std::strerror(saved));
  }
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    const int saved = errno;
    ::unlink(temporary.c_str());
    throw Error(path.string() + ": cannot write: " + std::strerror(saved));
  }
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
