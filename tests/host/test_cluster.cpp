// Scaling a comparison out: the shard partition (every run in exactly one shard, the same on
// every machine, balanced by cost), sharded runs merged by `gradplug report` into the same numbers
// as a local compare, missing / failed / diverged runs listed and re-run alone, the emitted Slurm
// script, and the errors of the new flags. The real-scheduler test is tests/cluster/slurm_test.sh.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli_support.hpp"
#include "compare/compare_plan.hpp"
#include "compare/job_script.hpp"
#include "gradplug/error.hpp"

namespace {

using namespace gradplug::testing;
using gradplug::host::ComparePlan;
using gradplug::host::PlannedRun;
using nlohmann::json;

ComparePlan plan_with_costs(const std::vector<double>& costs) {
  ComparePlan plan;
  plan.title = "t";
  for (std::size_t i = 0; i < costs.size(); ++i)
    plan.runs.push_back(PlannedRun{"v" + std::to_string(i), "v", {}, {}, 1, "v", costs[i]});
  return plan;
}

TEST(Shards, EveryRunIsInExactlyOneShard) {
  for (std::size_t runs : {1, 2, 7, 30}) {
    std::vector<double> costs;
    for (std::size_t i = 0; i < runs; ++i) costs.push_back(1 + static_cast<double>((i * 7) % 5));
    const ComparePlan plan = plan_with_costs(costs);
    for (std::size_t shards : {1, 2, 3, 8, 40}) {
      std::vector<int> seen(runs, 0);
      for (std::size_t s = 0; s < shards; ++s) {
        const auto mine = gradplug::host::shard_runs(plan, s, shards);
        EXPECT_TRUE(std::is_sorted(mine.begin(), mine.end()));
        for (std::size_t i : mine) ++seen[i];
        // Deterministic: asking again (as another machine would) gives the same list.
        EXPECT_EQ(mine, gradplug::host::shard_runs(plan, s, shards));
      }
      EXPECT_EQ(seen, std::vector<int>(runs, 1)) << runs << " runs, " << shards << " shards";
    }
  }
}

TEST(Shards, BalancedByExpectedCostNotByCount) {
  // One run as long as the six others together: it gets a shard of its own.
  const ComparePlan plan = plan_with_costs({1, 1, 6, 1, 1, 1, 1});
  EXPECT_EQ(gradplug::host::shard_runs(plan, 0, 2), (std::vector<std::size_t>{2}));
  EXPECT_EQ(gradplug::host::shard_runs(plan, 1, 2), (std::vector<std::size_t>{0, 1, 3, 4, 5, 6}));
  // Equal costs: counts differ by at most one.
  const ComparePlan even = plan_with_costs(std::vector<double>(10, 2.0));
  for (std::size_t s = 0; s < 3; ++s) {
    const auto n = gradplug::host::shard_runs(even, s, 3).size();
    EXPECT_TRUE(n == 3 || n == 4) << n;
  }
}

TEST(Shards, ShardFlagIsParsedStrictly) {
  EXPECT_EQ(gradplug::host::parse_shard("0/1"), (std::pair<std::size_t, std::size_t>{0, 1}));
  EXPECT_EQ(gradplug::host::parse_shard("3/4"), (std::pair<std::size_t, std::size_t>{3, 4}));
  for (const char* bad : {"4/4", "1", "/4", "1/", "-1/4", "1/0", "a/b", "1/4/5", " 1/4", "1/99999"})
    EXPECT_THROW(gradplug::host::parse_shard(bad), gradplug::Error) << bad;
}

TEST(Shards, ShellQuotingSurvivesTheShell) {
  using gradplug::host::shell_quote;
  EXPECT_EQ(shell_quote("configs/moons.yaml"), "configs/moons.yaml");
  EXPECT_EQ(shell_quote("sgd,adam:lr=0.01"), "sgd,adam:lr=0.01");
  EXPECT_EQ(shell_quote(""), "''");
  EXPECT_EQ(shell_quote("a b"), "'a b'");
  // Through a real shell: every word comes back as it was.
  TempDir dir;
  const std::vector<std::string> words = {"plain", "a b", "it's", "$HOME", "`x`", "\"q\"", "*"};
  std::string script = "printf '%s\\n'";
  for (const auto& w : words) script += " " + shell_quote(w);
  write_text(dir / "s.sh", script + " > out.txt\n");
  ASSERT_EQ(std::system(("cd " + dir.path().string() + " && sh s.sh").c_str()), 0);
  EXPECT_EQ(lines_of(read_text(dir / "out.txt")), words);
}

const std::vector<std::string> kComparison = {
    kMoons.string(), "--optimizers",     "sgd,rmsprop,adam:lr=0.01", "--seeds", "2",
    "--set",         "training.steps=30"};

std::vector<std::string> compare_with(std::vector<std::string> extra) {
  std::vector<std::string> args = {"compare"};
  args.insert(args.end(), kComparison.begin(), kComparison.end());
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

TEST(ShardedCompare, MergedReportEqualsALocalCompare) {
  TempDir cwd;
  const RunResult local = run_gradplug(compare_with({"--out", "local"}), cwd.path());
  ASSERT_EQ(local.exit_code, 0) << local.describe();
  // Three shards, run one after the other (as three cluster tasks would, on other machines).
  std::set<std::string> run_dirs;
  for (int shard = 0; shard < 3; ++shard) {
    const RunResult r = run_gradplug(
        compare_with({"--out", "shared", "--shard", std::to_string(shard) + "/3"}), cwd.path());
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_CONTAINS(r.out, "shard " + std::to_string(shard) + "/3: 2 of 6 runs: 2 ok");
    const json manifest = json::parse(
        read_text(cwd / "shared" / "shards" / ("shard-" + std::to_string(shard) + "-of-3.json")));
    EXPECT_FALSE(manifest["finished"].is_null());
    for (const auto& d : manifest["runs"])
      EXPECT_TRUE(run_dirs.insert(d.get<std::string>()).second);
  }
  EXPECT_EQ(run_dirs.size(), 6u);
  // Before the merge there is no table; the report makes it.
  EXPECT_FALSE(fs::exists(cwd / "shared" / "compare.csv"));
  const RunResult merged = run_gradplug({"report", "shared"}, cwd.path());
  ASSERT_EQ(merged.exit_code, 0) << merged.describe();
  EXPECT_CONTAINS(merged.err, "3 of 3 shards finished");
  EXPECT_EQ(without_seconds(read_text(cwd / "shared" / "compare.csv")),
            without_seconds(read_text(cwd / "local" / "compare.csv")));
  for (const char* file : {"summary.json", "loss.svg", "plan.json", "base.yaml"})
    EXPECT_TRUE(fs::is_regular_file(cwd / "shared" / file)) << file;
  const json a = json::parse(read_text(cwd / "shared" / "summary.json"));
  const json b = json::parse(read_text(cwd / "local" / "summary.json"));
  EXPECT_EQ(a["command"], b["command"]);
  for (std::size_t v = 0; v < 3; ++v) {
    EXPECT_EQ(a["variants"][v]["final_loss"], b["variants"][v]["final_loss"]);
    EXPECT_EQ(a["variants"][v]["rank"], b["variants"][v]["rank"]);
  }
  // The table printed by report is the local one, but for the seconds column.
  const RunResult local_csv = run_gradplug({"report", "local", "--format", "csv"}, cwd.path());
  const RunResult merged_csv = run_gradplug({"report", "shared", "--format", "csv"}, cwd.path());
  EXPECT_EQ(without_seconds(merged_csv.out), without_seconds(local_csv.out));
}

TEST(ShardedCompare, ShardsStartedAtOnceIntoAFreshDirectoryAgree) {
  // As GNU parallel or a Kubernetes Indexed Job starts them: all at the same moment, none first.
  TempDir cwd;
  std::string args;
  for (const auto& a : kComparison) args += " '" + a + "'";
  const std::string command = "cd " + cwd.path().string() + " && seq 0 3 | xargs -P 4 -I{} " +
                              kBinary.string() + " compare" + args +
                              " --jobs 1 --out together --shard {}/4 > log.txt 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0) << read_text(cwd / "log.txt");
  const RunResult merged = run_gradplug({"report", "together", "--format", "csv"}, cwd.path());
  ASSERT_EQ(merged.exit_code, 0) << merged.describe();
  EXPECT_CONTAINS(merged.err, "4 of 4 shards finished");
  const RunResult local =
      run_gradplug(compare_with({"--out", "local", "--format", "csv"}), cwd.path());
  EXPECT_EQ(without_seconds(merged.out), without_seconds(local.out));
}

TEST(ShardedCompare, MissingFailedAndDivergedRunsAreListedAndOnlyMissingOnesRerun) {
  TempDir cwd;
  const std::vector<std::string> args = {
      "compare", kMoons.string(),     "--optimizers", "sgd:lr=1e12,rmsprop",        "--seeds", "2",
      "--set",   "training.steps=20", "--set",        "training.schedule=constant", "--out",   "o"};
  auto with = [&](std::vector<std::string> extra) {
    auto a = args;
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  };
  // Only shard 0 of 2 runs: the others are missing.
  const RunResult first = run_gradplug(with({"--shard", "0/2"}), cwd.path());
  EXPECT_EQ(first.exit_code, 1) << first.describe();  // its sgd run diverges
  EXPECT_CONTAINS(first.out, "diverged");
  const RunResult partial = run_gradplug({"report", "o"}, cwd.path());
  EXPECT_EQ(partial.exit_code, 1) << partial.describe();
  EXPECT_CONTAINS(partial.out, "sgd:lr=1e12 seed 1: diverged");
  EXPECT_CONTAINS(partial.out, "sgd:lr=1e12 seed 2: missing");
  EXPECT_CONTAINS(partial.out, "rmsprop seed 2: missing");
  EXPECT_CONTAINS(partial.out,
                  "2 of 4 runs missing; run them (and only them) with: gradplug "
                  "compare");
  const json summary = json::parse(read_text(cwd / "o" / "summary.json"));
  EXPECT_EQ(summary["runs"][1]["status"], "missing");

  // A run whose process failed leaves a status record, read by report.
  const fs::path rmsprop1 = cwd / "o" / "runs" / "rmsprop" / "seed-1";
  ASSERT_TRUE(fs::is_regular_file(rmsprop1 / "summary.json"));
  const auto finished_at = fs::last_write_time(rmsprop1 / "summary.json");

  // Resuming shard 1 runs its two runs and leaves shard 0's alone.
  const RunResult second =
      run_gradplug({"compare", kMoons.string(), "--optimizers", "sgd:lr=1e12,rmsprop", "--seeds",
                    "2", "--set", "training.steps=20", "--set", "training.schedule=constant",
                    "--resume", "o", "--shard", "1/2"},
                   cwd.path());
  EXPECT_CONTAINS(second.out, "shard 1/2: 2 of 4 runs");
  EXPECT_EQ(fs::last_write_time(rmsprop1 / "summary.json"), finished_at);
  const RunResult whole = run_gradplug({"report", "o"}, cwd.path());
  EXPECT_EQ(whole.exit_code, 1) << whole.describe();  // sgd still diverges, honestly
  EXPECT_EQ(whole.out.find("missing"), std::string::npos) << whole.out;
  EXPECT_CONTAINS(whole.out, "sgd:lr=1e12 seed 2: diverged");

  // A crashed process: its status record says how it ended.
  fs::remove_all(rmsprop1);
  write_text(cwd / "o" / "runs" / "rmsprop" / "seed-1.status.json",
             R"j({"status": "crashed (signal 11)", "exit_code": -11, "seconds": 0.1})j");
  const RunResult crashed = run_gradplug({"report", "o"}, cwd.path());
  EXPECT_CONTAINS(crashed.out, "rmsprop seed 1: crashed (signal 11)");
}

TEST(ShardedCompare, EmittedSlurmScriptRunsItsShards) {
  TempDir cwd;
  const RunResult emitted =
      run_gradplug(compare_with({"--out", "cluster", "--emit", "slurm", "--shards", "3",
                                 "--max-parallel", "2", "--time", "0:10:00", "--partition", "short",
                                 "--cpus-per-task", "2", "--sbatch=--account=proj"}),
                   cwd.path());
  ASSERT_EQ(emitted.exit_code, 0) << emitted.describe();
  const std::string& script = emitted.out;
  const fs::path out = fs::canonical(cwd / "cluster");
  for (const std::string& line : std::vector<std::string>{
           "#!/bin/bash", "#SBATCH --array=0-2%2", "#SBATCH --cpus-per-task=2",
           "#SBATCH --time=0:10:00", "#SBATCH --partition=short", "#SBATCH --account=proj",
           "#SBATCH --output=" + out.string() + "/logs/slurm-%A_%a.out",
           "#SBATCH --chdir=" + fs::canonical(cwd.path()).string(), "# Written by gradplug "})
    EXPECT_CONTAINS(script, line);
  // The exact command it was made from, and the shard command each task runs.
  EXPECT_CONTAINS(script, "#   gradplug compare " + kMoons.string() +
                              " --optimizers sgd,rmsprop,adam:lr=0.01 --seeds 2 --set "
                              "training.steps=30 --out cluster --emit slurm");
  EXPECT_CONTAINS(script, "--resume " + out.string() +
                              " --jobs \"${SLURM_CPUS_PER_TASK:-2}\" --shard "
                              "\"${SLURM_ARRAY_TASK_ID}/3\"");
  EXPECT_EQ(read_text(out / "slurm.sbatch"), script);
  EXPECT_TRUE(fs::is_directory(out / "logs"));
  EXPECT_TRUE(fs::is_regular_file(out / "plan.json"));

  // Each array task as Slurm would start it: the script under bash with the task's variables.
  for (int task = 0; task < 3; ++task) {
    const std::string command = "cd / && SLURM_ARRAY_TASK_ID=" + std::to_string(task) +
                                " SLURM_CPUS_PER_TASK=1 GRADPLUG=" + kBinary.string() + " bash " +
                                (out / "slurm.sbatch").string() + " > /dev/null 2>&1";
    ASSERT_EQ(std::system(command.c_str()), 0) << "task " << task;
  }
  const RunResult merged = run_gradplug({"report", "cluster", "--format", "csv"}, cwd.path());
  ASSERT_EQ(merged.exit_code, 0) << merged.describe();
  const RunResult local =
      run_gradplug(compare_with({"--out", "local", "--format", "csv"}), cwd.path());
  EXPECT_EQ(without_seconds(merged.out), without_seconds(local.out));

  // A gradplug of another version refuses to run the shard.
  write_text(cwd / "fake", "#!/bin/sh\necho 'gradplug 9.9.9 (plugin ABI 9)'\n");
  fs::permissions(cwd / "fake", fs::perms::owner_all);
  const std::string mismatch = "cd / && SLURM_ARRAY_TASK_ID=0 GRADPLUG=" + (cwd / "fake").string() +
                               " bash " + (out / "slurm.sbatch").string() + " 2> " +
                               (cwd / "err.txt").string();
  EXPECT_NE(std::system(mismatch.c_str()), 0);
  EXPECT_CONTAINS(read_text(cwd / "err.txt"), "this script was written by gradplug ");
}

TEST(ShardedCompare, BadClusterFlagsAreClearErrors) {
  TempDir cwd;
  expect_user_error(run_gradplug(compare_with({"--shard", "3/3", "--out", "o"}), cwd.path()),
                    "--shard: '3/3' is not I/N with 0 <= I < N");
  expect_user_error(run_gradplug(compare_with({"--shard", "0/3"}), cwd.path()),
                    "--shard: give the directory all shards share");
  expect_user_error(run_gradplug(compare_with({"--shards", "3"}), cwd.path()),
                    "--shards: only with --emit slurm");
  expect_user_error(run_gradplug(compare_with({"--cpus-per-task", "4"}), cwd.path()),
                    "--cpus-per-task: only with --emit slurm");
  expect_user_error(run_gradplug(compare_with({"--emit", "pbs", "--out", "o"}), cwd.path()),
                    "--emit: unknown scheduler 'pbs'");
  expect_user_error(
      run_gradplug(compare_with({"--emit", "slurm", "--shards", "7", "--out", "o2"}), cwd.path()),
      "--shards: expected 1 to 6 (the number of runs), got 7");
  expect_user_error(run_gradplug(compare_with({"--emit", "slurm", "--shard", "0/2"}), cwd.path()),
                    "--emit: the script runs the shards itself; leave out --shard");
  expect_user_error(
      run_gradplug(compare_with({"--emit", "slurm", "--partition", "a b", "--out", "o3"}),
                   cwd.path()),
      "--partition: 'a b' cannot go on an #SBATCH line");
  // A directory that holds something else is not taken over by a shard.
  fs::create_directories(cwd / "busy");
  write_text(cwd / "busy" / "notes.txt", "mine");
  expect_user_error(run_gradplug(compare_with({"--shard", "0/2", "--out", "busy"}), cwd.path()),
                    "--out busy: holds 'notes.txt' but no comparison (no base.yaml)");
  // A shard of another comparison into the same directory is refused.
  ASSERT_EQ(run_gradplug(compare_with({"--shard", "0/2", "--out", "s"}), cwd.path()).exit_code, 0);
  expect_user_error(
      run_gradplug({"compare", kMoons.string(), "--optimizers", "sgd,adam", "--seeds", "2", "--set",
                    "training.steps=30", "--shard", "1/2", "--out", "s"},
                   cwd.path()),
      "--out s: that comparison has other runs (its plan.json differs)");

  // report: not a comparison, a damaged plan, and a missing argument.
  expect_user_error(run_gradplug({"report", "nowhere"}, cwd.path()), "nowhere: no such directory");
  expect_user_error(run_gradplug({"report", "busy"}, cwd.path()),
                    "busy: not a comparison directory (it has no plan.json)");
  write_text(cwd / "s" / "plan.json",
             "{\"format\": \"gradplug-compare-plan\", \"format_version\": 1}");
  expect_user_error(
      run_gradplug({"report", "s"}, cwd.path()),
      "plan.json: field 'title': missing; the file is damaged or not a gradplug plan");
  write_text(cwd / "s" / "plan.json",
             "{\"format\": \"gradplug-compare-plan\", \"format_version\": 7}");
  expect_user_error(run_gradplug({"report", "s"}, cwd.path()),
                    "plan format_version 7 is not supported");
  expect_user_error(run_gradplug({"report"}, cwd.path()), "missing the comparison directory");
}

}  // namespace
