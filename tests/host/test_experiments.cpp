// Experiments end to end with the real binary: checkpoints and resume after a signal, a diverging
// run, --init, early stopping, predict and evaluate, graph, plots, model.json checks, and every
// shipped config.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "run/checksum.hpp"
#include "cli_support.hpp"

namespace {

using namespace gradplug::testing;
using nlohmann::json;

const fs::path kConfigs = kSource / "configs";

json read_json(const fs::path& file) { return json::parse(read_text(file)); }

// A config that trains long enough to be interrupted, with shuffling and dropout on.
std::string long_config() {
  return "name: long\nseed: 5\n"
         "data: {source: csv, path: " +
         (kConfigs / "data" / "digits.csv").string() +
         ", split: {validation: 0.1}, standardize: true}\n"
         "model: {layers: [32, 10], activation: relu, init: he}\n"
         "loss: softmax_cross_entropy\n"
         "training: {epochs: 400, batch_size: 32}\n"
         "optimizer: {name: adam, lr: 0.001}\n"
         "regularizers: [{name: dropout, p: 0.2}]\n";
}

// Runs gradplug in the background and sends `signo` once metrics.csv.partial has `rows` rows.
RunResult run_and_signal(const std::vector<std::string>& args, const fs::path& cwd,
                         const fs::path& metrics, std::size_t rows, int signo) {
  TempDir capture;
  std::vector<std::string> argv_text{kBinary.string()};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_text) argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string out = (capture / "out").string(), err = (capture / "err").string(),
                    dir = cwd.string();
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (::chdir(dir.c_str()) != 0) ::_exit(126);
    const int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(o, 1);
    ::dup2(e, 2);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  int status = 0;
  bool signalled = false;
  while (true) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (!signalled && lines_of(read_text(metrics)).size() > rows) {
      ::kill(pid, signo);
      signalled = true;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  RunResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = read_text(capture / "out");
  r.err = read_text(capture / "err");
  return r;
}

TEST(Resume, SignalLeavesACheckpointAndResumingMatchesAnUninterruptedRunBitForBit) {
  TempDir cwd;
  write_text(cwd / "long.yaml", long_config());
  const RunResult whole =
      run_gradplug({"train", "long.yaml", "--quiet", "--out", "whole"}, cwd.path());
  ASSERT_EQ(whole.exit_code, 0) << whole.describe();

  for (int signo : {SIGTERM, SIGINT}) {
    const std::string out = signo == SIGTERM ? "term" : "int";
    const RunResult cut =
        run_and_signal({"train", "long.yaml", "--quiet", "--out", out}, cwd.path(),
                       cwd / out / "metrics.csv.partial", 2000, signo);
    ASSERT_EQ(cut.exit_code, 128 + signo) << cut.describe();
    EXPECT_CONTAINS(cut.err, "Resume with: gradplug train --resume " + out);
    EXPECT_FALSE(fs::exists(cwd / out / "summary.json"));
    const json checkpoint = read_json(cwd / out / "model.json");
    EXPECT_GT(checkpoint["training"]["step"].get<int>(), 0);
    EXPECT_LT(checkpoint["training"]["step"].get<int>(),
              checkpoint["training"]["steps"].get<int>());

    const RunResult resumed = run_gradplug({"train", "--resume", out, "--quiet"}, cwd.path());
    ASSERT_EQ(resumed.exit_code, 0) << resumed.describe();
    // The final weights, byte for byte as written, and the optimizer state.
    EXPECT_EQ(read_json(cwd / out / "model.json")["layers"].dump(),
              read_json(cwd / "whole" / "model.json")["layers"].dump());
    EXPECT_EQ(read_json(cwd / out / "model.json")["optimizer"].dump(),
              read_json(cwd / "whole" / "model.json")["optimizer"].dump());
    // The same metric rows, but for the wall-clock column.
    auto strip = [](const std::string& text) {
      std::string s;
      for (const auto& line : lines_of(text)) s += line.substr(0, line.rfind(',')) + "\n";
      return s;
    };
    EXPECT_EQ(strip(read_text(cwd / out / "metrics.csv")),
              strip(read_text(cwd / "whole" / "metrics.csv")));
    const RunResult again = run_gradplug({"train", "--resume", out}, cwd.path());
    EXPECT_EQ(again.exit_code, 2);
    EXPECT_CONTAINS(again.err, "already finished");
  }
}

TEST(Resume, RefusesChangesToTheRun) {
  TempDir cwd;
  const RunResult r = run_gradplug({"train", "--resume", "nowhere", "--set", "seed=2"}, cwd.path());
  expect_user_error(r, "--resume continues a run as it was configured");
  const RunResult missing = run_gradplug({"train", "--resume", "nowhere"}, cwd.path());
  expect_user_error(missing, "not a resumable run directory");
}

TEST(Divergence, StopsWithTheStepAndLayerAndKeepsFiniteWeights) {
  TempDir cwd;
  const RunResult r =
      run_gradplug({"train", kMoons.string(), "--quiet", "--out", "run", "--set",
                    "optimizer={name: sgd, lr: 1.0e12}", "--set", "training.schedule=constant"},
                   cwd.path());
  ASSERT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_CONTAINS(r.err, "the loss became non-finite");
  EXPECT_CONTAINS(r.err, "layer");
  const json summary = read_json(cwd / "run" / "summary.json");
  EXPECT_EQ(summary["stopped"], "non_finite");
  const json model = read_json(cwd / "run" / "model.json");
  for (const auto& layer : model["layers"])
    for (const auto& row : layer["weights"])
      for (const auto& w : row)
        EXPECT_TRUE(w.is_number()) << "a null (non-finite) weight was written";
  // The checkpoint loads: evaluate works on it.
  write_text(cwd / "moons.csv", "x1,x2,y\n0.5,0.5,1\n-1,0.2,0\n");
  const RunResult e = run_gradplug({"evaluate", "run", "moons.csv"}, cwd.path());
  EXPECT_EQ(e.exit_code, 0) << e.describe();
}

TEST(Init, StartsFromGivenWeightsOrNamesTheLayerThatDiffers) {
  TempDir cwd;
  ASSERT_EQ(run_gradplug({"train", kSeed.string(), "--quiet", "--out", "a"}, cwd.path()).exit_code,
            0);
  // Zero steps would be refused; one step from trained weights keeps the loss low.
  const RunResult b = run_gradplug({"train", kSeed.string(), "--quiet", "--out", "b", "--init", "a",
                                    "--set", "training.steps=1", "--json"},
                                   cwd.path());
  ASSERT_EQ(b.exit_code, 0) << b.describe();
  EXPECT_LT(json::parse(b.out)["train"]["loss"].get<double>(), 0.01);
  const RunResult c = run_gradplug({"train", kSeed.string(), "--quiet", "--out", "c", "--init", "a",
                                    "--set", "model.layers=[4, 5, 1]"},
                                   cwd.path());
  expect_user_error(c, "layer 2 is 4 inputs x 4 units, the config's is 4 inputs x 5 units");
  EXPECT_FALSE(fs::exists(cwd / "c"));
}

TEST(EarlyStopping, StopsWhenValidationLossStallsAndRecordsTheBest) {
  TempDir cwd;
  const RunResult r = run_gradplug({"train", (kConfigs / "iris.yaml").string(), "--quiet", "--out",
                                    "run", "--set", "training.early_stopping={patience: 3}"},
                                   cwd.path());
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const json summary = read_json(cwd / "run" / "summary.json");
  EXPECT_EQ(summary["stopped"], "early_stopped");
  EXPECT_LT(summary["steps"].get<int>(), summary["steps_planned"].get<int>());
  EXPECT_TRUE(summary["best"]["validation_loss"].is_number());
  const RunResult bad = run_gradplug(
      {"train", kMoons.string(), "--set", "training.early_stopping={patience: 3}"}, cwd.path());
  expect_user_error(bad, "give the data a validation split");
}

TEST(Configs, EveryShippedConfigRunsAndTheRealDataReachTheirAccuracy) {
  for (const auto& entry : fs::directory_iterator(kConfigs)) {
    if (entry.path().extension() != ".yaml") continue;
    TempDir cwd;
    const RunResult r =
        run_gradplug({"train", entry.path().string(), "--quiet", "--out", "run"}, cwd.path());
    ASSERT_EQ(r.exit_code, 0) << entry.path() << "\n" << r.describe();
    const json s = read_json(cwd / "run" / "summary.json");
    const std::string name = entry.path().stem().string();
    if (name == "digits") {
      EXPECT_GE(s["test"]["accuracy"].get<double>(), 0.97) << s.dump(2);
    }
    if (name == "iris") {
      EXPECT_GE(s["test"]["accuracy"].get<double>(), 0.93) << s.dump(2);
    }
    for (const char* file : {"config.yaml", "command.txt", "metrics.csv", "summary.json",
                             "model.json", "loss.svg", "split.json"})
      EXPECT_TRUE(fs::is_regular_file(cwd / "run" / file)) << name << ": " << file;
  }
}

TEST(RunDirectory, MetricsHaveValidationAtEpochEndsAndPlotsAreDrawn) {
  TempDir cwd;
  const RunResult r = run_gradplug(
      {"train", (kConfigs / "iris.yaml").string(), "--quiet", "--out", "run"}, cwd.path());
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const auto rows = lines_of(read_text(cwd / "run" / "metrics.csv"));
  ASSERT_GT(rows.size(), 10u);
  std::size_t with_validation = 0;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    std::vector<std::string> cells;
    std::stringstream in(rows[i]);
    for (std::string c; std::getline(in, c, ',');) cells.push_back(c);
    if (cells.size() > 5 && !cells[5].empty()) ++with_validation;
  }
  const json s = read_json(cwd / "run" / "summary.json");
  // iris: 90 training rows in batches of 16 = 6 steps an epoch.
  EXPECT_EQ(with_validation, (s["steps"].get<std::size_t>() + 5) / 6);
  for (const char* plot : {"loss.svg", "accuracy.svg"}) {
    const std::string svg = read_text(cwd / "run" / plot);
    EXPECT_EQ(svg.rfind("<svg", 0) == 0 || svg.rfind("<?xml", 0) == 0, true) << plot;
    EXPECT_CONTAINS(svg, "iris");
    EXPECT_CONTAINS(svg, "validation");
    EXPECT_CONTAINS(svg, "step");
  }
}

