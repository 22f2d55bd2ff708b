#include "gradplug/input_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "gradplug/error.hpp"

namespace gradplug {

namespace {

// Closes the descriptor on every path out, thrown or not.
struct Descriptor {
  int fd;
  ~Descriptor() {
    if (fd >= 0) ::close(fd);
  }
};

[[noreturn]] void too_large(const std::string& path, std::size_t limit, const std::string& what) {
  throw Error(path + ": larger than " + format_bytes(limit) + ", the limit for a " + what +
              " (docs/limits.md); is this the file you meant?");
}

}  // namespace

std::string format_bytes(std::size_t bytes) {
  const char* units[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
  std::size_t unit = 0;
  while (unit + 1 < std::size(units) && bytes >= 1024 && bytes % 1024 == 0) {
    bytes /= 1024;
    ++unit;
  }
  return std::to_string(bytes) + " " + units[unit];
}

std::string read_input_file(const std::string& path, std::size_t limit, const std::string& what) {
  // A FIFO blocks here until its writer opens it, as with cat.
  Descriptor in{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (in.fd < 0) {
    const int err = errno;
    if (err == ENOENT) throw Error(path + ": cannot open the " + what + ": no such file");
    throw Error(path + ": cannot open the " + what + ": " + std::strerror(err));
  }
  struct stat st {};
  if (::fstat(in.fd, &st) != 0)
    throw Error(path + ": cannot read the " + what + ": " + std::strerror(errno));
  if (S_ISDIR(st.st_mode)) throw Error(path + ": is a directory; give the path of a " + what);
  if (S_ISREG(st.st_mode) && static_cast<std::size_t>(st.st_size) > limit)
    too_large(path, limit, what);

  std::string text;
  if (S_ISREG(st.st_mode)) text.reserve(static_cast<std::size_t>(st.st_size));
  char buffer[1 << 16];
  while (true) {
    const ssize_t n = ::read(in.fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      if (err == EISDIR) throw Error(path + ": is a directory; give the path of a " + what);
      throw Error(path + ": cannot read the " + what + ": " + std::strerror(err));
    }
    if (n == 0) break;
    if (text.size() + static_cast<std::size_t>(n) > limit) too_large(path, limit, what);
    text.append(buffer, static_cast<std::size_t>(n));
  }
  return text;
}

}  // namespace gradplug
