// Running the real gradplug binary in tests: a child process in a temporary directory, its
// stdout and stderr captured apart, and checks on what it printed and wrote. Shared by the host
// suites.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "temp_dir.hpp"

extern char** environ;

namespace gradplug::testing {

namespace fs = std::filesystem;

inline const fs::path kBinary = GRADPLUG_BINARY;
inline const fs::path kSource = GRADPLUG_SOURCE_DIR;
inline const fs::path kBroken = GRADPLUG_TEST_BROKEN_DIR;
inline const fs::path kSeed = kSource / "configs" / "seed.yaml";
inline const fs::path kMoons = kSource / "configs" / "moons.yaml";
inline const fs::path kCorpus = kSource / "tests" / "host" / "bad_configs";
inline constexpr const char* kErrorPrefix = "gradplug: error: ";

// Whether `text` contains `part`, with both shown when it does not.
inline ::testing::AssertionResult contains_format(const char* text_expr, const char* part_expr,
                                                  const std::string& text,
                                                  const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << text_expr << " does not contain " << part_expr
                                       << "\n  text: " << text << "\n  part: " << part;
}
#define EXPECT_CONTAINS(text, part) EXPECT_PRED_FORMAT2(contains_format, text, part)

inline std::string read_text(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

inline void write_text(const fs::path& file, const std::string& text) {
  std::ofstream out(file, std::ios::binary);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + file.string());
}

inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// A compare CSV (its --format csv table or compare.csv) without the measured seconds, column 9
// in both: a timing, never the same twice, where every other cell must be.
inline std::string without_seconds(const std::string& csv) {
  std::string out;
  for (const auto& line : lines_of(csv)) {
    std::vector<std::string> cells;
    std::stringstream in(line);
    for (std::string c; std::getline(in, c, ',');) cells.push_back(c);
    if (cells.size() > 9) cells.erase(cells.begin() + 9);
    for (const auto& c : cells) out += c + ",";
    out += "\n";
  }
  return out;
}

struct RunResult {
  int exit_code = -1;  // -1: killed by a signal or timed out
  std::string out;
  std::string err;
  std::string describe() const {
    auto clip = [](const std::string& text) {
      return text.size() <= 1500 ? text : text.substr(0, 1500) + "\n[...]\n";
    };
    return "exit code " + std::to_string(exit_code) + "\n--- stdout ---\n" + clip(out) +
           "--- stderr ---\n" + clip(err) + "--------------";
  }
};

struct RunOptions {
  std::vector<std::string> env;  // extra NAME=value entries
  long long address_space_limit = 0;
  int timeout_seconds = 120;
  std::string stdout_path;  // the child's stdout goes here instead (e.g. a device node)
};

// Runs gradplug with `args` in directory `cwd`. GRADPLUG_PLUGIN_PATH is removed from the child's
// environment (unless given in options.env) so the developer's environment cannot change results.
inline RunResult run_gradplug(const std::vector<std::string>& args, const fs::path& cwd,
                              const RunOptions& options = {}) {
  TempDir capture;  // stdout and stderr go to files, so no pipe can fill up and block the child
  const fs::path out_file = capture / "stdout";
  const fs::path err_file = capture / "stderr";

  std::vector<std::string> argv_text{kBinary.string()};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_text) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_text;
  for (char** e = environ; *e; ++e)
    if (std::strncmp(*e, "GRADPLUG_PLUGIN_PATH=", 21) != 0 &&
        std::strncmp(*e, "XDG_CACHE_HOME=", 15) != 0)
      env_text.emplace_back(*e);
  env_text.insert(env_text.end(), options.env.begin(), options.env.end());
  // The plugin scan cache goes to a directory of this test process, never the user's own.
  static const TempDir cache_home;
  if (std::none_of(options.env.begin(), options.env.end(),
                   [](const std::string& e) { return e.rfind("XDG_CACHE_HOME=", 0) == 0; }))
    env_text.push_back("XDG_CACHE_HOME=" + cache_home.path().string());
  std::vector<char*> envp;
  for (auto& e : env_text) envp.push_back(e.data());
  envp.push_back(nullptr);
  const std::string cwd_text = cwd.string();
  const std::string out_text =
      options.stdout_path.empty() ? out_file.string() : options.stdout_path;
  const std::string err_text = err_file.string();

  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    const int out_fd = ::open(out_text.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOCTTY, 0644);
    const int err_fd = ::open(err_text.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int null_fd = ::open("/dev/null", O_RDONLY);
    if (out_fd < 0 || err_fd < 0 || null_fd < 0 || ::dup2(out_fd, 1) < 0 || ::dup2(err_fd, 2) < 0 ||
        ::dup2(null_fd, 0) < 0 || ::chdir(cwd_text.c_str()) != 0)
      ::_exit(127);
    if (options.address_space_limit > 0) {
      const rlimit limit{static_cast<rlim_t>(options.address_space_limit),
                         static_cast<rlim_t>(options.address_space_limit)};
      ::setrlimit(RLIMIT_AS, &limit);
    }
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  int status = 0;
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(options.timeout_seconds);
  bool timed_out = false;
  while (true) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) throw std::runtime_error("waitpid failed");
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      timed_out = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  RunResult result;
  result.exit_code = !timed_out && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = read_text(out_file);
  result.err = read_text(err_file);
  if (timed_out) result.err += "\n[test: killed after the timeout]\n";
  if (WIFSIGNALED(status)) result.err += "\n[test: killed by signal]\n";
  return result;
}

