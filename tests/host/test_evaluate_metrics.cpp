// evaluate's figures come from one computation: accuracy is the confusion matrix's diagonal over
// its total, and per-class precision, recall and F1 (with their macro averages) are read off the
// same matrix; for regression, RMSE, MAE and R^2, with RMSE^2 the mean squared error.
#include <nlohmann/json.hpp>

#include "cli_support.hpp"

namespace gradplug::testing {
namespace {

using nlohmann::json;

json evaluate(const fs::path& cwd, const std::string& config, const std::string& data) {
  const RunResult train = run_gradplug(
      {"train", (kSource / "configs" / config).string(), "--quiet", "--out", "run"}, cwd);
  EXPECT_EQ(train.exit_code, 0) << train.describe();
  const RunResult r = run_gradplug(
      {"evaluate", "run", (kSource / "configs" / "data" / data).string(), "--json"}, cwd);
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  return json::parse(r.out);
}

TEST(EvaluateMetrics, ClassificationFiguresAllComeFromTheConfusionMatrix) {
  TempDir cwd;
  const json e = evaluate(cwd.path(), "iris.yaml", "iris.csv");
  const auto confusion = e.at("confusion").get<std::vector<std::vector<double>>>();
  ASSERT_EQ(confusion.size(), 3u);
  double total = 0, diagonal = 0, macro_f1 = 0;
  for (std::size_t k = 0; k < 3; ++k) {
    double row = 0, column = 0;
    for (std::size_t j = 0; j < 3; ++j) {
      row += confusion[k][j];
      column += confusion[j][k];
      total += confusion[k][j];
    }
    diagonal += confusion[k][k];
    const json& c = e.at("per_class").at(k);
    const double precision = confusion[k][k] / column, recall = confusion[k][k] / row;
    EXPECT_DOUBLE_EQ(c.at("precision").get<double>(), precision);
    EXPECT_DOUBLE_EQ(c.at("recall").get<double>(), recall);
    EXPECT_DOUBLE_EQ(c.at("f1").get<double>(), 2 * precision * recall / (precision + recall));
    macro_f1 += c.at("f1").get<double>() / 3;
  }
  EXPECT_EQ(total, 150);
  EXPECT_DOUBLE_EQ(e.at("accuracy").get<double>(), diagonal / total);
  EXPECT_NEAR(e.at("macro").at("f1").get<double>(), macro_f1, 1e-15);
}

TEST(EvaluateMetrics, RegressionGivesRmseMaeAndR2) {
  TempDir cwd;
  const json e = evaluate(cwd.path(), "diabetes.yaml", "diabetes.csv");
  const double rmse = e.at("rmse").get<double>();
  EXPECT_NEAR(rmse * rmse, e.at("loss").get<double>(), 1e-9 * e.at("loss").get<double>());
  EXPECT_GT(e.at("mae").get<double>(), 0.0);
  EXPECT_LE(e.at("mae").get<double>(), rmse);  // always, by Jensen's inequality
  // R^2 = 1 - MSE / variance of the target (5929.88 over the 442 rows).
  EXPECT_NEAR(e.at("r2").get<double>(), 1.0 - rmse * rmse / 5929.884896910383, 1e-9);
  EXPECT_FALSE(e.contains("confusion"));
}

}  // namespace
}  // namespace gradplug::testing