TEST(PredictAndEvaluate, UseTheTrainedModelByColumnName) {
  TempDir cwd;
  ASSERT_EQ(run_gradplug({"train", (kConfigs / "iris.yaml").string(), "--quiet", "--out", "run"},
                         cwd.path())
                .exit_code,
            0);
  // Columns in another order, and no target: predict matches by name.
  write_text(
      cwd / "in.csv",
      "petal_width,petal_length,sepal_width,sepal_length\n0.2,1.4,3.5,5.1\n2.3,5.9,3.0,6.8\n");
  const RunResult p = run_gradplug({"predict", "run", "in.csv", "--output", "out.csv"}, cwd.path());
  ASSERT_EQ(p.exit_code, 0) << p.describe();
  const auto lines = lines_of(read_text(cwd / "out.csv"));
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0], "row,predicted,p_setosa,p_versicolor,p_virginica");
  EXPECT_EQ(lines[1].rfind("1,setosa,", 0), 0u) << lines[1];
  EXPECT_EQ(lines[2].rfind("2,virginica,", 0), 0u) << lines[2];

  const RunResult e = run_gradplug(
      {"evaluate", "run/model.json", (kConfigs / "data" / "iris.csv").string(), "--json"},
      cwd.path());
  ASSERT_EQ(e.exit_code, 0) << e.describe();
  const json figures = json::parse(e.out);
  EXPECT_EQ(figures["rows"], 150);
  EXPECT_GE(figures["accuracy"].get<double>(), 0.9);
  std::size_t total = 0, diagonal = 0;
  for (std::size_t i = 0; i < 3; ++i)
    for (std::size_t j = 0; j < 3; ++j) {
      total += figures["confusion"][i][j].get<std::size_t>();
      if (i == j) diagonal += figures["confusion"][i][j].get<std::size_t>();
    }
  EXPECT_EQ(total, 150u);
  EXPECT_NEAR(static_cast<double>(diagonal) / 150.0, figures["accuracy"].get<double>(), 1e-12);

  write_text(cwd / "unknown.csv",
             "sepal_length,sepal_width,petal_length,petal_width,species\n5.1,3.5,1.4,0.2,rose\n");
  expect_user_error(run_gradplug({"evaluate", "run", "unknown.csv"}, cwd.path()),
                    "unknown.csv:2:17: class 'rose' was not seen in training");
  write_text(cwd / "short.csv", "sepal_length,sepal_width\n5.1,3.5\n");
  expect_user_error(run_gradplug({"predict", "run", "short.csv"}, cwd.path()),
                    "no column 'petal_length'");
}

