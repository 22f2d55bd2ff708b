// The schedules and warmup as a config gives them: the lr column of metrics.csv follows the
// schedule, config.yaml repeats it so the run can be made again, and bad settings are refused
// with their place.
#include "cli_support.hpp"

namespace gradplug::testing {
namespace {

std::vector<double> lr_column(const fs::path& metrics) {
  std::vector<double> lrs;
  const auto lines = lines_of(read_text(metrics));
  for (std::size_t i = 1; i < lines.size(); ++i) {
    std::stringstream row(lines[i]);
    std::string cell;
    for (int column = 0; column < 8 && std::getline(row, cell, ','); ++column) {
    }
    lrs.push_back(std::stod(cell));
  }
  return lrs;
}

TEST(Schedules, WarmupThenMultistepSetsEveryStepsLrAndConfigYamlRepeatsIt) {
  TempDir cwd;
  const RunResult r =
      run_gradplug({"train", kMoons.string(), "--quiet", "--out", "run", "--set",
                    "training.schedule={name: multistep, milestones: [20, 50], gamma: 0.5}",
                    "--set", "training.warmup={steps: 10, start_factor: 0.1}"},
                   cwd.path());
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const std::vector<double> lrs = lr_column(cwd / "run" / "metrics.csv");
  ASSERT_EQ(lrs.size(), 100u);
  EXPECT_DOUBLE_EQ(lrs[0], 0.1);              // moons' lr is 1.0: warmup starts at 0.1 of it
  EXPECT_DOUBLE_EQ(lrs[5], 0.1 + 0.9 * 0.5);  // halfway through the warmup
  EXPECT_DOUBLE_EQ(lrs[10], 1.0);             // the schedule's own step 0
  EXPECT_DOUBLE_EQ(lrs[30], 0.5);             // its step 20, the first milestone
  EXPECT_DOUBLE_EQ(lrs[60], 0.25);            // its step 50
  const RunResult again =
      run_gradplug({"train", "run/config.yaml", "--quiet", "--out", "again"}, cwd.path());
  ASSERT_EQ(again.exit_code, 0) << again.describe();
  EXPECT_EQ(lr_column(cwd / "again" / "metrics.csv"), lrs);
}

TEST(Schedules, BadSettingsAreRefusedWithTheirPlace) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"training.schedule={name: multistep, milestones: [20, 10]}"},
       "training.schedule.milestones[1]: milestones must increase: 10 does not follow 20"},
      {{"training.schedule=one_cycle", "training.warmup={steps: 5}"},
       "training.warmup: one_cycle rises from its first lr on its own"},
      {{"training.warmup={steps: 5, fraction: 0.1}"},
       "training.warmup: give exactly one of 'steps'"},
      {{"training.warmup={fraction: 1.5}"}, "training.warmup.fraction: '1.5' is out of range"},
      {{"training.schedule={name: one_cycle, pct_start: 0}"},
       "training.schedule.pct_start: '0' is out of range"},
      {{"training.schedule={name: exponential, step_size: 3}"},
       "unknown key 'step_size'; valid keys in training.schedule: name, gamma"},
  };
  for (const auto& [sets, expected] : cases) {
    TempDir cwd;
    std::vector<std::string> args = {"train", kMoons.string()};
    for (const auto& s : sets) args.insert(args.end(), {"--set", s});
    expect_user_error(run_gradplug(args, cwd.path()), expected);
    expect_nothing_written(cwd.path());
  }
}

}  // namespace
}  // namespace gradplug::testing
