// The gradplug executable end to end: each case runs the real binary (GRADPLUG_BINARY) as a child
// process in a fresh temporary directory, captures stdout and stderr separately, and checks the
// exit code, the messages and what was (or was not) written.
//
// Bad inputs: every tests/host/bad_configs/*.yaml starts with `# expect: <text>`; the run must exit
// 2, print exactly one line on stderr that starts with "gradplug: error: " and contains <text>,
// and create nothing (no runs/ directory).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "cli_support.hpp"
#include "gradplug/abi.h"

extern char** environ;

namespace {

using namespace gradplug::testing;

// ---------------------------------------------------------------------------------------------
// The corpus of bad configs.

std::vector<fs::path> corpus_files() {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(kCorpus, ec))
    if (entry.path().extension() == ".yaml") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

// The text after "# expect: " on the first line, or "" when the line is missing.
std::string expectation_of(const fs::path& file) {
  std::ifstream in(file);
  std::string first;
  std::getline(in, first);
  const std::string tag = "# expect: ";
  if (first.rfind(tag, 0) != 0) return "";
  return first.substr(tag.size());
}

TEST(BadConfigCorpus, HasEveryCaseWithAnExpectation) {
  const auto files = corpus_files();
  EXPECT_GE(files.size(), 22u) << "corpus directory: " << kCorpus;
  for (const auto& file : files) EXPECT_NE(expectation_of(file), "") << file;
}

class BadConfig : public ::testing::TestWithParam<fs::path> {};

TEST_P(BadConfig, ExitsTwoWithOneLineErrorAndWritesNothing) {
  const fs::path file = GetParam();
  const std::string expected = expectation_of(file);
  ASSERT_NE(expected, "") << file << " must start with '# expect: <text>'";
  TempDir cwd;
  const RunResult r = run_gradplug({"train", file.string()}, cwd.path());
  SCOPED_TRACE(file.filename().string());
  expect_user_error(r, expected);
  expect_nothing_written(cwd.path());
}

std::string case_name(const ::testing::TestParamInfo<fs::path>& info) {
  std::string name = info.param.stem().string();
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(Corpus, BadConfig, ::testing::ValuesIn(corpus_files()), case_name);

// ---------------------------------------------------------------------------------------------
// Bad config files made at test time (binary content is not committed).

TEST(BadConfigFile, BinaryFile) {
  TempDir cwd;
  const fs::path file = cwd / "model.yaml";
  std::string bytes =
      "\x7f"
      "ELF";
  bytes += std::string(60, '\0');
  bytes += "name: not really yaml\n";
  write_text(file, bytes);
  const RunResult r = run_gradplug({"train", file.string()}, cwd.path());
  expect_user_error(r, "model.yaml: this is a binary file, not a YAML experiment config");
  fs::remove(file);
  expect_nothing_written(cwd.path());
}

TEST(BadConfigFile, BinaryFileWithoutNulBytes) {
  // A PNG signature and bytes that are not UTF-8: binary, though it holds no NUL byte.
  TempDir cwd;
  const fs::path file = cwd / "picture.yaml";
  write_text(file, "\x89PNG\r\n\x1a\nIHDR\xff\xfe\xfd\x01\x02 data");
  const RunResult r = run_gradplug({"train", file.string()}, cwd.path());
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_CONTAINS(r.err, "picture.yaml");
  EXPECT_TRUE(r.err.find("binary") != std::string::npos || r.err.find("UTF-8") != std::string::npos)
      << "the message should say the file is binary or not UTF-8\n"
      << r.describe();
  fs::remove(file);
  expect_nothing_written(cwd.path());
}

TEST(BadConfigFile, NotUtf8) {
  // A complete, otherwise valid config in Latin-1: its name (caf\xe9) is not UTF-8.
  TempDir cwd;
  const fs::path file = cwd / "latin1.yaml";
  std::string text = read_text(kSeed);
  text.replace(text.find("name: seed"), 10, "name: caf\xe9");
  write_text(file, text);
  const RunResult r =
      run_gradplug({"train", file.string(), "--set", "training.steps=1"}, cwd.path());
  expect_user_error(r, "latin1.yaml");
  EXPECT_CONTAINS(r.err, "UTF-8");
  fs::remove(file);
  expect_nothing_written(cwd.path());
}

TEST(BadConfigFile, ZeroBytes) {
  TempDir cwd;
  const fs::path file = cwd / "nothing.yaml";
  write_text(file, "");
  const RunResult r = run_gradplug({"train", file.string()}, cwd.path());
  expect_user_error(r, "nothing.yaml: the config is empty");
  fs::remove(file);
  expect_nothing_written(cwd.path());
}

TEST(BadConfigFile, DirectoryInsteadOfFile) {
  TempDir cwd;
  const fs::path dir = cwd / "configs.yaml";
  fs::create_directory(dir);
  const RunResult r = run_gradplug({"train", dir.string()}, cwd.path());
  expect_user_error(r, "configs.yaml");
  // Not "the config is empty": the user gave a directory.
  EXPECT_CONTAINS(r.err, "directory");
  fs::remove(dir);
  expect_nothing_written(cwd.path());
}

TEST(BadConfigFile, AliasExpansionBombIsRefused) {
  // "Billion laughs": 9 levels of 10 aliases expand to 10^9 scalars. The host must refuse it as a
  // user error instead of running out of memory (the child is limited to 2 GiB here).
  TempDir cwd;
  const fs::path file = cwd / "bomb.yaml";
  std::string text = "name: &a [x, x, x, x, x, x, x, x, x, x]\n";
  std::string previous = "a";
  for (const char* key : {"b", "c", "d", "e", "f", "g", "h", "i"}) {
    text += std::string(key) + ": &" + key + " [";
    for (int i = 0; i < 10; ++i) text += (i ? ", *" : "*") + previous;
    text += "]\n";
    previous = key;
  }
  write_text(file, text);
  RunOptions options;
  options.address_space_limit = 2LL << 30;
  options.timeout_seconds = 60;
  const RunResult r = run_gradplug({"train", file.string()}, cwd.path(), options);
  expect_user_error(r, "bomb.yaml");
  fs::remove(file);
  expect_nothing_written(cwd.path());
}

// ---------------------------------------------------------------------------------------------
// Command-line errors.

TEST(CommandLine, UnknownFlagListsTheValidFlags) {
  TempDir cwd;
  const RunResult r = run_gradplug({"train", kSeed.string(), "--foo"}, cwd.path());
  expect_user_error(r, "gradplug train: unknown flag '--foo'");
  EXPECT_CONTAINS(r.err,
                  "valid flags: --help, --config, --set, --out, --init, --resume, --plugin-dir, "
                  "--quiet, --json");
  expect_nothing_written(cwd.path());
}

TEST(CommandLine, AbbreviatedFlagIsNotGuessed) {
  TempDir cwd;
  const RunResult r = run_gradplug({"train", kSeed.string(), "--ou", "out"}, cwd.path());
  expect_user_error(r, "gradplug train: unknown flag '--ou' (did you mean '--out'?)");
  expect_nothing_written(cwd.path());
}

TEST(CommandLine, UnknownCommandSuggestsTheClosest) {
  TempDir cwd;
  const RunResult r = run_gradplug({"trian", kSeed.string()}, cwd.path());
  expect_user_error(r, "unknown command 'trian' (did you mean 'train'?)");
  EXPECT_CONTAINS(r.err, "commands: train, compare, report, predict, evaluate, graph, plugins");
  expect_nothing_written(cwd.path());
}

TEST(CommandLine, UnknownTopLevelFlag) {
  TempDir cwd;
  const RunResult r = run_gradplug({"--hlep"}, cwd.path());
  expect_user_error(r, "unknown flag '--hlep' (did you mean '--help'?)");
}

TEST(CommandLine, NoArgumentsPrintsUsageAndFails) {
  TempDir cwd;
  const RunResult r = run_gradplug({}, cwd.path());
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_CONTAINS(r.err, "usage: gradplug COMMAND");
  EXPECT_EQ(r.out, "");
}

TEST(CommandLine, MissingConfig) {
  TempDir cwd;
  const RunResult r = run_gradplug({"train"}, cwd.path());
  expect_user_error(r, "gradplug train: missing the experiment config");
  expect_nothing_written(cwd.path());
}

TEST(CommandLine, TooManyArguments) {
  TempDir cwd;
  const RunResult r = run_gradplug({"train", kSeed.string(), kMoons.string()}, cwd.path());
  expect_user_error(r, "gradplug train: too many arguments");
  expect_nothing_written(cwd.path());
}

TEST(CommandLine, FlagWithoutItsValue) {
  TempDir cwd;
  const RunResult r = run_gradplug({"train", kSeed.string(), "--out"}, cwd.path());
  expect_user_error(r, "gradplug train: ");
  EXPECT_CONTAINS(r.err, "--out");
  expect_nothing_written(cwd.path());
}

TEST(CommandLine, SetOutOfRangeNamesTheFlagAsOrigin) {
  TempDir cwd;
  const RunResult r =
      run_gradplug({"train", kSeed.string(), "--set", "optimizer.lr=-1"}, cwd.path());
  expect_user_error(r,
                    "gradplug: error: --set optimizer.lr=-1: optimizer.lr: '-1' is out of range");
  expect_nothing_written(cwd.path());
}

TEST(CommandLine, SetWithoutEquals) {
  TempDir cwd;
  const RunResult r = run_gradplug({"train", kSeed.string(), "--set", "optimizer.lr"}, cwd.path());
  expect_user_error(r, "--set optimizer.lr: expected key.path=value");
  expect_nothing_written(cwd.path());
}

TEST(CommandLine, SetWithEmptyKey) {
  TempDir cwd;
  const RunResult r = run_gradplug({"train", kSeed.string(), "--set", "=3"}, cwd.path());
  expect_user_error(r, "--set =3: expected key.path=value");
  expect_nothing_written(cwd.path());
}

TEST(CommandLine, SetWithEmptyPathSegment) {
  TempDir cwd;
  const RunResult r =
      run_gradplug({"train", kSeed.string(), "--set", "optimizer..lr=3"}, cwd.path());
  expect_user_error(r, "--set optimizer..lr=3: empty key in 'optimizer..lr'");
  expect_nothing_written(cwd.path());
}

TEST(CommandLine, SetUnknownKeyNamesTheFlag) {
  TempDir cwd;
  const RunResult r =
      run_gradplug({"train", kSeed.string(), "--set", "optimizer.momentun=0.9"}, cwd.path());
  expect_user_error(r, "--set optimizer.momentun=0.9: optimizer.momentun: unknown parameter");
  EXPECT_CONTAINS(r.err, "(did you mean 'momentum'?)");
  expect_nothing_written(cwd.path());
}

TEST(CommandLine, SetWithYamlSyntaxError) {
  TempDir cwd;
  const RunResult r =
      run_gradplug({"train", kSeed.string(), "--set", "optimizer.lr=[1,"}, cwd.path());
  expect_user_error(r, "--set optimizer.lr=[1,");
  EXPECT_CONTAINS(r.err, "YAML syntax error");
  expect_nothing_written(cwd.path());
}

TEST(CommandLine, NonexistentConfigFile) {
  TempDir cwd;
  const RunResult r = run_gradplug({"train", "no-such-config.yaml"}, cwd.path());
  expect_user_error(r, "no-such-config.yaml: cannot open the config file");
  expect_nothing_written(cwd.path());
}

TEST(CommandLine, OutToAnExistingNonEmptyDirectory) {
  TempDir cwd;
  fs::create_directory(cwd / "previous");
  write_text(cwd / "previous" / "metrics.csv", "precious\n");
  const RunResult r = run_gradplug({"train", kSeed.string(), "--out", "previous"}, cwd.path());
  expect_user_error(r, "--out previous: already exists and is not an empty directory");
  EXPECT_EQ(read_text(cwd / "previous" / "metrics.csv"), "precious\n");
  EXPECT_FALSE(fs::exists(cwd / "runs"));
  EXPECT_EQ(std::distance(fs::directory_iterator(cwd / "previous"), fs::directory_iterator()), 1)
      << "nothing may be added to the existing directory";
}

TEST(CommandLine, OutToAnExistingFile) {
  TempDir cwd;
  write_text(cwd / "result", "x\n");
  const RunResult r = run_gradplug({"train", kSeed.string(), "--out", "result"}, cwd.path());
  expect_user_error(r, "--out result: already exists and is not an empty directory");
  EXPECT_EQ(read_text(cwd / "result"), "x\n");
}

TEST(CommandLine, MissingPluginDirectory) {
  TempDir cwd;
  const RunResult r = run_gradplug(
      {"train", kSeed.string(), "--plugin-dir", (cwd / "no-plugins").string()}, cwd.path());
  expect_user_error(r, "--plugin-dir: plugin directory '" + (cwd / "no-plugins").string() +
                           "' does not exist or is not a directory");
}

// ---------------------------------------------------------------------------------------------
// Broken plugins seen through the host.

TEST(BrokenPlugins, DuplicateOnThePluginPathNamesBothFiles) {
  TempDir cwd;
  RunOptions options;
  options.env = {"GRADPLUG_PLUGIN_PATH=" + (kBroken / "duplicate_tanh").string()};
  // Listed as a warning; a config that names tanh is refused naming both files; one that does
  // not still runs.
  const RunResult listed = run_gradplug({"plugins"}, cwd.path(), options);
  EXPECT_EQ(listed.exit_code, 0) << listed.describe();
  EXPECT_CONTAINS(listed.err, "warning: two activation plugins are named 'tanh'");
  EXPECT_CONTAINS(listed.out, "activation relu");
  write_text(cwd / "tanh.yaml", read_text(kMoons));
  const RunResult uses = run_gradplug(
      {"train", "tanh.yaml", "--set", "model.activation=tanh", "--quiet"}, cwd.path(), options);
  expect_user_error(uses, "two activation plugins are named 'tanh'");
  EXPECT_CONTAINS(uses.err, "activation_tanh.so");
  EXPECT_CONTAINS(uses.err, (kBroken / "duplicate_tanh" / "duplicate_tanh.so").string());
  const RunResult other = run_gradplug(
      {"train", "tanh.yaml", "--set", "training.steps=3", "--quiet"}, cwd.path(), options);
  EXPECT_EQ(other.exit_code, 0) << other.describe();
  // check-plugin warns now, rather than letting the clash surface at train time.
  const RunResult checked = run_gradplug(
      {"check-plugin", (kBroken / "duplicate_tanh" / "duplicate_tanh.so").string()}, cwd.path());
  EXPECT_EQ(checked.exit_code, 0) << checked.describe();
  EXPECT_CONTAINS(checked.out, "WARN  name: a built-in activation is also named 'tanh'");
}

TEST(BrokenPlugins, SkippedPluginIsAWarningInPluginsListing) {
  TempDir cwd;
  const RunResult r =
      run_gradplug({"plugins", "--plugin-dir", (kBroken / "wrong_abi").string()}, cwd.path());
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_CONTAINS(
      r.err, "gradplug: warning: skipped " + (kBroken / "wrong_abi" / "wrong_abi.so").string());
  EXPECT_CONTAINS(r.err, "ABI version " + std::to_string(GRADPLUG_ABI_VERSION + 1));
}

TEST(BrokenPlugins, PluginThatThrowsInCreateIsAUserError) {
  TempDir cwd;
  const RunResult r = run_gradplug(
      {"train", kSeed.string(), "--plugin-dir", (kBroken / "throws_on_create").string(), "--set",
       "model.activation=throws_on_create"},
      cwd.path());
  expect_user_error(r, "deliberate failure in create");
  EXPECT_CONTAINS(r.err, "throws_on_create");
  expect_nothing_written(cwd.path());
}

// ---------------------------------------------------------------------------------------------
// Good runs.

TEST(GoodRun, Version) {
  TempDir cwd;
  const RunResult r = run_gradplug({"--version"}, cwd.path());
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(r.out.rfind("gradplug ", 0), 0u) << r.describe();
  EXPECT_CONTAINS(r.out, "plugin ABI " + std::to_string(GRADPLUG_ABI_VERSION));
  EXPECT_EQ(r.err, "");
}

TEST(GoodRun, Help) {
  TempDir cwd;
  const RunResult r = run_gradplug({"--help"}, cwd.path());
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_CONTAINS(r.out, "usage: gradplug COMMAND");
  EXPECT_CONTAINS(r.out, "train");
  EXPECT_CONTAINS(r.out, "plugins");
  EXPECT_EQ(r.err, "");
}

TEST(GoodRun, TrainHelp) {
  TempDir cwd;
  const RunResult r = run_gradplug({"train", "--help"}, cwd.path());
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  for (const char* flag : {"--set", "--out", "--plugin-dir", "--quiet"})
    EXPECT_CONTAINS(r.out, flag);
  EXPECT_EQ(r.err, "");
  expect_nothing_written(cwd.path());
}

TEST(GoodRun, PluginsListsEveryBuiltInWithItsParameters) {
  TempDir cwd;
  const RunResult r = run_gradplug({"plugins"}, cwd.path());
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(r.err, "");
  for (const char* header :
       {"activation leaky_relu ", "activation relu ", "activation swish ", "activation tanh ",
        "optimizer adam ", "optimizer rmsprop ", "optimizer sgd ", "regularizer dropout ",
        "regularizer l1 ", "regularizer l2 ", "activation gelu ", "activation sigmoid ",
        "activation mish ", "optimizer adamw ", "optimizer nadam ", "optimizer lion ",
        "optimizer rprop "})
    EXPECT_CONTAINS("\n" + r.out, "\n" + std::string(header));
  std::size_t plugin_lines = 0;
  for (const auto& line : lines_of(r.out))
    if (line.rfind("activation ", 0) == 0 || line.rfind("optimizer ", 0) == 0 ||
        line.rfind("regularizer ", 0) == 0)
      ++plugin_lines;
  EXPECT_EQ(plugin_lines, 27u) << r.out;
  for (const char* parameter :
       {"    negative_slope (real, default 0.01", "    beta (real, default 1",
        "    lr (real, default 0.001", "    betas (pair, default [0.9, 0.999]",
        "    eps (real, default 1e-08", "    amsgrad (bool, default false",
        "    alpha (real, default 0.99", "    centered (bool, default false",
        "    momentum (real, default 0", "    dampening (real, default 0",
        "    nesterov (bool, default false", "    p (real, default 0.5",
        "    lambda (real, default 0.01", "    include_bias (bool, default false",
        "    approximate (choice, default none", "    momentum_decay (real, default 0.004"})
    EXPECT_CONTAINS(r.out, parameter);
  expect_nothing_written(cwd.path());
}

// The metrics.csv rows (without the header), each split at commas.
std::vector<std::vector<std::string>> metrics_rows(const fs::path& file, std::string* header) {
  std::vector<std::vector<std::string>> rows;
  const auto lines = lines_of(read_text(file));
  if (lines.empty()) return rows;
  *header = lines[0];
  for (std::size_t i = 1; i < lines.size(); ++i) {
    std::vector<std::string> fields;
    std::string field;
    std::istringstream in(lines[i]);
    while (std::getline(in, field, ',')) fields.push_back(field);
    if (!lines[i].empty() && lines[i].back() == ',') fields.emplace_back();
    rows.push_back(fields);
  }
  return rows;
}

TEST(GoodRun, SeedTrainsAndWritesTheRunDirectory) {
  TempDir cwd;
  const RunResult r = run_gradplug({"train", kSeed.string()}, cwd.path());
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const fs::path run = single_run_dir(cwd.path());
  ASSERT_FALSE(run.empty());
  EXPECT_EQ(run.filename().string().rfind("seed-", 0), 0u) << run;
  for (const char* name : {"config.yaml", "command.txt", "metrics.csv", "summary.json"})
    EXPECT_TRUE(fs::is_regular_file(run / name)) << name;
  EXPECT_FALSE(fs::exists(run / "metrics.csv.partial"));
  EXPECT_EQ(read_text(run / "command.txt"), "gradplug train " + kSeed.string() + "\n");
  EXPECT_CONTAINS(r.out, "run directory: " + fs::relative(run, cwd.path()).string());

  std::string header;
  const auto rows = metrics_rows(run / "metrics.csv", &header);
  EXPECT_EQ(header,
            "step,epoch,loss,data_loss,accuracy,validation_loss,validation_accuracy,lr,grad_norm,"
            "seconds");
  ASSERT_EQ(rows.size(), 3000u);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    ASSERT_EQ(rows[i].size(), 10u) << "row " << i + 1;
    EXPECT_EQ(rows[i][0], std::to_string(i + 1));
    EXPECT_TRUE(std::isfinite(std::stod(rows[i][2]))) << "row " << i + 1;
    EXPECT_EQ(rows[i][4], "") << "no accuracy for a regression loss";
  }
  EXPECT_LT(std::stod(rows.back()[2]), std::stod(rows.front()[2]));

  const auto summary = nlohmann::json::parse(read_text(run / "summary.json"));
  EXPECT_EQ(summary["name"], "seed");
  EXPECT_EQ(summary["steps"], 3000);
  EXPECT_EQ(summary["stopped"], "finished");

  // Every printed prediction is within 0.1 of its target.
  const auto out = lines_of(r.out);
  const auto begin = std::find(out.begin(), out.end(), "predictions (target -> output):");
  ASSERT_NE(begin, out.end()) << r.out;
  std::size_t predictions = 0;
  for (auto line = begin + 1; line != out.end() && line->rfind("  ", 0) == 0; ++line) {
    std::istringstream in(*line);
    double target = 0, output = 0;
    std::string arrow;
    ASSERT_TRUE(in >> target >> arrow >> output) << *line;
    EXPECT_EQ(arrow, "->");
    EXPECT_NEAR(output, target, 0.1) << *line;
    ++predictions;
  }
  EXPECT_EQ(predictions, 4u) << r.out;
}

TEST(GoodRun, MoonsReachesFullTrainingAccuracy) {
  TempDir cwd;
  const RunResult r = run_gradplug({"train", kMoons.string(), "--quiet"}, cwd.path());
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const fs::path run = single_run_dir(cwd.path());
  ASSERT_FALSE(run.empty());
  const auto summary = nlohmann::json::parse(read_text(run / "summary.json"));
  EXPECT_EQ(summary["train"]["accuracy"], 1.0) << summary.dump(2);
  EXPECT_EQ(summary["steps"], 100);
  EXPECT_CONTAINS(r.out, "accuracy 100.00%");
  std::string header;
  EXPECT_EQ(metrics_rows(run / "metrics.csv", &header).size(), 100u);
}

TEST(GoodRun, SetOverridesTheConfig) {
  TempDir cwd;
  const RunResult r = run_gradplug(
      {"train", kSeed.string(), "--set", "training.steps=5", "--out", "five"}, cwd.path());
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  std::string header;
  EXPECT_EQ(metrics_rows(cwd / "five" / "metrics.csv", &header).size(), 5u);
  const auto summary = nlohmann::json::parse(read_text(cwd / "five" / "summary.json"));
  EXPECT_EQ(summary["steps"], 5);
  EXPECT_CONTAINS(read_text(cwd / "five" / "config.yaml"), "steps: 5\n");
  EXPECT_EQ(read_text(cwd / "five" / "command.txt"),
            "gradplug train " + kSeed.string() + " --set training.steps=5 --out five\n");
  EXPECT_FALSE(fs::exists(cwd / "runs")) << "--out replaces runs/<name>-<time>";
}

TEST(GoodRun, OutToAnExistingEmptyDirectoryIsFine) {
  TempDir cwd;
  fs::create_directory(cwd / "empty");
  const RunResult r = run_gradplug(
      {"train", kSeed.string(), "--set", "training.steps=2", "--out", "empty"}, cwd.path());
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_TRUE(fs::is_regular_file(cwd / "empty" / "metrics.csv"));
}

// metrics.csv without its last column (seconds: wall-clock time, the one thing allowed to vary).
std::string metrics_without_time(const fs::path& file) {
  std::string out;
  for (const std::string& line : lines_of(read_text(file)))
    out += line.substr(0, line.rfind(',')) + "\n";
  return out;
}

// Training from a run's resolved config.yaml reproduces its metrics.csv exactly.
void expect_resolved_config_reproduces(const fs::path& config,
                                       const std::vector<std::string>& extra) {
  TempDir cwd;
  std::vector<std::string> first{"train", config.string(), "--quiet", "--out", "first"};
  first.insert(first.end(), extra.begin(), extra.end());
  const RunResult a = run_gradplug(first, cwd.path());
  ASSERT_EQ(a.exit_code, 0) << a.describe();
  const RunResult b = run_gradplug(
      {"train", (cwd / "first" / "config.yaml").string(), "--quiet", "--out", "second"},
      cwd.path());
  ASSERT_EQ(b.exit_code, 0) << b.describe();
  const RunResult c = run_gradplug(first, cwd.path());  // --out first exists: refused
  EXPECT_EQ(c.exit_code, 2) << c.describe();
  const std::string metrics = metrics_without_time(cwd / "first" / "metrics.csv");
  EXPECT_FALSE(metrics.empty());
  EXPECT_TRUE(metrics == metrics_without_time(cwd / "second" / "metrics.csv"))
      << "metrics.csv differs between the run and the rerun of its config.yaml";
  EXPECT_EQ(read_text(cwd / "first" / "config.yaml"), read_text(cwd / "second" / "config.yaml"));
}

TEST(GoodRun, ResolvedSeedConfigReproducesTheMetrics) {
  expect_resolved_config_reproduces(kSeed, {});
}

TEST(GoodRun, ResolvedMoonsConfigReproducesTheMetrics) {
  expect_resolved_config_reproduces(kMoons, {});
}

TEST(GoodRun, ResolvedConfigWithShuffledBatchesAndDropoutReproducesTheMetrics) {
  expect_resolved_config_reproduces(
      kMoons, {"--set", "training.batch_size=16", "--set", "regularizers=[{name: dropout, p: 0.2}]",
               "--set", "optimizer={name: adam, lr: 0.01}", "--set", "training.steps=50"});
}

TEST(GoodRun, SameConfigTwiceGivesIdenticalMetrics) {
  TempDir cwd;
  for (const char* out : {"a", "b"}) {
    const RunResult r =
        run_gradplug({"train", kMoons.string(), "--quiet", "--out", out}, cwd.path());
    ASSERT_EQ(r.exit_code, 0) << r.describe();
  }
  EXPECT_TRUE(metrics_without_time(cwd / "a" / "metrics.csv") ==
              metrics_without_time(cwd / "b" / "metrics.csv"));
}

}  // namespace
