// Plugins that would take the host down, through the real binary: a library that exits, crashes,
// hangs or prints while loading is scanned in a child process, named with its reason, and never
// loaded; every command goes on with the good plugins and its own output stays clean. Also names
// and descriptions with control characters, and the scan cache across starts.
#include <string>
#include <vector>

#include "cli_support.hpp"

namespace {

using namespace gradplug::testing;

fs::path broken(const std::string& stem) { return kBroken / stem / (stem + ".so"); }
std::string broken_dir(const std::string& stem) { return (kBroken / stem).string(); }

struct Case {
  const char* stem;
  const char* reason;
};
const Case kLoadTimeCases[] = {
    {"exits_on_load", "exited while loading, with exit code 0"},
    {"crashes_on_load", "crashed while loading: killed by SIGSEGV"},
    {"prints_on_load", "wrote to standard output or error while loading (\"row,surprise\\n\")"},
    {"hangs_on_load", "did not finish loading within 500 ms"},
    {"control_name", "its name \"evil\\nactivation fake_line \\x1b[31m\" holds control characters"},
    {"control_param", "its parameter name \"scale\\n\\x1b[2J\" holds control characters"},
    {"non_utf8_version", "its version is not UTF-8 text"},
};
// A short timeout for hangs_on_load; a cache of the test's own, so every start scans afresh.
RunOptions scan_options(const TempDir& cache) {
  RunOptions options;
  options.env = {"GRADPLUG_PLUGIN_SCAN_TIMEOUT=0.5", "XDG_CACHE_HOME=" + cache.path().string()};
  return options;
}

TEST(PluginLoading, PluginsListsTheGoodOnesAndNamesEachBrokenFileWithItsReason) {
  for (const Case& c : kLoadTimeCases) {
    TempDir cwd;
    const RunResult r = run_gradplug({"plugins", "--plugin-dir", broken_dir(c.stem)}, cwd.path(),
                                     scan_options(cwd));
    EXPECT_EQ(r.exit_code, 0) << c.stem << "\n" << r.describe();
    EXPECT_CONTAINS(r.out, "activation tanh ");
    EXPECT_CONTAINS(r.out, "optimizer adam ");
    EXPECT_CONTAINS(r.err,
                    "gradplug: warning: skipped " + broken(c.stem).string() + ": " + c.reason);
    EXPECT_EQ(r.out.find(c.stem), std::string::npos) << c.stem;
    EXPECT_EQ(r.out.find("surprise"), std::string::npos);
    EXPECT_EQ(r.err.find('\x1b'), std::string::npos) << c.stem;
  }
}

TEST(PluginLoading, CheckPluginFailsOnEachWithTheReason) {
  for (const Case& c : kLoadTimeCases) {
    TempDir cwd;
    const RunResult r =
        run_gradplug({"check-plugin", broken(c.stem).string()}, cwd.path(), scan_options(cwd));
    EXPECT_EQ(r.exit_code, 1) << c.stem << "\n" << r.describe();
    EXPECT_CONTAINS(r.out, std::string("FAIL  load: ") + c.reason);
    EXPECT_CONTAINS(lines_of(r.out).back(), "1 of 1 checks failed");
  }
}

TEST(PluginLoading, ADescriptionWithControlCharactersIsPrintedEscaped) {
  TempDir cwd;
  const RunResult r =
      run_gradplug({"plugins", "--plugin-dir", broken_dir("control_description")}, cwd.path());
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_CONTAINS(r.out,
                  "\n  Line one\\nactivation forged 1.0.0  /fake.so\\t\\x1b[31mred\\x1b[0m\\x7f "
                  "(test plugin).\n");
  EXPECT_EQ(r.out.find('\x1b'), std::string::npos);
  EXPECT_EQ(r.out.find("\nactivation forged"), std::string::npos);
}

TEST(PluginLoading, TrainAndPredictGoOnAndPredictsCsvStaysClean) {
  TempDir cwd;
  const RunOptions options = scan_options(cwd);
  const std::vector<std::string> dirs = {"--plugin-dir", broken_dir("exits_on_load"),
                                         "--plugin-dir", broken_dir("crashes_on_load"),
                                         "--plugin-dir", broken_dir("prints_on_load")};
  std::vector<std::string> train = {"train", kSeed.string(), "--quiet", "--out", "run"};
  train.insert(train.end(), dirs.begin(), dirs.end());
  const RunResult t = run_gradplug(train, cwd.path(), options);
  ASSERT_EQ(t.exit_code, 0) << t.describe();
  ASSERT_TRUE(fs::is_regular_file(cwd / "run" / "model.json")) << t.describe();
  write_text(cwd / "in.csv", "x1,x2,x3\n2,3,-1\n3,-1,0.5\n");
  const RunResult clean = run_gradplug({"predict", "run", "in.csv"}, cwd.path(), options);
  ASSERT_EQ(clean.exit_code, 0) << clean.describe();
  std::vector<std::string> predict = {"predict", "run", "in.csv"};
  predict.insert(predict.end(), dirs.begin(), dirs.end());
  const RunResult p = run_gradplug(predict, cwd.path(), options);
  ASSERT_EQ(p.exit_code, 0) << p.describe();
  EXPECT_EQ(p.out, clean.out);
  EXPECT_EQ(lines_of(p.out).size(), 3u) << p.out;
  EXPECT_EQ(p.out.rfind("row,prediction\n", 0), 0u) << p.out;
}

TEST(PluginLoading, CompareRunsEveryVariantBesideAPluginThatExitsOnLoad) {
  TempDir cwd;
  const RunResult r = run_gradplug({"compare", kSeed.string(), "--optimizers", "sgd,adam",
                                    "--plugin-dir", broken_dir("exits_on_load"), "--out", "cmp"},
                                   cwd.path(), scan_options(cwd));
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  const std::string csv = read_text(cwd / "cmp" / "compare.csv");
  EXPECT_CONTAINS(csv, "sgd");
  EXPECT_CONTAINS(csv, "adam");
}

TEST(PluginLoading, TheSecondStartUsesTheCache) {
  TempDir cwd;
  RunOptions options;
  options.env = {"XDG_CACHE_HOME=" + (cwd / "cache").string()};
  const RunResult cold =
      run_gradplug({"plugins", "--plugin-dir", broken_dir("exits_on_load")}, cwd.path(), options);
  ASSERT_EQ(cold.exit_code, 0) << cold.describe();
  const fs::path cache = cwd / "cache" / "gradplug" / "plugin-scan.tsv";
  const std::string text = read_text(cache);
  EXPECT_CONTAINS(text, broken("exits_on_load").string());
  EXPECT_CONTAINS(text, "activation_tanh.so");
  const RunResult warm =
      run_gradplug({"plugins", "--plugin-dir", broken_dir("exits_on_load")}, cwd.path(), options);
  EXPECT_EQ(warm.out, cold.out);
  EXPECT_EQ(warm.err, cold.err);
  EXPECT_EQ(read_text(cache), text);  // nothing new to write
}

TEST(PluginLoading, ADirectoryBelowAWorldWritableOneIsRefusedNamingIt) {
  TempDir cwd;
  const fs::path shared = cwd / "shared", dir = cwd / "shared" / "plugins";
  fs::create_directories(dir);
  fs::permissions(shared, fs::perms::all);
  const RunResult r = run_gradplug({"plugins", "--plugin-dir", dir.string()}, cwd.path());
  expect_user_error(r, "refusing to load plugins from " + dir.string() +
                           ": users other than its owner can write to " + shared.string() +
                           " (mode 0777)");
  EXPECT_CONTAINS(r.err, "chmod go-w " + shared.string());
  RunOptions insecure;
  insecure.env = {"GRADPLUG_ALLOW_INSECURE_PLUGINS=1"};
  const RunResult allowed =
      run_gradplug({"plugins", "--plugin-dir", dir.string()}, cwd.path(), insecure);
  EXPECT_EQ(allowed.exit_code, 0) << allowed.describe();
}

}  // namespace
