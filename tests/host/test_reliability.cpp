// Nothing lost: gradplug train killed with SIGKILL at random moments (during steps and during
// checkpoint writes) always leaves a checkpoint that loads, and resuming after every kill ends
// bit-identical to a run that was never interrupted.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>

#include "run/checksum.hpp"
#include "cli_support.hpp"

namespace {

using namespace gradplug::testing;
using nlohmann::json;

// Checkpoints every 2 steps, so kills often land inside a checkpoint write; shuffling and dropout
// on, so the generator states must be restored exactly.
std::string kill_config() {
  return "name: kill\nseed: 9\n"
         "data: {source: spirals, classes: 3, points_per_class: 60, noise: 0.2}\n"
         "model: {layers: [24, 24, 3], activation: tanh, init: xavier}\n"
         "loss: softmax_cross_entropy\n"
         "training: {epochs: 150, batch_size: 16, checkpoint_every: 2}\n"
         "optimizer: {name: adam, lr: 0.01}\n"
         "regularizers: [{name: dropout, p: 0.1}]\n";
}

// Starts gradplug, kills it with SIGKILL after `delay`, and returns true if it was still running
// (false: it finished first, with its exit code in `code`).
bool run_and_kill(const std::vector<std::string>& args, const fs::path& cwd,
                  std::chrono::microseconds delay, int& code) {
  std::vector<std::string> argv_text{kBinary.string()};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_text) argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string dir = cwd.string();
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (::chdir(dir.c_str()) != 0) ::_exit(126);
    const int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, 1);
    ::dup2(null, 2);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  const auto until = std::chrono::steady_clock::now() + delay;
  int status = 0;
  while (std::chrono::steady_clock::now() < until) {
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      return false;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, &status, 0);
  if (WIFEXITED(status)) {
    code = WEXITSTATUS(status);
    return false;
  }
  return true;
}

TEST(KillLoop, EveryKillLeavesALoadableCheckpointAndResumingIsBitIdentical) {
  TempDir cwd;
  write_text(cwd / "kill.yaml", kill_config());
  const RunResult whole =
      run_gradplug({"train", "kill.yaml", "--quiet", "--out", "whole"}, cwd.path());
  ASSERT_EQ(whole.exit_code, 0) << whole.describe();

  std::mt19937 rng(20261127);
  // Kills come at 3 to 60 ms at first; the window widens with every launch so a slow machine (or
  // a busy parallel test run) still gets to the end.
  std::size_t kills = 0, launches = 0;
  bool finished = false;
  const fs::path run = cwd / "run";
  while (!finished && launches < 400) {
    ++launches;
    const bool fresh = !fs::exists(run / "model.json");
    if (fresh) fs::remove_all(run);  // killed before its first checkpoint: nothing to resume
    const std::vector<std::string> args =
        fresh ? std::vector<std::string>{"train", "kill.yaml", "--quiet", "--out", "run"}
              : std::vector<std::string>{"train", "--resume", "run", "--quiet"};
    int code = -1;
    std::uniform_int_distribution<int> delay_us(3000, 60000 + 2000 * static_cast<int>(launches));
    if (run_and_kill(args, cwd.path(), std::chrono::microseconds(delay_us(rng)), code)) {
      ++kills;
      if (fs::exists(run / "model.json")) {
        // The checkpoint on disk is complete and intact, whenever the kill came.
        const json checkpoint = json::parse(read_text(run / "model.json"));
        std::string problem;
        ASSERT_TRUE(gradplug::host::checksum_matches(checkpoint, problem))
            << "after kill " << kills << ": " << problem;
      }
      continue;
    }
    ASSERT_EQ(code, 0) << "a run ended with code " << code
                       << " instead of being killed or finishing";
    finished = true;
  }
  ASSERT_TRUE(finished) << "never finished within " << launches << " launches";
  EXPECT_GE(kills, 10u) << "the kills came too late to test anything";
  RecordProperty("kills_survived", static_cast<int>(kills));
  std::cout << "[ kill loop ] " << kills << " SIGKILLs survived in " << launches << " launches\n";
  // Temporary files of writes cut short are cleared when the run is resumed.
  for (const auto& entry : fs::directory_iterator(run))
    EXPECT_EQ(entry.path().filename().string().find(".tmp-"), std::string::npos)
        << "left over: " << entry.path();
  EXPECT_TRUE(fs::is_regular_file(run / "summary.json"));
  EXPECT_FALSE(fs::exists(run / "metrics.csv.partial"));
  const json a = json::parse(read_text(run / "model.json")),
             b = json::parse(read_text(cwd / "whole" / "model.json"));
  EXPECT_EQ(a["layers"].dump(), b["layers"].dump());
  EXPECT_EQ(a["optimizer"].dump(), b["optimizer"].dump());
  EXPECT_EQ(a["training"].dump(), b["training"].dump());
}

}  // namespace

