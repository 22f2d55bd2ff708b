// `gradplug check-plugin` and `gradplug new-plugin` through the real binary: exit codes, what
// they print, what they refuse. Building a generated project against the installed SDK is the
// job of tests/sdk/guide_test.sh (ctest: sdk.guide).
#include <string>
#include <vector>

#include "cli_support.hpp"

namespace {

using namespace gradplug::testing;

const fs::path kPlugins = GRADPLUG_TEST_PLUGIN_DIR;

fs::path broken(const std::string& stem) { return kBroken / stem / (stem + ".so"); }

// ---------------------------------------------------------------------------------------------
// check-plugin

TEST(CheckPlugin, ABuiltinPluginPassesEveryCheck) {
  TempDir cwd;
  const RunResult r =
      run_gradplug({"check-plugin", (kPlugins / "optimizer_adam.so").string()}, cwd.path());
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  const auto lines = lines_of(r.out);
  ASSERT_GE(lines.size(), 12u) << r.describe();
  for (std::size_t i = 0; i + 1 < lines.size(); ++i)
    EXPECT_EQ(lines[i].rfind("PASS  ", 0), 0u) << lines[i];
  EXPECT_CONTAINS(r.out, "PASS  save and restore: ");
  EXPECT_CONTAINS(lines.back(), "all 11 checks passed");
  EXPECT_EQ(r.err, "");
  expect_nothing_written(cwd.path());
}

TEST(CheckPlugin, AWrongDerivativeFailsThatCheckWithExitCode1) {
  TempDir cwd;
  const RunResult r =
      run_gradplug({"check-plugin", broken("wrong_derivative").string()}, cwd.path());
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_CONTAINS(r.out, "FAIL  derivative vs finite differences: f'(");
  EXPECT_CONTAINS(r.out, "PASS  finite outputs: ");
  EXPECT_CONTAINS(lines_of(r.out).back(), "1 of 10 checks failed");
}

TEST(CheckPlugin, ALibraryThatDoesNotLoadFailsWithTheRegistrysReason) {
  TempDir cwd;
  const RunResult r = run_gradplug({"check-plugin", broken("missing_symbol").string()}, cwd.path());
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_CONTAINS(r.out, "FAIL  load: cannot be loaded: ");
  EXPECT_CONTAINS(r.out, "undefined symbol: gradplug_test_symbol_defined_nowhere");
}

TEST(CheckPlugin, APluginThatCrashesIsReportedAsAFailureOfTheCheckItCrashedIn) {
  TempDir cwd;
  const RunResult r =
      run_gradplug({"check-plugin", broken("crashes_in_step").string()}, cwd.path());
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_CONTAINS(r.out, "PASS  load: ");
  EXPECT_CONTAINS(r.out,
                  "FAIL  create with defaults: the plugin crashed with a segmentation fault");
}

TEST(CheckPlugin, BadUsageIsExitCode2) {
  TempDir cwd;
  expect_user_error(run_gradplug({"check-plugin"}, cwd.path()),
                    "gradplug check-plugin: missing the plugin file");
  expect_user_error(run_gradplug({"check-plugin", "nowhere.so"}, cwd.path()),
                    "gradplug check-plugin: no such file 'nowhere.so'");
  expect_user_error(run_gradplug({"check-plugin", kPlugins.string()}, cwd.path()),
                    "is a directory");
  expect_user_error(run_gradplug({"check-plugin", "a.so", "b.so"}, cwd.path()),
                    "too many arguments");
  expect_user_error(run_gradplug({"check-plugin", "--verbose"}, cwd.path()),
                    "unknown flag '--verbose'");
}

TEST(CheckPlugin, Help) {
  TempDir cwd;
  const RunResult r = run_gradplug({"check-plugin", "--help"}, cwd.path());
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_CONTAINS(r.out, "usage: gradplug check-plugin FILE.so");
}

// ---------------------------------------------------------------------------------------------
// new-plugin

TEST(NewPlugin, WritesTheFourFilesOfAProject) {
  TempDir cwd;
  const RunResult r =
      run_gradplug({"new-plugin", "optimizer", "my_opt", "--dir", "proj"}, cwd.path());
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  const fs::path dir = cwd / "proj";
  for (const char* file : {"CMakeLists.txt", "my_opt.cpp", "my_opt.yaml", "README.md"})
    EXPECT_TRUE(fs::is_regular_file(dir / file)) << file;
  const std::string cmake = read_text(dir / "CMakeLists.txt");
  EXPECT_CONTAINS(cmake, "find_package(gradplug REQUIRED)");
  EXPECT_CONTAINS(cmake, "gradplug_add_plugin(my_opt SOURCES my_opt.cpp)");
  const std::string source = read_text(dir / "my_opt.cpp");
  EXPECT_CONTAINS(source, "class MyOpt final : public gradplug::Optimizer");
  EXPECT_CONTAINS(source, "GRADPLUG_PLUGIN(MyOpt, \"my_opt\"");
  EXPECT_CONTAINS(read_text(dir / "my_opt.yaml"), "optimizer: {name: my_opt");
  const std::string readme = read_text(dir / "README.md");
  EXPECT_CONTAINS(readme, "cmake -S . -B build -DCMAKE_PREFIX_PATH=");
  EXPECT_CONTAINS(readme, "cmake --build build");
  EXPECT_CONTAINS(readme, "check-plugin build/my_opt.so");
  EXPECT_CONTAINS(r.out, "check-plugin build/my_opt.so");
}

TEST(NewPlugin, EachKindGetsItsExample) {
  TempDir cwd;
  ASSERT_EQ(run_gradplug({"new-plugin", "activation", "soft"}, cwd.path()).exit_code, 0);
  EXPECT_CONTAINS(read_text(cwd / "soft" / "soft.cpp"), "public gradplug::Activation");
  EXPECT_CONTAINS(read_text(cwd / "soft" / "soft.yaml"), "activation: {name: soft");
  ASSERT_EQ(run_gradplug({"new-plugin", "regularizer", "net"}, cwd.path()).exit_code, 0);
  EXPECT_CONTAINS(read_text(cwd / "net" / "net.cpp"), "public gradplug::Regularizer");
  EXPECT_CONTAINS(read_text(cwd / "net" / "net.yaml"), "- {name: net");
}

TEST(NewPlugin, TheNameMustBeAnIdentifier) {
  TempDir cwd;
  for (const char* name : {"9lives", "my-opt", "my opt", "x.y", ""})
    expect_user_error(run_gradplug({"new-plugin", "optimizer", name}, cwd.path()),
                      "gradplug new-plugin: NAME '" + std::string(name) +
                          "' is not a valid identifier; expected a letter or '_' followed by "
                          "letters, digits or '_'");
  expect_nothing_written(cwd.path());
}

TEST(NewPlugin, RefusesBadKindsClashingNamesAndMissingArguments) {
  TempDir cwd;
  expect_user_error(run_gradplug({"new-plugin", "optimiser", "x"}, cwd.path()),
                    "unknown plugin kind 'optimiser' (did you mean 'optimizer'?)");
  expect_user_error(run_gradplug({"new-plugin", "optimizer", "adam"}, cwd.path()),
                    "NAME 'adam' is already the built-in optimizer");
  expect_user_error(run_gradplug({"new-plugin", "activation", "test"}, cwd.path()),
                    "a target name CMake reserves");
  expect_user_error(run_gradplug({"new-plugin", "optimizer"}, cwd.path()),
                    "missing the plugin NAME");
  expect_user_error(run_gradplug({"new-plugin"}, cwd.path()), "missing the plugin kind and NAME");
  expect_nothing_written(cwd.path());
}

TEST(NewPlugin, NeverOverwritesANonEmptyDirectory) {
  TempDir cwd;
  fs::create_directories(cwd / "taken");
  write_text(cwd / "taken" / "keep.txt", "mine");
  expect_user_error(
      run_gradplug({"new-plugin", "optimizer", "x", "--dir", (cwd / "taken").string()}, cwd.path()),
      "is not empty");
  EXPECT_EQ(read_text(cwd / "taken" / "keep.txt"), "mine");
  EXPECT_FALSE(fs::exists(cwd / "taken" / "x.cpp"));
  // Without --dir the project goes to ./NAME, under the same rule.
  fs::create_directories(cwd / "y");
  write_text(cwd / "y" / "CMakeLists.txt", "mine");
  expect_user_error(run_gradplug({"new-plugin", "optimizer", "y"}, cwd.path()),
                    "the directory 'y' is not empty");
  EXPECT_EQ(read_text(cwd / "y" / "CMakeLists.txt"), "mine");
  // An empty directory is fine.
  fs::create_directories(cwd / "empty");
  EXPECT_EQ(run_gradplug({"new-plugin", "optimizer", "z", "--dir", "empty"}, cwd.path()).exit_code,
            0);
  EXPECT_TRUE(fs::exists(cwd / "empty" / "z.cpp"));
}

TEST(NewPlugin, UsageListsBothCommands) {
  TempDir cwd;
  const RunResult r = run_gradplug({"--help"}, cwd.path());
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_CONTAINS(r.out, "  new-plugin  ");
  EXPECT_CONTAINS(r.out, "  check-plugin  ");
}

}  // namespace
