// summary.json keeps integers as integers: a step count is never written as 702.0.
#include <nlohmann/json.hpp>

#include "cli_support.hpp"

namespace gradplug::testing {
namespace {

TEST(SummaryTypes, StepsAreWholeNumbers) {
  TempDir cwd;
  const RunResult r = run_gradplug(
      {"train", (kSource / "configs" / "iris.yaml").string(), "--quiet", "--out", "run"},
      cwd.path());
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const auto s = nlohmann::json::parse(read_text(cwd / "run" / "summary.json"));
  EXPECT_TRUE(s.at("best_train_loss").at("step").is_number_integer()) << s.dump(2);
  EXPECT_TRUE(s.at("best").at("step").is_number_integer()) << s.dump(2);
  EXPECT_TRUE(s.at("steps").is_number_integer()) << s.dump(2);
}

}  // namespace
}  // namespace gradplug::testing
