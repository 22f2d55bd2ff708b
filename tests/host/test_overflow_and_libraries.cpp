// Feature columns near the ends of the double range train and predict (the standardization's
// sums no longer overflow into a "scale": [null] the run's own predict cannot read), and a file
// that is no shared library is called that, not "No such file or directory".
#include <nlohmann/json.hpp>

#include "cli_support.hpp"

namespace gradplug::testing {
namespace {

using nlohmann::json;

const std::string kConfig =
    "name: big\nseed: 1\ndata: {source: csv, path: data.csv, standardize: true}\n"
    "model: {layers: [4, 1], activation: tanh}\nloss: bce\ntraining: {steps: 3}\n"
    "optimizer: {name: sgd, lr: 0.1}\n";

TEST(OverflowingData, ExtremeColumnsTrainAndTheRunPredicts) {
  const std::vector<std::string> columns = {
      "1e200,-1e200,5e199,-3e199,1e200,-1e200",           // squares overflow
      "1.7e308,-1.7e308,1.7e308,-1.7e308,1e308,-1e308",   // the sum overflows
      "1.7e308,1.7e308,1.7e308,1.7e308,1.7e308,1.7e308",  // constant, at the top
      "-1e-300,2e-300,1e-300,0,3e-300,-2e-300",           // tiny
  };
  for (const std::string& column : columns) {
    SCOPED_TRACE(column);
    TempDir cwd;
    std::string csv = "a,b,y\n";
    std::istringstream values(column);
    int row = 0;
    for (std::string v; std::getline(values, v, ','); ++row)
      csv += v + "," + std::to_string(row) + "," + std::to_string(row % 2) + "\n";
    write_text(cwd / "data.csv", csv);
    write_text(cwd / "big.yaml", kConfig);
    const RunResult train =
        run_gradplug({"train", "big.yaml", "--out", "run", "--quiet"}, cwd.path());
    ASSERT_EQ(train.exit_code, 0) << train.describe();
    const json model = json::parse(read_text(cwd / "run" / "model.json"));
    const json& standardize = model["data"]["standardize"];
    for (const char* part : {"mean", "scale"})
      for (const json& v : standardize[part]) EXPECT_TRUE(v.is_number()) << standardize.dump();
    // A varying column is scaled by its spread, however small (its squares underflow).
    if (column.find("e-300") != std::string::npos) {
      EXPECT_LT(standardize["scale"][0].get<double>(), 1e-299) << standardize.dump();
    }
    const RunResult predict = run_gradplug({"predict", "run", "data.csv"}, cwd.path());
    ASSERT_EQ(predict.exit_code, 0) << predict.describe();
    EXPECT_EQ(lines_of(predict.out).size(), 7u) << predict.out;
    EXPECT_EQ(predict.out.find("nan"), std::string::npos) << predict.out;
  }
}

TEST(OverflowingData, AValueThatCannotBeStandardizedIsRefusedByColumn) {
  TempDir cwd;
  write_text(cwd / "data.csv", "a,b,y\n1e-300,0,0\n2e-300,1,1\n3e-300,2,0\n4e-300,3,1\n");
  write_text(cwd / "big.yaml", kConfig);
  ASSERT_EQ(run_gradplug({"train", "big.yaml", "--out", "run", "--quiet"}, cwd.path()).exit_code,
            0);
  write_text(cwd / "far.csv", "a,b\n1e300,1\n");
  expect_user_error(run_gradplug({"predict", "run", "far.csv"}, cwd.path()),
                    "data column 'a': the value 1e+300 is too far from the training data's mean");
}

TEST(NotALibrary, CheckPluginSaysSoForEveryKindOfNonLibrary) {
  const std::vector<std::string> contents = {"",
                                             "hi\n",
                                             std::string(5000, 'x'),
                                             "\x89PNG\r\n\x1a\n" + std::string(100, '\0'),
                                             "#!/bin/sh\necho not a library\n",
                                             "\x7f"
                                             "EL"};
  for (const std::string& bytes : contents) {
    TempDir cwd;
    write_text(cwd / "fake.so", bytes);
    const RunResult r = run_gradplug({"check-plugin", "fake.so"}, cwd.path());
    expect_user_error(r, "gradplug check-plugin: 'fake.so' is not a shared library");
    EXPECT_EQ(r.err.find("No such file"), std::string::npos) << r.err;
  }
}

}  // namespace
}  // namespace gradplug::testing
