// The conformance kit (gradplug/conformance.hpp), called directly: every built-in plugin passes
// every check of its kind, and each deliberately broken plugin in tests/broken_plugins/ fails
// exactly the check that names its defect (and no other). The crashing plugin is only run through
// the gradplug binary (tests/host/test_plugin_commands.cpp), never in this process.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "gradplug/conformance.hpp"

namespace {

namespace fs = std::filesystem;
using gradplug::CheckResult;
namespace check = gradplug::check;

const fs::path kBuiltin = GRADPLUG_TEST_PLUGIN_DIR;
const fs::path kBroken = GRADPLUG_TEST_BROKEN_DIR;

fs::path broken_file(const std::string& stem) { return kBroken / stem / (stem + ".so"); }

std::string describe(const std::vector<CheckResult>& results) {
  std::string text;
  for (const auto& r : results)
    text += std::string(r.passed ? "  PASS  " : "  FAIL  ") + r.name + ": " + r.detail + "\n";
  return text;
}

std::set<std::string> failed(const std::vector<CheckResult>& results) {
  std::set<std::string> names;
  for (const auto& r : results)
    if (!r.passed) names.insert(r.name);
  return names;
}

std::vector<std::string> names(const std::vector<CheckResult>& results) {
  std::vector<std::string> out;
  for (const auto& r : results) out.push_back(r.name);
  return out;
}

const std::vector<std::string> kCommon = {
    check::kLoad,  check::kDescriptor,     check::kAbiVersion, check::kSchemaDefaults,
    check::kNames, check::kCreateDefaults, check::kCreateEdges};

std::vector<std::string> expected_checks(const std::string& kind) {
  std::vector<std::string> all = kCommon;
  if (kind == "activation")
    all.insert(all.end(), {check::kDerivative, check::kFiniteOutputs, check::kArrayForms});
  else if (kind == "optimizer")
    all.insert(all.end(),
               {check::kZeroGradient, check::kQuadratic, check::kSaveRestore, check::kDeterminism});
  else
    all.insert(all.end(), {check::kPenaltyGradient, check::kEvaluationIdentity});
  return all;
}

// ---------------------------------------------------------------------------------------------
// The built-in plugins.

class BuiltinPlugin : public ::testing::TestWithParam<std::string> {};

TEST_P(BuiltinPlugin, PassesEveryCheckOfItsKind) {
  const std::string stem = GetParam();
  const fs::path file = kBuiltin / (stem + ".so");
  ASSERT_TRUE(fs::exists(file)) << file;
  const auto results = gradplug::check_plugin_file(file);
  EXPECT_TRUE(gradplug::all_passed(results)) << describe(results);
  const std::string kind = stem.substr(0, stem.find('_'));
  EXPECT_EQ(names(results), expected_checks(kind)) << describe(results);
  for (const auto& r : results) EXPECT_FALSE(r.detail.empty()) << r.name;
}

INSTANTIATE_TEST_SUITE_P(Conformance, BuiltinPlugin,
                         ::testing::Values("activation_tanh", "activation_relu",
                                           "activation_leaky_relu", "activation_swish",
                                           "optimizer_sgd", "optimizer_rmsprop", "optimizer_adam",
                                           "regularizer_l1", "regularizer_l2",
                                           "regularizer_dropout"),
                         [](const auto& info) { return info.param; });

// Whatever else lands in the plugin directory passes too.
TEST(Conformance, EveryFileInThePluginDirectoryPasses) {
  std::size_t count = 0;
  for (const auto& entry : fs::directory_iterator(kBuiltin)) {
    if (entry.path().extension() != ".so") continue;
    ++count;
    const auto results = gradplug::check_plugin_file(entry.path());
    EXPECT_TRUE(gradplug::all_passed(results)) << entry.path() << "\n" << describe(results);
  }
  EXPECT_GE(count, 10u);
}

// ---------------------------------------------------------------------------------------------
// Broken plugins fail the right check.

struct BrokenCase {
  std::string stem;
  std::set<std::string> must_fail;  // exactly these checks fail
  std::string detail;               // part of the first failure's detail
};

class BrokenPlugin : public ::testing::TestWithParam<BrokenCase> {};

TEST_P(BrokenPlugin, FailsExactlyTheRightCheck) {
  const BrokenCase& c = GetParam();
  const auto results = gradplug::check_plugin_file(broken_file(c.stem));
  EXPECT_FALSE(gradplug::all_passed(results));
  EXPECT_EQ(failed(results), c.must_fail) << describe(results);
  const auto first =
      std::find_if(results.begin(), results.end(), [](const CheckResult& r) { return !r.passed; });
  ASSERT_NE(first, results.end());
  EXPECT_NE(first->detail.find(c.detail), std::string::npos)
      << "expected '" << c.detail << "' in: " << first->detail;
}

INSTANTIATE_TEST_SUITE_P(
    Conformance, BrokenPlugin,
    ::testing::Values(
        BrokenCase{"wrong_derivative", {check::kDerivative}, "finite differences give"},
        BrokenCase{"nan_output", {check::kFiniteOutputs}, "nan"},
        BrokenCase{"forgetful_load", {check::kSaveRestore}, "load(save())"},
        BrokenCase{"moves_at_zero", {check::kZeroGradient}, "with a zero gradient moved"},
        BrokenCase{"wrong_penalty_gradient", {check::kPenaltyGradient}, "finite differences"},
        // The kind's checks need an instance from the defaults, so creating it fails as well.
        BrokenCase{"bad_default",
                   {check::kSchemaDefaults, check::kCreateDefaults},
                   "lr: default -1 is outside its own range"},
        BrokenCase{"throws_on_create", {check::kCreateDefaults}, "deliberate failure in create"},
        BrokenCase{"wrong_abi", {check::kAbiVersion}, "ABI version 3"},
        BrokenCase{"old_abi",
                   {check::kAbiVersion},
                   "built for plugin ABI version 1, this gradplug needs version 2"},
        BrokenCase{"no_descriptor", {check::kLoad}, "not a gradplug plugin"},
        BrokenCase{"missing_symbol", {check::kLoad}, "gradplug_test_symbol_defined_nowhere"}),
    [](const auto& info) { return info.param.stem; });

// A correct tanh under a duplicate name is a problem for a registry, not for the plugin itself.
TEST(Conformance, ACorrectPluginWithADuplicateNamePasses) {
  const auto results = gradplug::check_plugin_file(broken_file("duplicate_tanh"));
  EXPECT_TRUE(gradplug::all_passed(results)) << describe(results);
}

// A choice parameter's every word is an edge value the kit tries.
TEST(Conformance, APluginWithAChoiceParameterPassesTryingEveryWordAtTheEnds) {
  const auto results = gradplug::check_plugin_file(broken_file("choice_param"));
  EXPECT_TRUE(gradplug::all_passed(results)) << describe(results);
  const auto edges = std::find_if(results.begin(), results.end(), [](const CheckResult& r) {
    return r.name == check::kCreateEdges;
  });
  ASSERT_NE(edges, results.end());
  EXPECT_NE(edges->detail.find("2 edge value(s) tried, 2 created"), std::string::npos)
      << edges->detail;
}

// ---------------------------------------------------------------------------------------------
// The kit's own behaviour.

TEST(Conformance, ReportsEachCheckAsItStartsAndEnds) {
  std::vector<std::string> events;
  gradplug::ConformanceOptions options;
  options.on_start = [&](const std::string& name) { events.push_back("start " + name); };
  options.on_result = [&](const CheckResult& r) { events.push_back("end " + r.name); };
  const auto results = gradplug::check_plugin_file(kBuiltin / "optimizer_adam.so", options);
  ASSERT_EQ(events.size(), 2 * results.size());
  for (std::size_t i = 0; i < results.size(); ++i) {
    EXPECT_EQ(events[2 * i], "start " + results[i].name);
    EXPECT_EQ(events[2 * i + 1], "end " + results[i].name);
  }
}

TEST(Conformance, ARefusedEdgeValuePassesWithANote) {
  // sgd refuses nesterov=true with momentum 0: a constructor may refuse, by throwing.
  const auto results = gradplug::check_plugin_file(kBuiltin / "optimizer_sgd.so");
  const auto edges = std::find_if(results.begin(), results.end(), [](const CheckResult& r) {
    return r.name == check::kCreateEdges;
  });
  ASSERT_NE(edges, results.end());
  EXPECT_TRUE(edges->passed) << edges->detail;
  EXPECT_NE(edges->detail.find("nesterov=true"), std::string::npos) << edges->detail;
  EXPECT_NE(edges->detail.find("refused"), std::string::npos) << edges->detail;
}

TEST(Conformance, AFileThatIsNotALibraryFailsToLoad) {
  const auto results = gradplug::check_plugin_file(fs::path(GRADPLUG_SOURCE_DIR) / "README.md");
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].name, check::kLoad);
  EXPECT_FALSE(results[0].passed);
  EXPECT_FALSE(gradplug::all_passed(results));
  EXPECT_FALSE(gradplug::all_passed({}));
}

}  // namespace
