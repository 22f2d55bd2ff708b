// model.json as an untrusted input: whatever a file holds, predict, evaluate, train --init and
// train --resume either use it or refuse it with exit 2 and one message naming the file and the
// field, never crash. The class, not one example: every field is damaged in turn, with and
// without a matching checksum (a good checksum must not be needed to refuse a file, nor a bad one
// to crash the reader).
#include <nlohmann/json.hpp>

#include "cli_support.hpp"
#include "run/checksum.hpp"

using namespace gradplug::testing;
using nlohmann::json;

namespace {

// One small trained iris model (4-8-3, softmax), shared by the tests of this file.
class ModelFiles : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    train_small_iris(dir_->path());
    model_ = new json(json::parse(read_text(dir_->path() / "run" / "model.json")));
  }
  static void TearDownTestSuite() {
    delete model_;
    delete dir_;
  }
  static const json& model() { return *model_; }
  static const fs::path& dir() { return dir_->path(); }

  // predict and evaluate on a model file written from `doc`.
  static std::vector<RunResult> use(const std::string& text, const std::string& name) {
    write_text(dir() / name, text);
    return {run_gradplug({"predict", name, kIrisData.string()}, dir()),
            run_gradplug({"evaluate", name, kIrisData.string()}, dir())};
  }

 private:
  static inline TempDir* dir_ = nullptr;
  static inline json* model_ = nullptr;
};

struct Damage {
  const char* name;
  const char* message;  // part of the one error line
  void (*apply)(json&);
};

// Each field of the file, damaged so that using the model would be wrong or crash.
const Damage kDamages[] = {
    {"features empty", "data.features: names 0 features for the model's 4 inputs",
     [](json& m) { m["data"]["features"] = json::array(); }},
    {"features too few", "data.features: names 3 features",
     [](json& m) { m["data"]["features"].erase(0); }},
    {"features twice", "data.features[1]: 'sepal_length' appears twice",
     [](json& m) { m["data"]["features"][1] = "sepal_length"; }},
    {"feature empty name", "data.features[2]: an empty name",
     [](json& m) { m["data"]["features"][2] = ""; }},
    {"classes empty", "data.classes: empty", [](json& m) { m["data"]["classes"] = json::array(); }},
    {"classes too few", "data.classes: names 2 classes for an output layer of 3 units",
     [](json& m) { m["data"]["classes"].erase(2); }},
    {"classes too many", "data.classes: names 4 classes for an output layer of 3 units",
     [](json& m) { m["data"]["classes"].push_back("extra"); }},
    {"classes twice", "data.classes[2]: 'setosa' appears twice",
     [](json& m) { m["data"]["classes"][2] = "setosa"; }},
    {"class not a string", "data.classes[0]: expected a string",
     [](json& m) { m["data"]["classes"][0] = 7; }},
    {"scale zero", "data.standardize.scale: scales must be positive and finite",
     [](json& m) { m["data"]["standardize"]["scale"][0] = 0; }},
    {"scale null", "data.standardize.scale",
     [](json& m) { m["data"]["standardize"]["scale"][1] = nullptr; }},
    {"mean short", "data.standardize.mean: expected 4 numbers",
     [](json& m) { m["data"]["standardize"]["mean"].erase(0); }},
    {"mean not a number", "data.standardize.mean[0]: expected a number",
     [](json& m) { m["data"]["standardize"]["mean"][0] = nullptr; }},
    {"inputs zero", "inputs: a model needs at least one input", [](json& m) { m["inputs"] = 0; }},
    {"inputs negative", "inputs: expected a whole number", [](json& m) { m["inputs"] = -4; }},
    {"inputs wrong", "layers[0].weights[0]: expected 5 numbers", [](json& m) { m["inputs"] = 5; }},
    {"inputs huge", "inputs: more inputs than gradplug",
     [](json& m) { m["inputs"] = 1000000000000LL; }},
    {"layers empty", "layers: expected a non-empty list",
     [](json& m) { m["layers"] = json::array(); }},
    {"units zero", "layers[1].units: a layer needs at least one unit",
     [](json& m) { m["layers"][1]["units"] = 0; }},
    {"units huge", "layers[0].units: more than 100000 units",
     [](json& m) { m["layers"][0]["units"] = 1000000000; }},
    {"units wrong", "layers[0].weights: expected 9 rows",
     [](json& m) { m["layers"][0]["units"] = 9; }},
    {"weight row short", "layers[1].weights[0]: expected 8 numbers",
     [](json& m) { m["layers"][1]["weights"][0].erase(0); }},
    {"weight a string", "layers[0].weights[0][0]: expected a number",
     [](json& m) { m["layers"][0]["weights"][0][0] = "1"; }},
    {"weight null", "layers[0].weights[0][0]: expected a number",
     [](json& m) { m["layers"][0]["weights"][0][0] = nullptr; }},
    {"biases short", "layers[0].biases: expected 8 numbers",
     [](json& m) { m["layers"][0]["biases"].erase(0); }},
    {"activation unknown", "activation 'nope' is not loaded",
     [](json& m) { m["layers"][0]["activation"]["name"] = "nope"; }},
    {"loss unknown", "loss: unknown loss 'l7'", [](json& m) { m["loss"] = "l7"; }},
    {"loss bce on three classes", "data.classes: loss 'bce' needs exactly two classes",
     [](json& m) { m["loss"] = "bce"; }},
    {"loss mse on classes", "data.classes: loss 'mse' needs numeric targets",
     [](json& m) { m["loss"] = "mse"; }},
    {"data missing", "root: missing 'data'", [](json& m) { m.erase("data"); }},
    {"version other", "model format version 2", [](json& m) { m["format_version"] = 2; }},
    {"nested deep", "nested more than 64 levels deep",
     [](json& m) {
       json deep = json::array();
       for (int i = 0; i < 100; ++i) deep = json::array({deep});
       m["data"]["note"] = deep;
     }},
};

}  // namespace