TEST(ModelFile, RefusesTruncatedForeignAndOtherVersionFiles) {
  TempDir cwd;
  ASSERT_EQ(
      run_gradplug({"train", kSeed.string(), "--quiet", "--out", "run"}, cwd.path()).exit_code, 0);
  const std::string good = read_text(cwd / "run" / "model.json");
  write_text(cwd / "truncated.json", good.substr(0, good.size() / 2));
  expect_user_error(run_gradplug({"predict", "truncated.json", "x.csv"}, cwd.path()),
                    "may be truncated");
  json other = json::parse(good);
  other["format_version"] = 99;
  write_text(cwd / "v99.json", gradplug::host::with_checksum(other).dump());
  expect_user_error(run_gradplug({"predict", "v99.json", "x.csv"}, cwd.path()),
                    "model format version 99, this gradplug reads version 1");
  // 2^32 + 1 is not version 1, however an int would truncate it.
  other["format_version"] = 4294967297LL;
  write_text(cwd / "v2p32.json", gradplug::host::with_checksum(other).dump());
  expect_user_error(run_gradplug({"predict", "v2p32.json", "x.csv"}, cwd.path()),
                    "model format version 4294967297, this gradplug reads version 1");
  write_text(cwd / "foreign.json", "{\"weights\": [1, 2, 3]}");
  expect_user_error(run_gradplug({"predict", "foreign.json", "x.csv"}, cwd.path()),
                    "not a gradplug model file");
  json wrong = json::parse(good);
  wrong["layers"][1]["weights"][0].erase(0);
  write_text(cwd / "wrong.json", gradplug::host::with_checksum(wrong).dump());
  expect_user_error(run_gradplug({"predict", "wrong.json", "x.csv"}, cwd.path()),
                    "layers[1].weights[0]: expected 4 numbers");
  // One weight changed by hand, or a flipped bit: the checksum no longer matches.
  json tampered = json::parse(good);
  tampered["layers"][0]["weights"][0][0] = 0.5;
  write_text(cwd / "tampered.json", tampered.dump());
  expect_user_error(run_gradplug({"predict", "tampered.json", "x.csv"}, cwd.path()),
                    "refused: its checksum does not match its content");
  std::string flipped = good;
  const std::size_t biases = flipped.find("\"biases\"");
  ASSERT_NE(biases, std::string::npos);
  flipped[flipped.find_first_of("123456789", biases)] ^= 0x01;  // a digit of the first bias
  write_text(cwd / "flipped.json", flipped);
  const RunResult f = run_gradplug({"predict", "flipped.json", "x.csv"}, cwd.path());
  EXPECT_EQ(f.exit_code, 2) << f.describe();
}

TEST(Graph, WritesTheValueGraphAsDotAndRefusesHugeGraphs) {
  TempDir cwd;
  const RunResult r =
      run_gradplug({"graph", kSeed.string(), "--out", "g.dot", "--sample", "2"}, cwd.path());
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const std::string dot = read_text(cwd / "g.dot");
  EXPECT_EQ(dot.find("digraph gradplug {") != std::string::npos, true);
  EXPECT_CONTAINS(dot, "w1.1.1 | data");
  EXPECT_CONTAINS(dot, "label=\"tanh\"");
  EXPECT_CONTAINS(dot, "loss | data");
  EXPECT_CONTAINS(dot, "grad");
  const RunResult big =
      run_gradplug({"graph", (kConfigs / "digits.yaml").string(), "--out", "d.dot"}, cwd.path());
  expect_user_error(big, "can still be read as a picture; draw a smaller model");
  EXPECT_FALSE(fs::exists(cwd / "d.dot"));
  expect_user_error(
      run_gradplug({"graph", kSeed.string(), "--out", "g.dot", "--sample", "9"}, cwd.path()),
      "--sample 9: the training split has rows 0 to 3");
}

}  // namespace
