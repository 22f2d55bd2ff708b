// Behaviour unchanged, bit for bit: a run of every shipped config and one comparison must end with
// exactly the weights recorded in tests/golden/weights.json (written by make_golden.py beside it
// before the architecture was reorganised). Any change to a single weight fails here.
#include <nlohmann/json.hpp>

#include "cli_support.hpp"

namespace gradplug::testing {
namespace {

const nlohmann::json& golden() {
  static const nlohmann::json g =
      nlohmann::json::parse(read_text(kSource / "tests" / "golden" / "weights.json"));
  return g;
}

nlohmann::json weights_of(const fs::path& model) {
  return nlohmann::json::parse(read_text(model)).at("layers");
}

TEST(Golden, EveryShippedConfigEndsWithTheRecordedWeights) {
  ASSERT_FALSE(golden().at("configs").empty());
  for (const auto& [name, expected] : golden().at("configs").items()) {
    TempDir tmp;
    const auto config = kSource / "configs" / (name + ".yaml");
    const RunResult r = run_gradplug({"train", config.string(), "--out", "run", "--quiet"},
                                     tmp.path());
    ASSERT_EQ(r.exit_code, 0) << name << "\n" << r.describe();
    // dump() prints each double in its shortest exact form, so equal text means equal bits.
    EXPECT_EQ(weights_of(tmp / "run/model.json").dump(), expected.dump())
        << name << ": the final weights differ from tests/golden/weights.json";
  }
}

TEST(Golden, AComparisonEndsWithTheRecordedWeightsInEveryRun) {
  TempDir tmp;
  const RunResult r =
      run_gradplug({"compare", kMoons.string(), "--optimizers", "sgd,rmsprop,adam:lr=0.01",
                    "--seeds", "2", "--out", "cmp", "--jobs", "2"},
                   tmp.path());
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  ASSERT_FALSE(golden().at("compare").empty());
  for (const auto& [run, expected] : golden().at("compare").items())
    EXPECT_EQ(weights_of(tmp / "cmp" / "runs" / run / "model.json").dump(), expected.dump())
        << run << ": the final weights differ from tests/golden/weights.json";
}

}  // namespace
}  // namespace gradplug::testing
