// Inputs read strictly: one YAML document per config, whole numbers read exactly from their
// digits, real numbers finite and representable, --sweep arguments parsed whole, counts given as
// flags never negative, variant labels that stay one folder, and comparisons of a bounded size.
// Every refusal is one line naming the place (file:line:column or the flag as typed), exit 2,
// nothing written. Dry runs and one-step trainings keep this suite fast.
#include "cli_support.hpp"

namespace gradplug::testing {
namespace {

struct Case {
  std::string text;      // the config text, or a flag's value
  std::string expected;  // in the one line on stderr
};

// The moons config with its line `from` replaced by `to` (the whole line).
std::string moons_with(const std::string& from, const std::string& to) {
  std::string text = read_text(kMoons);
  const std::size_t at = text.find(from + "\n");
  if (at == std::string::npos) throw std::runtime_error("no line " + from + " in moons.yaml");
  return text.replace(at, from.size(), to);
}

void expect_refused(const std::vector<std::string>& args, const std::string& expected,
                    const std::string& config_text = "") {
  TempDir files, cwd;
  std::vector<std::string> a = args;
  if (!config_text.empty()) {
    write_text(files / "c.yaml", config_text);
    a.insert(a.begin() + 1, (files / "c.yaml").string());
  }
  SCOPED_TRACE(::testing::PrintToString(a));
  expect_user_error(run_gradplug(a, cwd.path()), expected);
  expect_nothing_written(cwd.path());
}

TEST(StrictInputs, ASecondYamlDocumentIsRefusedAtItsLine) {
  const std::string moons = read_text(kMoons);  // 23 lines
  const std::vector<Case> cases = {
      {moons + "---\nname: other\n", "c.yaml:25:1: a second YAML document"},
      {moons + "---\n", "c.yaml:24:1: a second YAML document"},
      {moons + "--- # the next one\n\n", "c.yaml:24:1: a second YAML document"},
      {moons + "...\nseed: 3\n", "c.yaml:25:1: a second YAML document"},
      {moons + "---\n- 1\n- 2\n", "c.yaml:25:1: a second YAML document"},
  };
  for (const Case& c : cases) expect_refused({"compare", "--dry-run"}, c.expected, c.text);
  expect_refused({"compare", kMoons.string(), "--dry-run", "--set", "name=a\n---\nb"},
                 "--set name=a\\n---\\nb:3:1: a second YAML document");
  // One document that starts with its marker is still one document.
  TempDir files;
  write_text(files / "one.yaml", "---\n" + moons + "...\n");
  const RunResult one = run_gradplug({"compare", "one.yaml", "--dry-run"}, files.path());
  EXPECT_EQ(one.exit_code, 0) << one.describe();
}

TEST(StrictInputs, SeedsAreReadExactlyAsSixtyFourBitNumbers) {
  TempDir files;
  const std::vector<std::pair<std::string, std::string>> kept = {
      {"9007199254740993", "seed 9007199254740994:"},  // 2^53 + 1 and the next seed
      {"18446744073709551614", "seed 18446744073709551615:"},
      {"+12", "seed 13:"},
      {"1e3", "seed 1001:"},
  };
  for (const auto& [seed, expected] : kept) {
    write_text(files / "c.yaml", moons_with("seed: 1", "seed: " + seed));
    const RunResult r =
        run_gradplug({"compare", "c.yaml", "--seeds", "2", "--dry-run"}, files.path());
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_CONTAINS(r.out, expected);
  }
  const std::string range =
      "is out of range; expected a whole number from 0 to 18446744073709551615";
  const std::vector<Case> refused = {
      {"18446744073709551616", "c.yaml:5:7: seed: '18446744073709551616' " + range},
      {"99999999999999999999999", "seed: '99999999999999999999999' " + range},
      {"-1", "seed: '-1' " + range},
      {"-9223372036854775809", "seed: '-9223372036854775809' " + range},
      {"1e19", "seed: '1e19' is too large to be read exactly in this form; write it in plain"},
      {"1e20", "seed: '1e20' " + range},
      {"2.5", "seed: expected a whole number, got '2.5'"},
      {"12abc", "seed: expected a whole number, got '12abc'"},
      {"[1]", "seed: expected a whole number, got a list"},
  };
  for (const Case& c : refused)
    expect_refused({"compare", "--dry-run"}, c.expected, moons_with("seed: 1", "seed: " + c.text));
  expect_refused({"compare", "--dry-run", "--seeds", "2"},
                 "--seeds 2: seeds 18446744073709551615 onwards pass 2^64 - 1",
                 moons_with("seed: 1", "seed: 18446744073709551615"));
  // Other whole numbers too: no rounding through a double, exact bounds.
  const std::vector<Case> steps = {
      {"9007199254740993",
       "training.steps: '9007199254740993' is out of range; expected a whole "
       "number from 1 to 1000000000"},
      {"99999999999999999999", "training.steps: '99999999999999999999' is out of range"},
      {"1000000001", "training.steps: '1000000001' is out of range"},
      {"100.5", "training.steps: expected a whole number, got '100.5'"},
  };
  for (const Case& c : steps)
    expect_refused({"compare", "--dry-run"}, c.expected,
                   moons_with("  steps: 100", "  steps: " + c.text));
  // A key that looks like an index of a list is none: the error still names its place.
  expect_refused(
      {"compare", "--dry-run"}, "c.yaml:12:3: model.layers[abc]: unknown key 'layers[abc]'",
      moons_with("  layers: [16, 16, 1]", "  layers: [16, 16, 1]\n  \"layers[abc]\": 1"));
}

TEST(StrictInputs, TinyNumbersAreOutOfRangeNotInfinite) {
  const std::string tiny = "is out of range: it is too close to zero";
  const std::vector<Case> cases = {
      {"1e-320", "c.yaml:21:7: optimizer.lr: '1e-320' " + tiny},
      {"4.9e-324", "optimizer.lr: '4.9e-324' " + tiny},
      {"1e-400", "optimizer.lr: '1e-400' " + tiny},
      {"-1e-310", "optimizer.lr: '-1e-310' " + tiny},
      {"1e400", "optimizer.lr: '1e400' is out of range; a number must be at most"},
      {"-1e400", "optimizer.lr: '-1e400' is out of range; a number must be at most"},
      {"inf", "optimizer.lr: 'inf' is not a finite number"},
  };
  for (const Case& c : cases)
    expect_refused({"compare", "--dry-run"}, c.expected,
                   moons_with("  lr: 1.0", "  lr: " + c.text));
  expect_refused({"compare", kMoons.string(), "--dry-run", "--set", "data.noise=1e-310"},
                 "--set data.noise=1e-310: data.noise: '1e-310' " + tiny);
}

TEST(StrictInputs, SweepArgumentsAreParsedWhole) {
  const std::string count = "COUNT: ";
  const std::vector<Case> cases = {
      {"linspace(0.1,1,3junk)",
       "COUNT: expected a whole number, got '3junk'; expected "
       "linspace(LOW,HIGH,COUNT)"},
      {"linspace(0.1,1,3.5)", "COUNT: expected a whole number, got '3.5'"},
      {"linspace(0.1,1,1)", "COUNT: '1' is out of range; expected a whole number from 2 to 1000"},
      {"linspace(0.1,1,1001)", "COUNT: '1001' is out of range"},
      {"linspace(0.1,1,-3)", "COUNT: '-3' is out of range"},
      {"linspace(0.1,1,99999999999999999999)", "COUNT: '99999999999999999999' is out of range"},
      {"linspace(0.1junk,1,3)", "LOW: expected a number, got '0.1junk'"},
      {"logspace(1e-4,1x,3)", "HIGH: expected a number, got '1x'"},
      {"linspace(nan,1,3)", "LOW: 'nan' is not a finite number"},
      {"linspace(0,1e400,3)", "HIGH: '1e400' is out of range"},
      {"linspace(1e-320,1,3)", "LOW: '1e-320' is out of range: it is too close to zero"},
      {"linspace(,1,3)", "LOW: expected a number, got ''"},
      {"linspace(0.1,1)", "expected three arguments, linspace(LOW,HIGH,COUNT)"},
      {"logspace(1,2,3,4)", "expected three arguments, logspace(LOW,HIGH,COUNT)"},
      {"linspace(-1.7e308,1.7e308,3)", "the points between LOW and HIGH are not finite"},
      {"linspace(0.1,1,3", "missing ')'"},
      {"", "no values; expected KEY=a,b,c"},
      {"0.1,,1", "empty value in '0.1,,1'"},
      {",", "empty value in ','"},
  };
  for (const Case& c : cases)
    expect_refused({"compare", kMoons.string(), "--dry-run", "--sweep", "optimizer.lr=" + c.text},
                   "--sweep optimizer.lr=" + c.text + ": " + c.expected);
  TempDir cwd;
  const RunResult ok = run_gradplug(
      {"compare", kMoons.string(), "--dry-run", "--sweep", "optimizer.lr=linspace( 0.1 , 1 , 3 )"},
      cwd.path());
  ASSERT_EQ(ok.exit_code, 0) << ok.describe();
  EXPECT_CONTAINS(ok.out, "3 runs (3 variants x 1 seeds)");
  EXPECT_CONTAINS(ok.out, "optimizer.lr=0.55  seed 1");
}

TEST(StrictInputs, ASweepOverNamesIsReportedWithoutASensitivityPlot) {
  // The plot's x axis read the first swept value with std::stod: "relu" ended compare with exit 1.
  TempDir cwd;
  const RunResult r =
      run_gradplug({"compare", kMoons.string(), "--sweep", "model.activation=relu,tanh", "--set",
                    "training.steps=2", "--out", "o", "--format", "csv"},
                   cwd.path());
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_FALSE(fs::exists(cwd / "o" / "sensitivity.svg"));
  EXPECT_TRUE(fs::exists(cwd / "o" / "loss.svg"));
}

TEST(StrictInputs, PlaygroundParametersAreStrictNumbers) {
  for (const auto& [value, expected] : std::vector<std::pair<std::string, std::string>>{
           {"0.1x", "lr: expected a number, got '0.1x'"},
           {"nan", "lr: 'nan' is not a finite number"},
           {"1e-320", "lr: '1e-320' is out of range: it is too close to zero"}})
    expect_refused({"compare", "--function", "booth", "--optimizers", "sgd:lr=" + value},
                   "--optimizers sgd:lr=" + value + ": " + expected);
}

TEST(StrictInputs, CountFlagsRefuseNegativesAsTyped) {
  const std::vector<std::vector<std::string>> flags = {{"--seeds", "-1"},
                                                       {"--seeds=-1"},
                                                       {"--jobs", "-2"},
                                                       {"--seeds", "3junk"},
                                                       {"--seeds", "99999999999999999999999"},
                                                       {"--timeout", "nan"},
                                                       {"--timeout", "1e400"},
                                                       {"--target-loss", "inf"},
                                                       {"--timeout", "1x"}};
  const std::vector<std::string> expected = {
      "--seeds -1: '-1' is negative; expected a whole number",
      "--seeds=-1: '-1' is negative",
      "--jobs -2: '-2' is negative",
      "--seeds 3junk: expected a whole number (digits only), got '3junk'",
      "--seeds 99999999999999999999999: '99999999999999999999999' is out of range",
      "--timeout nan: 'nan' is not a finite number",
      "--timeout 1e400: '1e400' is out of range",
      "--target-loss inf: 'inf' is not a finite number",
      "--timeout 1x: expected a number, got '1x'"};
  for (std::size_t i = 0; i < flags.size(); ++i) {
    std::vector<std::string> args = {"compare", kMoons.string(), "--dry-run"};
    args.insert(args.end(), flags[i].begin(), flags[i].end());
    expect_refused(args, expected[i]);
  }
  expect_refused({"graph", kMoons.string(), "--sample", "-1"}, "--sample -1: '-1' is negative");
  expect_refused({"compare", "--function", "booth", "--optimizers", "sgd", "--steps", "-5"},
                 "--steps -5: '-5' is negative");
}

TEST(StrictInputs, VariantLabelsStayOneFolderInsideTheComparison) {
  const std::string rule = "a label becomes a folder name";
  const std::vector<Case> cases = {
      {"'..'", "c.yaml:25:13: compare: label: variant label '..' is not a folder name; " + rule},
      {"'.'", "variant label '.' is not a folder name"},
      {"a/b", "variant label 'a/b' holds a '/'"},
      {"'../../x'", "variant label '../../x' holds a '/'"},
      {"\"a\\x01b\"", "variant label 'a\\x01b' holds a control character"},
      {"\"a\\tb\"", "variant label 'a\\tb' holds a control character"},
      {"\"a\\0b\"", "holds a control character"},
  };
  for (const Case& c : cases)
    expect_refused({"compare", "--dry-run"}, c.expected,
                   read_text(kMoons) + "compare:\n  - {label: " + c.text +
                       ", optimizer: {name: sgd, lr: 0.5}}\n");
  expect_refused({"compare", "--dry-run"}, "compare: label: expected a name, got a list",
                 read_text(kMoons) + "compare:\n  - {label: [a], optimizer: {name: sgd}}\n");
  // A label of dots and names that only look odd are fine: each stays one folder; so is a label
  // made of overrides that holds a '/' (a path).
  TempDir cwd;
  write_text(cwd / "c.yaml", read_text(kMoons) +
                                 "compare:\n  - {label: '...', optimizer: {name: sgd, lr: 0.5}}\n"
                                 "  - {label: 'a b:c=d', optimizer: {name: sgd, lr: 0.4}}\n");
  const RunResult ok = run_gradplug(
      {"compare", "c.yaml", "--set", "training.steps=1", "--out", "o", "--format", "csv"},
      cwd.path());
  ASSERT_EQ(ok.exit_code, 0) << ok.describe();
  EXPECT_TRUE(fs::is_directory(cwd / "o" / "runs" / "..." / "seed-1"));
  EXPECT_TRUE(fs::is_directory(cwd / "o" / "runs" / "a_b_c_d" / "seed-1"));
  const std::string iris = (kSource / "configs" / "data" / "iris.csv").string();
  const RunResult path = run_gradplug({"compare", (kSource / "configs" / "iris.yaml").string(),
                                       "--dry-run", "--sweep", "data.path=" + iris},
                                      cwd.path());
  EXPECT_EQ(path.exit_code, 0) << path.describe();
}

TEST(StrictInputs, ComparisonsAreBoundedBeforeAnythingIsPlanned) {
  const std::string grid = "linspace(0.1,1,1000)";
  for (const bool dry : {true, false}) {
    std::vector<std::string> args = {
        "compare", kMoons.string(),          "--sweep", "optimizer.lr=" + grid,
        "--sweep", "training.steps=" + grid, "--sweep", "data.noise=" + grid};
    if (dry) args.push_back("--dry-run");
    expect_refused(args,
                   "ask for 1 variant x 1000 sweep values x 1000 sweep values x 1000 sweep values "
                   "x 1 seed = 1000000000 runs; a comparison has at most 100000 runs");
  }
  expect_refused({"compare", kMoons.string(), "--optimizers", "sgd,adam", "--sweep",
                  "optimizer.lr=" + grid, "--seeds", "51"},
                 "2 variants x 1000 sweep values x 51 seeds = 102000 runs");
  std::string many = read_text(kMoons) + "compare:\n";
  for (int i = 0; i < 101; ++i)
    many += "  - {optimizer: {name: sgd, lr: 0." + std::to_string(i + 1) + "}}\n";
  expect_refused({"compare", "--seeds", "1000", "--dry-run"},
                 "101 variants x 1000 seeds = 101000 runs", many);
}

}  // namespace
}  // namespace gradplug::testing
