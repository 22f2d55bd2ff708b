#include "plugins/plugin_scan.hpp"

#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio_ext.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <initializer_list>
#include <vector>

#include "gradplug/abi.h"
#include "gradplug/registry.hpp"
#include "gradplug/text.hpp"

namespace gradplug::detail {

namespace fs = std::filesystem;

namespace {

ScanVerdict refused(std::string reason) {
  ScanVerdict verdict;
  verdict.reason = std::move(reason);
  return verdict;
}

bool has_control(const char* text) {
  for (const char* c = text; *c; ++c)
    if (static_cast<unsigned char>(*c) < 0x20 || *c == 0x7f) return true;
  return false;
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at))
    text.replace(at, from.size(), to), at += to.size();
  return text;
}

std::string signal_name(int signal_number) {
  switch (signal_number) {
    case SIGSEGV:
      return "SIGSEGV (a segmentation fault)";
    case SIGBUS:
      return "SIGBUS (a bus error)";
    case SIGFPE:
      return "SIGFPE (a floating-point exception)";
    case SIGILL:
      return "SIGILL (an illegal instruction)";
    case SIGABRT:
      return "SIGABRT (an abort)";
    case SIGKILL:
      return "SIGKILL";
    case SIGTERM:
      return "SIGTERM";
    case SIGTRAP:
      return "SIGTRAP";
    case SIGPIPE:
      return "SIGPIPE";
    case SIGSYS:
      return "SIGSYS";
  }
  return "signal " + std::to_string(signal_number);
}

void write_all(int fd, const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<std::size_t>(n);
  }
}

// The child: load, check, report ("1" clean, or "0" and the reason), and leave without running
// any exit handler or destructor (neither the host's nor the plugin's).
// Closes every descriptor the child inherited but for stdin/out/err and `keep`: the host's own
// files (a run directory's lock above all, an flock shared with the child) must not live on in
// a scanner that outlives a killed host for a moment.
void close_inherited(std::initializer_list<int> keep) {
  std::vector<int> open_fds;
  if (DIR* dir = ::opendir("/proc/self/fd")) {
    while (const dirent* entry = ::readdir(dir)) {
      const int fd = std::atoi(entry->d_name);
      if (fd > STDERR_FILENO && fd != ::dirfd(dir)) open_fds.push_back(fd);
    }
    ::closedir(dir);
  }
  for (const int fd : open_fds)
    if (std::find(keep.begin(), keep.end(), fd) == keep.end()) ::close(fd);
}

[[noreturn]] void run_scanner(const fs::path& file, const PluginFile& plugin, int report,
                              int output) {
  // Buffered output copied from the host is not ours to print; crashes must kill, not be handled.
  __fpurge(stdout);
  __fpurge(stderr);
  for (int s : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTERM, SIGINT, SIGPIPE})
    ::signal(s, SIG_DFL);
  const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null_fd >= 0) ::dup2(null_fd, STDIN_FILENO);
  ::dup2(output, STDOUT_FILENO);
  ::dup2(output, STDERR_FILENO);
  close_inherited({report, plugin.fd});
  boost::dll::shared_library library;
  std::string reason;
  std::string message = "1";
  if (!load_library(file, plugin, library, reason))
    message = "0" + reason;
  else if (std::string problem = descriptor_problem(library); !problem.empty())
    message = "0" + problem;
  else {
    const auto& d = library.get_alias<const gp_descriptor>(GRADPLUG_DESCRIPTOR_SYMBOL);
    message += std::to_string(d.kind) + "\t" + d.name;
  }
  std::fflush(stdout);
  std::fflush(stderr);
  write_all(report, message);
  ::_exit(0);
}

