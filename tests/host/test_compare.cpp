// gradplug compare end to end: fair and reproducible comparisons (same numbers for any --jobs),
// config variants, sweeps, dry runs, failures reported without stopping the rest, every output
// format and file, and the playground.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli_support.hpp"

namespace {

using namespace gradplug::testing;
using nlohmann::json;

json read_json(const fs::path& file) { return json::parse(read_text(file)); }

TEST(Compare, SameNumbersForAnyJobsAndEveryFileWritten) {
  TempDir cwd;
  const std::vector<std::string> base = {
      "compare", kMoons.string(), "--optimizers",     "sgd,rmsprop,adam:lr=0.01", "--seeds",
      "3",       "--set",         "training.steps=40"};
  auto with = [&](std::vector<std::string> extra) {
    auto args = base;
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  };
  const RunResult one =
      run_gradplug(with({"--jobs", "1", "--out", "one", "--format", "csv"}), cwd.path());
  const RunResult two =
      run_gradplug(with({"--jobs", "2", "--out", "two", "--format", "csv"}), cwd.path());
  ASSERT_EQ(one.exit_code, 0) << one.describe();
  ASSERT_EQ(two.exit_code, 0) << two.describe();
  // The table without the timing column is identical.
  EXPECT_EQ(without_seconds(one.out), without_seconds(two.out));
  const auto rows = lines_of(read_text(cwd / "one" / "compare.csv"));
  EXPECT_EQ(rows.size(), 1u + 9u);  // 3 variants x 3 seeds
  for (const char* file : {"compare.csv", "summary.json", "loss.svg", "base.yaml"})
    EXPECT_TRUE(fs::is_regular_file(cwd / "one" / file)) << file;
  const json summary = read_json(cwd / "one" / "summary.json");
  ASSERT_EQ(summary["variants"].size(), 3u);
  EXPECT_EQ(summary["runs"].size(), 9u);
  // Same seed, same initial weights and data: the first step's loss is the same for every
  // variant (the optimizer has not acted yet).
  std::set<std::string> first_losses;
  for (const auto& run : summary["runs"])
    if (run["seed"] == 1) {
      const auto metrics =
          lines_of(read_text(cwd / "one" / run["run_dir"].get<std::string>() / "metrics.csv"));
      first_losses.insert(metrics[1].substr(
          0, metrics[1].find(',', metrics[1].find(',', metrics[1].find(',') + 1) + 1)));
    }
  EXPECT_EQ(first_losses.size(), 1u);
  const std::string svg = read_text(cwd / "one" / "loss.svg");
  for (const char* label : {"sgd", "rmsprop", "adam:lr=0.01", "moons"}) EXPECT_CONTAINS(svg, label);
}

TEST(Compare, TableMarkdownAndJsonFormats) {
  TempDir cwd;
  const std::vector<std::string> args = {"compare",  kMoons.string(),    "--optimizers",
                                         "sgd,adam", "--seeds",          "2",
                                         "--set",    "training.steps=20"};
  auto run = [&](const std::string& format, const std::string& out) {
    auto a = args;
    a.insert(a.end(), {"--format", format, "--out", out});
    return run_gradplug(a, cwd.path());
  };
  const RunResult table = run("table", "t");
  ASSERT_EQ(table.exit_code, 0) << table.describe();
  EXPECT_CONTAINS(table.out, "moons: 2 variants, 4 runs");
  EXPECT_CONTAINS(table.out, "rank");
  EXPECT_CONTAINS(table.out, "±");
  const RunResult markdown = run("markdown", "m");
  EXPECT_CONTAINS(markdown.out, "| variant");
  EXPECT_CONTAINS(markdown.out, "---: |");
  const json j = json::parse(run("json", "j").out);
  EXPECT_EQ(j["variants"].size(), 2u);
  EXPECT_EQ(j["variants"][0]["final_loss"]["n"], 2);
  const std::set<int> ranks = {j["variants"][0]["rank"].get<int>(),
                               j["variants"][1]["rank"].get<int>()};
  EXPECT_EQ(ranks, (std::set<int>{1, 2}));
  expect_user_error(run("yaml", "y"),
                    "--format: unknown format 'yaml'; valid: table, markdown, csv, json");
}

TEST(Compare, ConfigVariantsSweepsAndDryRun) {
  TempDir cwd;
  write_text(cwd / "variants.yaml",
             read_text(kMoons) +
                 "compare:\n"
                 "  - {label: relu, model: {activation: relu}}\n"
                 "  - {label: swish, model: {activation: {name: swish, beta: 2}}}\n");
  const RunResult dry =
      run_gradplug({"compare", "variants.yaml", "--sweep", "optimizer.lr=logspace(0.01,1,3)",
                    "--seeds", "2", "--dry-run"},
                   cwd.path());
  ASSERT_EQ(dry.exit_code, 0) << dry.describe();
  EXPECT_CONTAINS(dry.out, "12 runs (6 variants x 2 seeds)");
  EXPECT_CONTAINS(dry.out, "swish optimizer.lr=0.1  seed 2");
  EXPECT_CONTAINS(dry.out, "--set 'model.activation={name: swish, beta: 2}'");
  EXPECT_FALSE(fs::exists(cwd / "runs")) << "a dry run writes nothing";

  const RunResult sweep =
      run_gradplug({"compare", "variants.yaml", "--sweep", "optimizer.lr=0.1,1", "--set",
                    "training.steps=20", "--out", "s", "--format", "json"},
                   cwd.path());
  ASSERT_EQ(sweep.exit_code, 0) << sweep.describe();
  EXPECT_EQ(json::parse(sweep.out)["variants"].size(), 4u);
  EXPECT_TRUE(fs::is_regular_file(cwd / "s" / "sensitivity.svg"));
  EXPECT_CONTAINS(read_text(cwd / "s" / "sensitivity.svg"), "log10(optimizer.lr)");

  // A typo in a variant is found before anything runs.
  write_text(cwd / "typo.yaml", read_text(kMoons) + "compare:\n  - {model: {activaton: relu}}\n");
  expect_user_error(run_gradplug({"compare", "typo.yaml"}, cwd.path()),
                    "unknown key 'activaton' (did you mean 'activation'?)");
  expect_user_error(
      run_gradplug({"compare", kMoons.string(), "--sweep", "optimizer.lr=logspace(0,1,3)"},
                   cwd.path()),
      "logspace needs positive ends");
  expect_user_error(
      run_gradplug({"compare", kMoons.string(), "--optimizers", "sgd,adamm"}, cwd.path()),
      "unknown optimizer 'adamm' (did you mean 'adam'?)");
}

TEST(Compare, AFailedRunIsReportedAndTheOthersFinish) {
  TempDir cwd;
  // sgd at lr 1e12 diverges (exit 1); the others finish.
  const RunResult r =
      run_gradplug({"compare", kMoons.string(), "--optimizers", "sgd:lr=1e12,rmsprop", "--set",
                    "training.steps=20", "--set", "training.schedule=constant", "--out", "o"},
                   cwd.path());
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_CONTAINS(r.out, "sgd:lr=1e12 seed 1: diverged");
  EXPECT_CONTAINS(r.out, "non-finite");
  const json summary = read_json(cwd / "o" / "summary.json");
  EXPECT_EQ(summary["variants"][1]["succeeded"], 1);
  EXPECT_TRUE(summary["variants"][0]["rank"].is_null());
}

TEST(Playground, WalksTestFunctionsWithTheOptimizerPlugins) {
  TempDir cwd;
  const RunResult r =
      run_gradplug({"compare", "--function", "booth", "--optimizers", "sgd:lr=0.01,adam:lr=0.5",
                    "--steps", "400", "--out", "p", "--format", "json"},
                   cwd.path());
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const json j = json::parse(r.out);
  ASSERT_EQ(j["results"].size(), 2u);
  for (const auto& result : j["results"]) {
    EXPECT_EQ(result["status"], "ok");
    EXPECT_LT(result["distance_to_minimum"].get<double>(), 0.05) << result["optimizer"];
  }
  const std::string svg = read_text(cwd / "p" / "trajectories.svg");
  EXPECT_CONTAINS(svg, "booth");
  EXPECT_CONTAINS(svg, "adam:lr=0.5");
  for (const char* f : {"rosenbrock", "rastrigin", "beale", "himmelblau", "ill_conditioned"}) {
    const RunResult other =
        run_gradplug({"compare", "--function", f, "--optimizers", "adam:lr=0.01", "--steps", "50",
                      "--out", std::string("f-") + f},
                     cwd.path());
    EXPECT_EQ(other.exit_code, 0) << f << other.describe();
  }
  expect_user_error(
      run_gradplug({"compare", "--function", "rosenbrok", "--optimizers", "sgd"}, cwd.path()),
      "unknown function 'rosenbrok' (did you mean 'rosenbrock'?)");
  expect_user_error(
      run_gradplug({"compare", "--function", "booth", "--optimizers", "adam:lr=-1"}, cwd.path()),
      "lr=-1 is out of range");
}

}  // namespace