TEST_F(ModelFiles, EveryDamagedFieldIsRefusedByNameWithOrWithoutAChecksum) {
  int cases = 0;
  for (const Damage& d : kDamages) {
    SCOPED_TRACE(d.name);
    json damaged = model();
    d.apply(damaged);
    json without = damaged;
    without.erase("checksum");
    for (const std::string& text :
         {gradplug::host::with_checksum(damaged).dump(1), without.dump()}) {
      for (const RunResult& r : use(text, "damaged.json")) {
        expect_user_error(r, d.message);
        EXPECT_CONTAINS(r.err, "damaged.json");
        ++cases;
      }
    }
  }
  EXPECT_EQ(cases, 4 * static_cast<int>(std::size(kDamages)));
}

TEST_F(ModelFiles, AFileWithoutAChecksumIsReadAndAMismatchSaysHowToAcceptAnEdit) {
  json foreign = model();
  foreign.erase("checksum");
  const auto read = use(foreign.dump(), "foreign.json");
  EXPECT_EQ(read[0].exit_code, 0) << read[0].describe();
  EXPECT_EQ(read[0].out, run_gradplug({"predict", "run", kIrisData.string()}, dir()).out);
  EXPECT_EQ(read[1].exit_code, 0) << read[1].describe();

  json edited = model();
  edited["layers"][0]["biases"][0] = 0.25;
  for (const RunResult& r : use(edited.dump(), "edited.json")) {
    expect_user_error(r, "refused: its checksum does not match its content");
    EXPECT_CONTAINS(r.err, "delete its \"checksum\" line");
  }
}

TEST_F(ModelFiles, ModelFilesAreIndentedForPeopleAndDiffs) {
  const std::string text = read_text(dir() / "run" / "model.json");
  EXPECT_GT(lines_of(text).size(), 100u);
  EXPECT_CONTAINS(text, "\n\t\"format\": \"gradplug-model\"");
}

// The crash the issue reported: 100,000 nested arrays after the checksum key, for every command
// that reads a model.
TEST_F(ModelFiles, DeepNestingIsRefusedBeforeAnyRecursiveWalk) {
  const std::string deep =
      "{\"checksum\":\"x\",\"format\":\"gradplug-model\",\"format_version\":1," +
      std::string("\"a\":") + std::string(100000, '[') + std::string(100000, ']') + "}";
  write_text(dir() / "deep.json", deep);
  const std::string config = (kSource / "configs" / "iris.yaml").string();
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"predict", "deep.json", kIrisData.string()},
           {"evaluate", "deep.json", kIrisData.string()},
           {"train", config, "--init", "deep.json", "--quiet", "--out", "never"}}) {
    const RunResult r = run_gradplug(args, dir());
    expect_user_error(r, "deep.json:1:");
    EXPECT_CONTAINS(r.err, "nested more than 64 levels deep");
    EXPECT_FALSE(fs::exists(dir() / "never"));
  }
}