// Reads the child's report and output until both pipes close or the deadline passes.
bool collect(int report, int output, int timeout_ms, std::string& message, std::string& printed) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  pollfd fds[2] = {{report, POLLIN, 0}, {output, POLLIN, 0}};
  std::string* sinks[2] = {&message, &printed};
  int open_count = 2;
  while (open_count > 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                          deadline - std::chrono::steady_clock::now())
                          .count();
    if (left <= 0) return false;
    const int ready = ::poll(fds, 2, static_cast<int>(left));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) return false;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buffer[4096];
      const ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        fds[i].fd = -1;
        --open_count;
      } else if (sinks[i]->size() < 65536) {
        sinks[i]->append(buffer, static_cast<std::size_t>(n));
      }
    }
  }
  return true;
}

ScanVerdict classify(bool finished, int status, const std::string& message,
                     const std::string& printed, int timeout_ms) {
  if (!finished)
    return refused("did not finish loading within " + std::to_string(timeout_ms) +
                   " ms (its load-time code hangs; the scanner was killed)");
  if (WIFSIGNALED(status))
    return refused("crashed while loading: killed by " + signal_name(WTERMSIG(status)) +
                   " (its load-time code must not crash; gradplug did not load it)");
  if (message.empty())
    return refused("exited while loading, with exit code " +
                   std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) +
                   " (its load-time code ends the process, which would stop gradplug without "
                   "a word)");
  if (!printed.empty())
    return refused("wrote to standard output or error while loading (\"" +
                   escape_control(printed.substr(0, 60)) + (printed.size() > 60 ? "..." : "") +
                   "\"); refused, since that would corrupt gradplug's own output such as "
                   "predict's CSV");
  if (message[0] == '1') {
    // "1<kind>\t<name>": descriptor_problem has checked both in the child.
    const std::size_t tab = message.find('\t');
    ScanVerdict clean;
    clean.clean = true;
    clean.name = tab == std::string::npos ? "" : message.substr(tab + 1);
    const std::string kind = message.substr(1, tab == std::string::npos ? 0 : tab - 1);
    if (kind.size() == 1 && kind[0] >= '0' && kind[0] <= '9') clean.kind = kind[0] - '0';
    if (clean.kind < 0 || clean.name.empty())
      return refused("the scanner's report is damaged ('" + escape_control(message) + "')");
    return clean;
  }
  return refused(message.substr(1));
}

}  // namespace

bool open_plugin_file(const fs::path& file, PluginFile& out, std::string& error) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    error = std::string("cannot be opened: ") + std::strerror(errno);
    return false;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    error = "is not a regular file";
    return false;
  }
  // The loader's own reason for a file that is no library can mislead (a short text file is
  // "file too short"; some loaders answer with errno's "No such file or directory").
  char magic[4] = {};
  if (::pread(fd, magic, sizeof magic, 0) != sizeof magic || std::memcmp(magic,
                                                                         "\x7f"
                                                                         "ELF",
                                                                         4)) {
    ::close(fd);
    error = "is not a shared library (it does not start with the ELF header of a compiled .so)";
    return false;
  }
  out.fd = fd;
  out.device = st.st_dev;
  out.inode = st.st_ino;
  out.size = static_cast<std::uint64_t>(st.st_size);
  out.mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  return true;
}