namespace {

TEST(CompareResume, RunsOnlyWhatIsMissingAndGivesTheSameTable) {
  TempDir cwd;
  const std::vector<std::string> args = {
      "compare", kMoons.string(), "--optimizers",      "sgd,rmsprop", "--seeds",
      "3",       "--set",         "training.steps=30", "--format",    "csv"};
  auto with = [&](std::vector<std::string> extra) {
    auto a = args;
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  };
  const RunResult whole = run_gradplug(with({"--out", "whole"}), cwd.path());
  ASSERT_EQ(whole.exit_code, 0) << whole.describe();
  const RunResult first = run_gradplug(with({"--out", "cut"}), cwd.path());
  ASSERT_EQ(first.exit_code, 0) << first.describe();
  // As if the comparison had been stopped: one run never started, one was interrupted after a
  // checkpoint (no summary yet), the rest finished.
  const fs::path runs = cwd / "cut" / "runs";
  fs::remove_all(runs / "sgd" / "seed-2");
  fs::remove(runs / "rmsprop" / "seed-3" / "summary.json");
  fs::rename(runs / "rmsprop" / "seed-3" / "metrics.csv",
             runs / "rmsprop" / "seed-3" / "metrics.csv.partial");
  const RunResult resumed =
      run_gradplug({"compare", kMoons.string(), "--optimizers", "sgd,rmsprop", "--seeds", "3",
                    "--set", "training.steps=30", "--format", "csv", "--resume", "cut"},
                   cwd.path());
  ASSERT_EQ(resumed.exit_code, 0) << resumed.describe();
  EXPECT_CONTAINS(resumed.err, "4 runs already done, 2 to run");
  EXPECT_EQ(without_seconds(resumed.out), without_seconds(whole.out));
  expect_user_error(
      run_gradplug({"compare", kMoons.string(), "--optimizers", "sgd,rmsprop", "--resume", "cut"},
                   cwd.path()),
      "that comparison was made from another config");
}

}  // namespace

// compare --quiet: the table on stdout, nothing on stderr (no progress, no "already done").
TEST(Compare, QuietPrintsTheTableAndNoProgress) {
  TempDir cwd;
  const std::vector<std::string> args = {"compare", kMoons.string(), "--optimizers", "sgd,adam",
                                         "--seeds", "2", "--set", "training.steps=20", "--quiet"};
  std::vector<std::string> first = args;
  first.insert(first.end(), {"--out", "cmp"});
  const RunResult r = run_gradplug(first, cwd.path());
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(r.err, "");
  EXPECT_CONTAINS(r.out, "rank");
  std::vector<std::string> again = args;
  again.insert(again.end(), {"--resume", "cmp"});
  const RunResult resumed = run_gradplug(again, cwd.path());
  EXPECT_EQ(resumed.exit_code, 0) << resumed.describe();
  EXPECT_EQ(resumed.err, "");
}
