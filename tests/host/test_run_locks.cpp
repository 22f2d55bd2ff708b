// Runs that never mix, comparisons that stop cleanly. One process per run directory (a lock that
// names its holder, taken over when its holder was killed); a comparison's directory is one
// comparison's, or shared by its shards only; SIGINT or SIGTERM to compare stops its runs at
// their checkpoints, says what finished and how to resume.
#include <signal.h>

#include <nlohmann/json.hpp>

#include "cli_support.hpp"

using namespace gradplug::testing;

namespace {

// A gradplug started in the background, its output in files; killed if still running at the end.
class Background {
 public:
  Background(const std::vector<std::string>& args, const fs::path& cwd) {
    std::vector<std::string> argv_text{kBinary.string()};
    argv_text.insert(argv_text.end(), args.begin(), args.end());
    const std::string out = (capture_ / "stdout").string(), err = (capture_ / "stderr").string();
    const std::string dir = cwd.string();
    const std::string cache = "XDG_CACHE_HOME=" + (capture_ / "cache").string();
    pid_ = ::fork();
    if (pid_ == 0) {
      std::vector<char*> argv;
      for (auto& a : argv_text) argv.push_back(a.data());
      argv.push_back(nullptr);
      const int out_fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      const int err_fd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (out_fd < 0 || err_fd < 0 || ::dup2(out_fd, 1) < 0 || ::dup2(err_fd, 2) < 0 ||
          ::chdir(dir.c_str()) != 0)
        ::_exit(127);
      ::putenv(const_cast<char*>(cache.c_str()));
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
  }
  ~Background() {
    if (pid_ > 0 && !waited_) {
      ::kill(pid_, SIGKILL);
      wait();
    }
  }
  pid_t pid() const { return pid_; }
  void signal(int signo) const { ::kill(pid_, signo); }
  // Exit code, or -signal.
  int wait() {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    waited_ = true;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  }
  std::string err() const { return read_text(capture_ / "stderr"); }
  std::string out() const { return read_text(capture_ / "stdout"); }

 private:
  TempDir capture_;
  pid_t pid_ = -1;
  bool waited_ = false;
};

// Waits (up to 20 s) until `file` exists and holds text.
bool wait_for_file(const fs::path& file) {
  for (int i = 0; i < 4000; ++i) {
    std::error_code ec;
    if (fs::exists(file, ec) && fs::file_size(file, ec) > 0) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

const std::vector<std::string> kLongCompare = {"--set", "training.steps=100000000"};
const std::vector<std::string> kLongRun = {"--set", "training.steps=100000000", "--quiet"};

std::vector<std::string> with(std::vector<std::string> args, const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

}  // namespace

TEST(RunLocks, ASecondTrainIntoTheSameDirectoryIsRefusedNamingTheHolder) {
  TempDir cwd;
  Background first(with({"train", kMoons.string(), "--out", "run"}, kLongRun), cwd.path());
  ASSERT_TRUE(wait_for_file(cwd / "run" / ".lock")) << first.err();
  const RunResult second =
      run_gradplug({"train", kMoons.string(), "--out", "run", "--quiet"}, cwd.path());
  expect_user_error(second, "--out run: in use by pid " + std::to_string(first.pid()));
  // And the resume of a run still in progress.
  ASSERT_TRUE(wait_for_file(cwd / "run" / "model.json"));
  expect_user_error(run_gradplug({"train", "--resume", "run"}, cwd.path()),
                    "--resume run: in use by pid " + std::to_string(first.pid()));
  EXPECT_TRUE(fs::exists(cwd / "run" / "config.yaml"));
}

TEST(RunLocks, ALockLeftByAKilledRunIsStaleAndResumeTakesItOver) {
  TempDir cwd;
  {
    Background first(
        with({"train", kMoons.string(), "--out", "run", "--set", "training.checkpoint_every=1000"},
             kLongRun),
        cwd.path());
    ASSERT_TRUE(wait_for_file(cwd / "run" / "metrics.csv.partial")) << first.err();
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    first.signal(SIGKILL);
    EXPECT_EQ(first.wait(), -SIGKILL);
  }
  ASSERT_TRUE(fs::exists(cwd / "run" / ".lock"));  // left behind, held by no one
  // The resumed run gets the directory; it is stopped by SIGTERM, and then resumes again.
  Background resumed({"train", "--resume", "run", "--quiet"}, cwd.path());
  // Its first line comes once it has the directory and is ready to stop at a checkpoint.
  for (int i = 0; i < 4000 && resumed.out().find("resuming at step") == std::string::npos; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_CONTAINS(read_text(cwd / "run" / ".lock"), "pid " + std::to_string(resumed.pid()));
  resumed.signal(SIGTERM);
  EXPECT_EQ(resumed.wait(), 128 + SIGTERM) << resumed.err();
  EXPECT_FALSE(fs::exists(cwd / "run" / ".lock"));  // a clean stop leaves no lock file
}

TEST(RunLocks, TwoComparisonsCannotShareADirectoryButShardsOfOneCan) {
  TempDir cwd;
  const std::vector<std::string> compare = {"compare",  kMoons.string(), "--optimizers",
                                            "sgd,adam", "--seeds",       "2"};
  Background first(with(with(compare, {"--out", "cmp"}), kLongCompare), cwd.path());
  ASSERT_TRUE(wait_for_file(cwd / "cmp" / ".lock")) << first.err();
  // Another comparison, the same one again, or a shard: all refused while it runs.
  expect_user_error(
      run_gradplug({"compare", kMoons.string(), "--optimizers", "rmsprop", "--out", "cmp"},
                   cwd.path()),
      "--out cmp: in use by pid " + std::to_string(first.pid()));
  expect_user_error(run_gradplug(with(compare, {"--out", "cmp", "--shard", "0/2"}), cwd.path()),
                    "--out cmp: in use by pid " + std::to_string(first.pid()));
  first.signal(SIGTERM);
  EXPECT_EQ(first.wait(), 128 + SIGTERM);

  // Shards of one plan work in one directory together; another plan is refused by its plan.
  const RunResult shard0 = run_gradplug(
      with(compare, {"--out", "shared", "--shard", "0/2", "--set", "training.steps=50"}),
      cwd.path());
  EXPECT_EQ(shard0.exit_code, 0) << shard0.describe();
  const RunResult other =
      run_gradplug({"compare", kMoons.string(), "--optimizers", "rmsprop", "--seeds", "2", "--out",
                    "shared", "--shard", "1/2", "--set", "training.steps=50"},
                   cwd.path());
  expect_user_error(other, "its plan.json differs");
}

// SIGTERM (a scheduler, kill) and SIGINT (Ctrl-C, which with the runs in process groups of
// their own reaches compare alone): each run stops at its checkpoint, compare says what finished
// and how to resume, and the resumed comparison ends as an uninterrupted one.
TEST(CompareSignals, AStoppedComparisonStopsItsRunsAndResumes) {
  for (const int signo : {SIGTERM, SIGINT}) {
    SCOPED_TRACE(signo == SIGTERM ? "SIGTERM" : "SIGINT");
    TempDir cwd;
    const std::vector<std::string> compare = {
        "compare", kMoons.string(), "--optimizers",        "sgd,adam", "--seeds", "2", "--jobs",
        "2",       "--set",         "training.steps=60000"};
    Background running(with(compare, {"--out", "cmp"}), cwd.path());
    ASSERT_TRUE(wait_for_file(cwd / "cmp" / "runs" / "sgd" / "seed-1" / "model.json"))
        << running.err();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    running.signal(signo);
    EXPECT_EQ(running.wait(), 128 + signo) << running.err();
    const std::string err = running.err();
    EXPECT_CONTAINS(err, std::string("stopped by ") + (signo == SIGTERM ? "SIGTERM" : "SIGINT"));
    EXPECT_CONTAINS(err, "stopped at a checkpoint");
    EXPECT_CONTAINS(err, "Resume with: gradplug compare");
    // Every run it started was told to stop, and did, leaving a checkpoint to resume.
    EXPECT_CONTAINS(read_text(cwd / "cmp" / "runs" / "sgd" / "seed-1.log"),
                    "checkpoint saved. Resume with");
    EXPECT_FALSE(fs::exists(cwd / "cmp" / ".lock"));

    const RunResult resumed = run_gradplug(with(compare, {"--resume", "cmp"}), cwd.path());
    EXPECT_EQ(resumed.exit_code, 0) << resumed.describe();
    const auto summary = nlohmann::json::parse(read_text(cwd / "cmp" / "summary.json"));
    EXPECT_EQ(summary["variants"][0]["succeeded"], 2);
    EXPECT_EQ(summary["variants"][1]["succeeded"], 2);
  }
}

// --fail-fast stops the other runs at the first failure and ends (it used to wait forever for
// the runs it had decided not to start).
TEST(CompareSignals, FailFastEndsAfterTheFirstFailure) {
  TempDir cwd;
  RunOptions options;
  options.timeout_seconds = 60;
  const RunResult r =
      run_gradplug({"compare", kMoons.string(), "--optimizers", "crashes_in_step,sgd", "--seeds",
                    "3", "--fail-fast", "--set", "training.steps=20", "--plugin-dir",
                    (kBroken / "crashes_in_step").string(), "--out", "ff"},
                   cwd.path(), options);
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  // "crashed (signal 11)", or "failed" where a sanitizer catches the signal first.
  EXPECT_CONTAINS(r.out, "crashes_in_step seed 1: ");
}
