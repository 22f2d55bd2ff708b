// --optimizers lists as people type them: blanks around a name are dropped, an empty name is
// refused before anything is written.
#include "cli_support.hpp"

namespace gradplug::testing {
namespace {

TEST(VariantNames, BlanksAroundNamesAreDroppedAndEmptyNamesRefused) {
  TempDir cwd;
  const RunResult r = run_gradplug({"compare", kMoons.string(), "--optimizers", "adam, sgd ",
                                    "--seeds", "1", "--set", "training.steps=5", "--out", "cmp"},
                                   cwd.path());
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_TRUE(fs::is_directory(cwd / "cmp" / "runs" / "adam"));
  EXPECT_TRUE(fs::is_directory(cwd / "cmp" / "runs" / "sgd"));
  EXPECT_EQ(std::distance(fs::directory_iterator(cwd / "cmp" / "runs"), fs::directory_iterator()),
            2);
  TempDir empty;
  expect_user_error(
      run_gradplug({"compare", kMoons.string(), "--optimizers", "adam, ,sgd"}, empty.path()),
      "--optimizers: empty name");
  expect_nothing_written(empty.path());
}

}  // namespace
}  // namespace gradplug::testing