// The contract for a user error: exit 2, exactly one line on stderr starting with the error prefix
// and containing `expected`, nothing on stdout. Reports every broken rule, with the output once.
inline void expect_user_error(const RunResult& r, const std::string& expected) {
  std::string problems;
  if (r.exit_code != 2) problems += "  exit code " + std::to_string(r.exit_code) + ", not 2\n";
  if (lines_of(r.err).size() != 1 || r.err.back() != '\n')
    problems += "  stderr is not exactly one line\n";
  if (r.err.rfind(kErrorPrefix, 0) != 0)
    problems += "  stderr does not start with '" + std::string(kErrorPrefix) + "'\n";
  if (r.err.find(expected) == std::string::npos)
    problems += "  stderr does not contain: " + expected + "\n";
  if (!r.out.empty()) problems += "  stdout is not empty\n";
  EXPECT_EQ(problems, "") << r.describe();
}

// Nothing was written into the working directory: in particular no runs/ directory.
inline void expect_nothing_written(const fs::path& cwd) {
  EXPECT_FALSE(fs::exists(cwd / "runs")) << "a runs/ directory was created in " << cwd;
  std::vector<std::string> entries;
  for (const auto& entry : fs::directory_iterator(cwd)) entries.push_back(entry.path().string());
  EXPECT_TRUE(entries.empty()) << "unexpected files, e.g. " << (entries.empty() ? "" : entries[0]);
}

inline const fs::path kIrisData = kSource / "configs" / "data" / "iris.csv";

// A small trained iris model (4-8-3, softmax, two epochs) as the run directory dir/out, for the
// suites that read, damage or predict with one.
inline void train_small_iris(const fs::path& dir, const std::string& out = "run") {
  const RunResult r = run_gradplug({"train", (kSource / "configs" / "iris.yaml").string(),
                                    "--quiet", "--set", "training.epochs=2", "--out", out},
                                   dir);
  ASSERT_EQ(r.exit_code, 0) << r.describe();
}

// The one run directory under cwd/runs.
inline fs::path single_run_dir(const fs::path& cwd) {
  std::vector<fs::path> dirs;
  if (fs::is_directory(cwd / "runs"))
    for (const auto& entry : fs::directory_iterator(cwd / "runs")) dirs.push_back(entry.path());
  if (dirs.size() != 1) {
    ADD_FAILURE() << "expected one run directory under " << (cwd / "runs") << ", found "
                  << dirs.size();
    return {};
  }
  return dirs[0];
}

}  // namespace gradplug::testing