namespace {

const fs::path kBrokenDir = GRADPLUG_TEST_BROKEN_DIR;

TEST(MisbehavingPlugins, TrainNamesANanActivationAndExitsCleanly) {
  TempDir cwd;
  const RunResult r =
      run_gradplug({"train", kMoons.string(), "--quiet", "--out", "run", "--plugin-dir",
                    (kBrokenDir / "always_nan").string(), "--set", "model.activation=always_nan"},
                   cwd.path());
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_CONTAINS(r.err, "step 1: the loss became non-finite");
  EXPECT_CONTAINS(r.err, "uses activation 'always_nan'");
  EXPECT_TRUE(fs::is_regular_file(cwd / "run" / "summary.json"));
}

TEST(MisbehavingPlugins, CompareIsolatesACrashingAndAHangingPlugin) {
  TempDir cwd;
  // An optimizer that dies with SIGSEGV in step(): only its runs fail.
  const RunResult crash =
      run_gradplug({"compare", kMoons.string(), "--optimizers", "sgd,crashes_in_step", "--seeds",
                    "2", "--set", "training.steps=10", "--plugin-dir",
                    (kBrokenDir / "crashes_in_step").string(), "--out", "crash"},
                   cwd.path());
  EXPECT_EQ(crash.exit_code, 1) << crash.describe();
  EXPECT_CONTAINS(crash.out, "crashes_in_step seed 1: crashed (signal 11)");
  EXPECT_CONTAINS(crash.out, "crashes_in_step seed 2: crashed (signal 11)");
  const auto summary = nlohmann::json::parse(read_text(cwd / "crash" / "summary.json"));
  EXPECT_EQ(summary["variants"][0]["succeeded"], 2);
  EXPECT_EQ(summary["variants"][1]["succeeded"], 0);

  // An activation that makes runs crawl: --timeout stops those runs, the others finish.
  write_text(cwd / "hang.yaml", read_text(kMoons) +
                                    "compare:\n  - {label: tanh, model: {activation: tanh}}\n"
                                    "  - {label: slow, model: {activation: slow_activation}}\n");
  const RunResult hang = run_gradplug({"compare", "hang.yaml", "--timeout", "1", "--plugin-dir",
                                       (kBrokenDir / "slow_activation").string(), "--out", "hang"},
                                      cwd.path());
  EXPECT_EQ(hang.exit_code, 1) << hang.describe();
  EXPECT_CONTAINS(hang.out, "slow seed 1: timed out");
  const auto h = nlohmann::json::parse(read_text(cwd / "hang" / "summary.json"));
  EXPECT_EQ(h["variants"][0]["succeeded"], 1);
}

TEST(PluginDirectories, OthersWritableDirectoriesAndFilesAreRefused) {
  TempDir cwd;
  const fs::path dir = cwd / "plugins";
  fs::create_directory(dir);
  fs::copy_file(kBrokenDir / "always_nan" / "always_nan.so", dir / "always_nan.so");
  fs::permissions(dir, fs::perms::all);  // 0777
  const RunResult refused = run_gradplug({"plugins", "--plugin-dir", dir.string()}, cwd.path());
  expect_user_error(refused, "refusing to load plugins from " + dir.string() +
                                 ": users other than its owner can write to it");
  EXPECT_CONTAINS(refused.err, "--allow-insecure-plugins");
  const RunResult allowed = run_gradplug(
      {"plugins", "--plugin-dir", dir.string(), "--allow-insecure-plugins"}, cwd.path());
  EXPECT_EQ(allowed.exit_code, 0) << allowed.describe();
  EXPECT_CONTAINS(allowed.out, "always_nan");
  fs::permissions(dir, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                           fs::perms::others_read | fs::perms::others_exec);
  fs::permissions(dir / "always_nan.so",
                  fs::perms::owner_all | fs::perms::group_all | fs::perms::others_all);
  const RunResult file = run_gradplug({"plugins", "--plugin-dir", dir.string()}, cwd.path());
  EXPECT_EQ(file.exit_code, 0) << file.describe();
  EXPECT_CONTAINS(file.err, "skipped " + (dir / "always_nan.so").string() +
                                ": users other than its owner can write to it");
  EXPECT_EQ(file.out.find("always_nan"), std::string::npos);
}

}  // namespace