ScanVerdict scan_in_child(const fs::path& file, const PluginFile& plugin, int timeout_ms) {
  int report[2], output[2];
  if (::pipe2(report, O_CLOEXEC) != 0) return refused("cannot be scanned: no pipe");
  if (::pipe2(output, O_CLOEXEC) != 0) {
    ::close(report[0]), ::close(report[1]);
    return refused("cannot be scanned: no pipe");
  }
  const pid_t pid = ::fork();
  if (pid == 0) run_scanner(file, plugin, report[1], output[1]);
  ::close(report[1]);
  ::close(output[1]);
  if (pid < 0) {
    ::close(report[0]), ::close(output[0]);
    return refused(std::string("cannot be scanned: fork failed: ") + std::strerror(errno));
  }
  std::string message, printed;
  bool finished = collect(report[0], output[0], timeout_ms, message, printed);
  ::close(report[0]);
  ::close(output[0]);
  int status = 0;
  if (!finished && ::waitpid(pid, &status, WNOHANG) == pid) {
    finished = true;  // it ended; only something it started kept the pipes open
  } else {
    if (!finished) ::kill(pid, SIGKILL);
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  return classify(finished, status, message, printed, timeout_ms);
}

bool load_library(const fs::path& file, const PluginFile& plugin,
                  boost::dll::shared_library& library, std::string& reason) {
  const std::string fd_path = plugin.fd_path();
  boost::dll::fs::error_code ec;
  // rtld_now: every symbol is resolved here; rtld_local: plugins cannot see each other's symbols.
  library.load(fd_path, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local, ec);
  if (!ec) return true;
  // Boost.DLL 1.74 reports every dlopen failure as "bad file descriptor"; ask the loader itself
  // for the real reason (an unresolved symbol, not an ELF file, a wrong architecture, ...).
  reason = ec.message();
  if (void* handle = ::dlopen(fd_path.c_str(), RTLD_NOW | RTLD_LOCAL)) {
    ::dlclose(handle);
  } else if (const char* message = ::dlerror()) {
    reason = message;
  }
  reason = "cannot be loaded: " + replace_all(reason, fd_path, file.string());
  return false;
}

std::string descriptor_problem(const boost::dll::shared_library& library) {
  if (!library.has(GRADPLUG_DESCRIPTOR_SYMBOL))
    return std::string("a library without the '") + GRADPLUG_DESCRIPTOR_SYMBOL +
           "' descriptor (not a gradplug plugin)";
  // The ABI version is the first member and the only one read before it is checked.
  const auto abi = library.get_alias<const std::uint32_t>(GRADPLUG_DESCRIPTOR_SYMBOL);
  if (abi != GRADPLUG_ABI_VERSION)
    return "built for plugin ABI version " + std::to_string(abi) +
           ", this gradplug needs version " + std::to_string(GRADPLUG_ABI_VERSION) +
           " (rebuild the plugin)";
  const auto& d = library.get_alias<const gp_descriptor>(GRADPLUG_DESCRIPTOR_SYMBOL);
  const auto kind = static_cast<gp_kind>(d.kind);
  if (kind != GP_KIND_ACTIVATION && kind != GP_KIND_OPTIMIZER && kind != GP_KIND_REGULARIZER)
    return "unknown plugin kind " + std::to_string(d.kind);
  if (!d.name || !*d.name) return "descriptor has no name";
  // A name is printed everywhere and typed in configs: a newline or an escape sequence in it
  // could forge lines of gradplug's output or drive the terminal.
  if (has_control(d.name))
    return "its name \"" + escape_control(d.name) +
           "\" holds control characters (newlines, escapes); a plugin name must be printable";
  // Every text of a descriptor may end up in JSON (summary.json, model.json), which must be
  // UTF-8: refused here, not as a JSON library's exception at the end of a training run.
  const auto not_utf8 = [](const char* text) {
    return text && first_invalid_utf8(text) != std::string::npos;
  };
  if (not_utf8(d.name) || not_utf8(d.version) || not_utf8(d.description))
    return std::string("its ") +
           (not_utf8(d.name)      ? "name"
            : not_utf8(d.version) ? "version"
                                  : "description") +
           " is not UTF-8 text (another encoding such as Latin-1?); rebuild it from UTF-8 source";
  for (std::size_t i = 0; d.params && i < d.param_count; ++i)
    if (not_utf8(d.params[i].name) || not_utf8(d.params[i].doc) || not_utf8(d.params[i].choices))
      return "schema entry " + std::to_string(i) +
             " holds text that is not UTF-8 (another encoding such as Latin-1?)";
  if (!d.create || !d.destroy) return "descriptor lacks create or destroy";
  if (d.param_count && !d.params) return "descriptor declares parameters but gives no schema";
  for (std::size_t i = 0; i < d.param_count; ++i) {
    const gp_param& p = d.params[i];
    if (!p.name || !*p.name) return "schema entry " + std::to_string(i) + " has no name";
    if (has_control(p.name))
      return "its parameter name \"" + escape_control(p.name) +
             "\" holds control characters (newlines, escapes); a parameter name must be printable";
  }
  return "";
}

}  // namespace gradplug::detail
