// Text that ends up in summary.json or model.json must be UTF-8, or the JSON library throws
// (type_error.316) at the end of a run, after its files are written. Every way such bytes can
// reach a run is refused up front with exit 2, naming the flag or file, leaving nothing behind:
// a run directory, a file's name, a plugin directory, a config or --set value or key, a variant.
#include "cli_support.hpp"
#include "gradplug/text.hpp"

namespace gradplug::testing {
namespace {

const std::string kLatin1 = "caf\xe9";  // "café" in Latin-1: not UTF-8

struct Case {
  std::vector<std::string> args;  // CONFIG stands for the config in the files directory
  std::string expected;
  std::vector<std::string> env = {};
  bool escaped = false;  // the message quotes the bad bytes escaped (\xe9): UTF-8 itself
};

TEST(NonUtf8RunInputs, EveryWayIntoARunIsRefusedBeforeAnythingIsWritten) {
  TempDir files;
  const std::string config = (files / "c.yaml").string();
  write_text(config, read_text(kMoons));
  const std::string unnamed = (files / (kLatin1 + ".yaml")).string();
  std::string text = read_text(kMoons);
  write_text(unnamed, text.erase(text.find("name: moons\n"), 12));
  fs::create_directory(files / kLatin1);
  const std::string plugin_dir = (files / kLatin1).string();
  std::string latin1_name = read_text(kMoons);
  latin1_name.replace(latin1_name.find("name: moons"), 11, "name: " + kLatin1);
  write_text(files / "latin1.yaml", latin1_name);

  const std::vector<Case> cases = {
      {{"train", config, "--out", "run-" + kLatin1}, "--out run-caf\\xe9", {}, true},
      {{"compare", config, "--out", "cmp-" + kLatin1}, "--out cmp-caf\\xe9", {}, true},
      {{"train", unnamed}, "the experiment is named after its file"},
      {{"compare", unnamed}, "the experiment is named after its file"},
      {{"train", config, "--plugin-dir", plugin_dir},
       "--plugin-dir " + (files / "caf").string() + "\\xe9: the path is not UTF-8 text",
       {},
       true},
      {{"train", config}, "GRADPLUG_PLUGIN_PATH: ", {"GRADPLUG_PLUGIN_PATH=" + plugin_dir}, true},
      {{"train", config, "--set", "name=" + kLatin1},
       "--set name=caf\\xe9:1:4: not UTF-8",
       {},
       true},
      {{"train", (files / "latin1.yaml").string()}, "latin1.yaml:4:10: not UTF-8 text"},
      {{"train", config, "--set", kLatin1 + "=1"}, "unknown key"},
      {{"compare", config, "--optimizers", "sgd," + kLatin1}, "is not UTF-8 text"},
      {{"compare", config, "--sweep", "optimizer.name=sgd," + kLatin1}, "not UTF-8 text"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.args[0] + " " + c.args.back());
    TempDir cwd;
    RunOptions options;
    options.env = c.env;
    const RunResult r = run_gradplug(c.args, cwd.path(), options);
    expect_user_error(r, c.expected);
    EXPECT_EQ(r.err.find("json.exception"), std::string::npos) << r.err;
    expect_nothing_written(cwd.path());
    if (c.escaped) {
      EXPECT_EQ(first_invalid_utf8(r.err), std::string::npos) << r.err;
    }
  }
}

TEST(NonUtf8RunInputs, AResumedRunInADirectoryWithALatin1NameIsRefused) {
  TempDir cwd;
  ASSERT_EQ(run_gradplug(
                {"train", kMoons.string(), "--set", "training.steps=2", "--quiet", "--out", "run"},
                cwd.path())
                .exit_code,
            0);
  fs::remove(cwd / "run" / "summary.json");  // as if it stopped before the end
  fs::rename(cwd / "run", cwd / ("run-" + kLatin1));
  const RunResult r = run_gradplug({"train", "--resume", "run-" + kLatin1}, cwd.path());
  expect_user_error(r, "the path is not UTF-8 text");
  EXPECT_FALSE(fs::exists(cwd / ("run-" + kLatin1) / "metrics.csv.partial"));
}

}  // namespace
}  // namespace gradplug::testing
