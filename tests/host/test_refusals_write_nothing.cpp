// A refused command writes nothing: everything is validated before the first byte is written.
// The class, over every command that writes (train, compare, compare --emit, new-plugin,
// predict --output): each refusal leaves its working directory exactly as it was.
#include "cli_support.hpp"

using namespace gradplug::testing;

namespace {

struct Refusal {
  const char* what;
  std::vector<std::string> args;
  const char* message;
};

std::vector<Refusal> refusals() {
  const std::string moons = kMoons.string();
  const std::vector<std::string> compare = {"compare",  moons,   "--optimizers",
                                            "sgd,adam", "--out", "cmp"};
  auto with = [](std::vector<std::string> args, const std::vector<std::string>& more) {
    args.insert(args.end(), more.begin(), more.end());
    return args;
  };
  return {
      {"an unknown scheduler", with(compare, {"--emit", "pbs"}), "--emit: unknown scheduler 'pbs'"},
      {"a job time with a space", with(compare, {"--emit", "slurm", "--time", "1 h"}),
       "--time: '1 h' cannot go on an #SBATCH line"},
      {"no shards", with(compare, {"--emit", "slurm", "--shards", "0"}), "--shards: expected 1 to"},
      {"an sbatch line that is not an option", with(compare, {"--emit", "slurm", "--sbatch", "x"}),
       "--sbatch: 'x' is not an sbatch option"},
      {"a plugin name of 5000 characters",
       {"new-plugin", "optimizer", std::string(5000, 'a')},
       "a plugin name is at most 64"},
      {"a plugin name that is not an identifier",
       {"new-plugin", "optimizer", "a-b"},
       "is not a valid identifier"},
      {"an experiment named ..",
       {"train", moons, "--set", "name=..", "--out", "r"},
       "name: expected a short name that can name the run directory"},
      {"an experiment name with a NUL",
       {"train", moons, "--set", "name=\"a\\0b\""},
       "it holds a control character"},
      {"an experiment name with a newline",
       {"compare", moons, "--set", "name=\"a\\nb\""},
       "it holds a control character"},
      {"an experiment name with a slash", {"train", moons, "--set", "name=a/b"}, "it holds a '/'"},
      {"a step count that is not a number",
       {"train", moons, "--set", "training.steps=abc"},
       "training.steps"},
      {"an unknown optimizer",
       {"compare", moons, "--optimizers", "adamm", "--out", "cmp"},
       "adamm"},
  };
}

}  // namespace

TEST(Refusals, WriteNothingAtAll) {
  int cases = 0;
  for (const Refusal& r : refusals()) {
    SCOPED_TRACE(r.what);
    TempDir cwd;
    expect_user_error(run_gradplug(r.args, cwd.path()), r.message);
    expect_nothing_written(cwd.path());
    ++cases;
  }
  EXPECT_EQ(cases, static_cast<int>(refusals().size()));
}

// A config file whose name cannot name a run directory ("..yaml" has the stem "."): refused
// before anything is made, unless the config names itself.
TEST(Refusals, AConfigFileNameThatCannotNameARunDirectory) {
  TempDir cwd;
  fs::create_directory(cwd / "c");
  std::string config;  // moons.yaml without its name: the file name names the run
  for (const auto& line : lines_of(read_text(kMoons)))
    if (line.rfind("name:", 0) != 0) config += line + "\n";
  write_text(cwd / "c" / "..yaml", config);
  expect_user_error(run_gradplug({"train", "c/..yaml", "--quiet"}, cwd.path()),
                    "the config file's name '.' cannot name the run directory");
  EXPECT_FALSE(fs::exists(cwd / "runs"));
  const RunResult named =
      run_gradplug({"train", "c/..yaml", "--set", "name=dots", "--quiet"}, cwd.path());
  EXPECT_EQ(named.exit_code, 0) << named.describe();
}

// A run that cannot fit in memory is refused before its buffers exist (it used to end in
// std::bad_alloc with a half-written run directory), saying what it needs and what to change.
TEST(Refusals, ARunThatCannotFitInMemory) {
  TempDir cwd;
  const RunResult r = run_gradplug({"train", kMoons.string(), "--set", "data.samples=200000",
                                    "--set", "model.layers=[100000, 1]", "--out", "big"},
                                   cwd.path());
  expect_user_error(r,
                    "moons.yaml:17:15: training.batch_size: this run would need about 745.1 GiB");
  EXPECT_CONTAINS(r.err, "use a smaller training.batch_size (now the full batch of 200000 rows)");
  expect_nothing_written(cwd.path());
}
