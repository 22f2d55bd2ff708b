// Every loss against every kind of target (two classes, several classes, numbers) from every
// data source (CSV with string labels or a numeric target, the generators, inline x/y): a loss
// that cannot read the targets is exit 2 naming the loss at its line, the data and what would
// work, never a run that trains to a nonsense result (issue 13: bce on iris gave "accuracy 100%").
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <ostream>

#include "cli_support.hpp"
#include "run/checksum.hpp"

namespace {

using namespace gradplug::testing;

const char* const kTwoClassCsv =
    "a,b,label\n0.1,0.2,yes\n0.9,0.8,no\n0.2,0.1,yes\n0.8,0.9,no\n0.15,0.3,yes\n0.7,0.95,no\n";
const char* const kThreeClassCsv =
    "a,b,kind\n0,0,red\n1,1,green\n2,2,blue\n0.1,0,red\n1.1,1,green\n2.1,2,blue\n";
const char* const kNumericCsv =
    "a,b,price\n0,0,1.5\n1,1,2.25\n2,2,3.75\n0.1,0,1.6\n1.1,1,2.5\n2.1,2,4.0\n";

// Data sources, each as the YAML of `data:` (CSV paths relative to the config).
struct Source {
  const char* name;
  const char* data;
  std::size_t classes;  // 0: numeric targets
};

const Source kSources[] = {
    {"csv_two_labels", "{source: csv, path: two.csv}", 2},
    {"csv_three_labels", "{source: csv, path: three.csv}", 3},
    {"csv_numeric", "{source: csv, path: numeric.csv}", 0},
    {"moons", "{source: moons, samples: 20}", 2},
    {"circles", "{source: circles, samples: 20}", 2},
    {"xor", "{source: xor, samples: 20}", 2},
    {"spirals_three", "{source: spirals, classes: 3, points_per_class: 8}", 3},
    {"spirals_two", "{source: spirals, classes: 2, points_per_class: 8}", 2},
    {"blobs_three", "{source: blobs, samples: 24, centers: 3}", 3},
    {"blobs_two", "{source: blobs, samples: 24, centers: 2}", 2},
    {"seed4", "{source: seed4}", 0},
    {"inline_two", "{source: inline, x: [[0, 1], [1, 0], [1, 1], [0, 0]], y: [0, 1, 1, 0]}", 2},
    {"inline_three", "{source: inline, x: [[0, 1], [1, 0], [1, 1], [0, 0]], y: [0, 1, 2, 0]}", 3},
    {"inline_numeric", "{source: inline, x: [[0, 1], [1, 0], [1, 1]], y: [0.5, -1.25, 3]}", 0},
};

void PrintTo(const Source& s, std::ostream* out) { *out << s.name; }

// The config's line 5 is `loss: ...`, so an error about the loss is placed at cfg.yaml:5:7.
void write_config(const TempDir& dir, const std::string& data, const std::string& loss,
                  std::size_t outputs) {
  write_text(dir / "two.csv", kTwoClassCsv);
  write_text(dir / "three.csv", kThreeClassCsv);
  write_text(dir / "numeric.csv", kNumericCsv);
  write_text(dir / "cfg.yaml", "name: t\nseed: 1\ndata: " + data + "\nmodel: {layers: [4, " +
                                   std::to_string(outputs) + "], activation: tanh}\nloss: " + loss +
                                   "\ntraining: {steps: 3}\noptimizer: {name: sgd, lr: 0.1}\n");
}

RunResult train(const TempDir& dir) {
  return run_gradplug({"train", "cfg.yaml", "--quiet", "--out", "run"}, dir.path());
}

// What a loss does with a source's targets: the width it trains with, or the error it gives.
struct Expectation {
  std::size_t outputs = 1;  // the width to configure
  std::string error;        // "": trains
};

Expectation expected(const std::string& loss, const Source& s) {
  const bool numeric = s.classes == 0;
  const std::string name = s.name;
  const bool generated = name.rfind("csv", 0) != 0 && name.rfind("inline", 0) != 0;
  if (loss == "mse") {
    if (numeric || name == "inline_two" || name == "inline_three") return {1, ""};
    if (!generated) return {1, "a regression target must be numeric"};
    return {1, "makes class labels; use a classification loss"};
  }
  if (name == "seed4") return {1, "seed4 has regression targets; use loss: mse"};
  if (loss == "softmax_cross_entropy") {
    if (name == "inline_numeric") return {2, "class labels are whole numbers"};
    if (numeric) return {6, ""};  // every distinct number of the CSV a class
    return {s.classes, ""};
  }
  // hinge and bce: exactly two classes.
  if (s.classes == 2) return {1, ""};
  if (name == "inline_three" || name == "inline_numeric") return {1, "takes class labels 0 or 1"};
  if (generated) return {1, "with more than two classes needs loss: softmax_cross_entropy"};
  if (numeric)
    return {1,
            "cfg.yaml:5:7: loss: loss '" + loss +
                "' needs exactly two classes, but the target 'price' has 6 classes (1.5, 1.6, "
                "2.25, 2.5, 3.75, 4.0); use loss: softmax_cross_entropy with model.layers ending "
                "in 6; or, if the target 'price' is a number to predict, loss: mse with "
                "model.layers ending in 1"};
  return {1, "cfg.yaml:5:7: loss: loss '" + loss +
                 "' needs exactly two classes, but the target 'kind' has 3 classes (red, green, "
                 "blue); use loss: softmax_cross_entropy with model.layers ending in 3"};
}

class LossTargets : public ::testing::TestWithParam<std::tuple<std::string, Source>> {};

TEST_P(LossTargets, TrainsOrRefusesWithWhatWouldWork) {
  const auto& [loss, source] = GetParam();
  const Expectation e = expected(loss, source);
  TempDir dir;
  write_config(dir, source.data, loss, e.outputs);
  const RunResult r = train(dir);
  if (e.error.empty()) {
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_TRUE(fs::exists(dir / "run" / "model.json"));
  } else {
    expect_user_error(r, e.error);
    EXPECT_FALSE(fs::exists(dir / "run"));
  }
}

INSTANTIATE_TEST_SUITE_P(
    EveryLossAndSource, LossTargets,
    ::testing::Combine(::testing::Values("mse", "hinge", "bce", "softmax_cross_entropy"),
                       ::testing::ValuesIn(kSources)),
    [](const auto& info) { return std::get<0>(info.param) + "_" + std::get<1>(info.param).name; });

// The case of the issue: iris with bce, as [8, 1] and as [8, 3]; the output-width error no
// longer suggests the width that trains to nonsense.
TEST(LossTargets, IrisWithBinaryLossesIsRefusedAtTheLossLine) {
  const fs::path iris = kSource / "configs" / "iris.yaml";
  for (const std::string loss : {"bce", "hinge"})
    for (const std::string layers : {"[8, 1]", "[8, 3]"}) {
      SCOPED_TRACE(loss + " " + layers);
      TempDir cwd;
      const RunResult r = run_gradplug({"train", iris.string(), "--quiet", "--set", "loss=" + loss,
                                        "--set", "model.layers=" + layers},
                                       cwd.path());
      expect_user_error(r, "loss: loss '" + loss +
                               "' needs exactly two classes, but the target 'species' has 3 "
                               "classes (setosa, versicolor, virginica); use loss: "
                               "softmax_cross_entropy with model.layers ending in 3");
      EXPECT_CONTAINS(r.err, "--set");
      EXPECT_FALSE(fs::exists(cwd / "runs"));
    }
}

TEST(LossTargets, OutputWidthErrorsSayWhyAndWhatWidth) {
  TempDir dir;
  write_config(dir, "{source: csv, path: two.csv}", "bce", 2);
  expect_user_error(train(dir),
                    "cfg.yaml:4:17: model.layers: the output layer has 2 neurons, but loss 'bce' "
                    "on this data needs 1 (one output for the two classes; set the last entry of "
                    "model.layers to 1)");
  write_config(dir, "{source: csv, path: three.csv}", "softmax_cross_entropy", 2);
  expect_user_error(train(dir),
                    "model.layers: the output layer has 2 neurons, but loss "
                    "'softmax_cross_entropy' on this data needs 3 (one per class; the data have 3 "
                    "classes (red, green, blue); set the last entry of model.layers to 3)");
  write_config(dir, "{source: csv, path: numeric.csv}", "softmax_cross_entropy", 1);
  expect_user_error(train(dir), "is a number to predict, loss: mse with model.layers ending in 1");
}

// A model file from elsewhere (here: an iris model relabelled "bce", checksum and all) gets the
// same check, so predict cannot write three p_ columns over rows of two values.
TEST(LossTargets, ModelFileWhoseLossCannotReadItsClassesIsRefused) {
  TempDir cwd;
  ASSERT_EQ(run_gradplug({"train", (kSource / "configs" / "iris.yaml").string(), "--quiet", "--out",
                          "run", "--set", "training.epochs=2"},
                         cwd.path())
                .exit_code,
            0);
  nlohmann::json model = nlohmann::json::parse(read_text(cwd / "run" / "model.json"));
  model["loss"] = "bce";
  write_text(cwd / "bce.json", gradplug::host::with_checksum(model).dump());
  write_text(cwd / "x.csv", "sepal_length,sepal_width,petal_length,petal_width\n5.1,3.5,1.4,0.2\n");
  for (const char* command : {"predict", "evaluate"})
    expect_user_error(run_gradplug({command, "bce.json", "x.csv"}, cwd.path()),
                      "bce.json: data.classes: loss 'bce' needs exactly two classes, but the "
                      "target 'species' has 3 classes (setosa, versicolor, virginica)");
}

}  // namespace