// A checkpoint whose training state does not fit its run: refused by field, not a crash.
TEST_F(ModelFiles, ResumeRefusesACheckpointWhoseStateDoesNotFitTheData) {
  const std::string config = (kSource / "configs" / "iris.yaml").string();
  const struct {
    const char* message;
    void (*apply)(json&);
  } cases[] = {
      {"training.order[3]: row 100000 is beyond the 90 training rows",
       [](json& m) { m["training"]["order"][3] = 100000; }},
      {"training.order[1]: row",
       [](json& m) { m["training"]["order"][1] = m["training"]["order"][0]; }},
      {"training.order: orders 89 rows, the data have 90",
       [](json& m) { m["training"]["order"].erase(0); }},
      {"training.step: step 99999999 is beyond", [](json& m) { m["training"]["step"] = 99999999; }},
      {"training.best_step", [](json& m) { m["training"]["best_step"] = 99999999; }},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.message);
    TempDir cwd;
    ASSERT_EQ(run_gradplug({"train", config, "--quiet", "--set", "training.epochs=2", "--out", "r"},
                           cwd.path())
                  .exit_code,
              0);
    fs::remove(cwd / "r" / "summary.json");  // as if killed after its last checkpoint
    json checkpoint = json::parse(read_text(cwd / "r" / "model.json"));
    c.apply(checkpoint);
    write_text(cwd / "r" / "model.json", gradplug::host::with_checksum(checkpoint).dump());
    expect_user_error(run_gradplug({"train", "--resume", "r"}, cwd.path()), c.message);
  }
}

// metrics.csv.partial is read back on resume: a row cut by a kill is redone, any other damage is
// an error with its line, never `failed: stoull`.
TEST_F(ModelFiles, ResumeReadsBackItsMetricsOrNamesTheDamagedLine) {
  const std::string config = (kSource / "configs" / "iris.yaml").string();
  TempDir cwd;
  ASSERT_EQ(run_gradplug({"train", config, "--quiet", "--set", "training.epochs=2", "--out", "r"},
                         cwd.path())
                .exit_code,
            0);
  fs::remove(cwd / "r" / "summary.json");
  const std::string metrics = read_text(cwd / "r" / "metrics.csv");
  fs::remove(cwd / "r" / "metrics.csv");
  auto lines = lines_of(metrics);
  ASSERT_GT(lines.size(), 4u);
  std::string damaged;
  for (std::size_t i = 0; i < lines.size(); ++i)
    damaged += (i == 2 ? "x7" + lines[i] : lines[i]) + "\n";
  write_text(cwd / "r" / "metrics.csv.partial", damaged);
  expect_user_error(run_gradplug({"train", "--resume", "r"}, cwd.path()),
                    "metrics.csv.partial:3:1: a damaged row");

  // Cut mid-row by a kill (rows end in a newline, so the cut one is known): it is dropped, and
  // here, the checkpoint being at the last step, not redone.
  write_text(cwd / "r" / "metrics.csv.partial", metrics.substr(0, metrics.size() - 7));
  const RunResult r = run_gradplug({"train", "--resume", "r", "--quiet"}, cwd.path());
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  lines.pop_back();
  std::string kept;
  for (const auto& line : lines) kept += line + "\n";
  EXPECT_EQ(read_text(cwd / "r" / "metrics.csv"), kept);
}

// A number beyond the double range is a refused file, not a leaked json out_of_range (found by
// the model fuzz target).
TEST_F(ModelFiles, ANumberBeyondTheDoubleRangeIsRefused) {
  for (const RunResult& r :
       use("{\"format\": \"gradplug-model\", \"format_version\": 1, \"inputs\": 1e400}",
           "overflow.json"))
    expect_user_error(r, "overflow.json: not a usable JSON document");
}
