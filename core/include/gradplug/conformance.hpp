// The conformance kit: the checks a plugin must pass before anyone trains with it, for
// `gradplug check-plugin FILE.so` and for tests that call it directly.
//
// Every plugin: the library loads (Registry::load_file), its descriptor is complete, its ABI
// version is this gradplug's, its schema's defaults lie inside their own ranges, its names are
// unique identifiers, and it can be created and destroyed with the defaults and with the edge
// values of each parameter (a constructor may refuse an edge value by throwing: that passes, with
// a note). Then, by kind, on the instance made from the defaults:
//  - activation: f' against central finite differences at thousands of points from 0 to +-1e300
//    (points next to a kink are skipped), finite outputs for finite inputs, and the array forms
//    equal to the scalar forms;
//  - optimizer: zero gradients leave the parameters still (unless weight_decay > 0), 200 steps at
//    the default learning rate lower a convex quadratic, save() and load() resume the identical
//    next steps bit for bit, and two instances given the same inputs produce the same outputs;
//  - regularizer: the penalty's gradient against finite differences (with and without biases),
//    and a training-only transform that is the identity on average (so evaluation, which skips it,
//    sees the same scale): mean scale about 1, every entry finite and >= 0.
// The optimizer and regularizer checks also run on every edge-value instance that was created.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "gradplug/registry.hpp"

namespace gradplug {

// The outcome of one check: its name (stable, e.g. "schema defaults"), whether it passed, and
// why, in one line (what was tried, and the first thing that went wrong).
struct CheckResult {
  std::string name;
  bool passed = false;
  std::string detail;
};

// Names of the checks, as they appear in CheckResult::name.
namespace check {
inline constexpr const char* kLoad = "load";
inline constexpr const char* kDescriptor = "descriptor";
inline constexpr const char* kAbiVersion = "abi version";
inline constexpr const char* kSchemaDefaults = "schema defaults";
inline constexpr const char* kNames = "names";
inline constexpr const char* kCreateDefaults = "create with defaults";
inline constexpr const char* kCreateEdges = "create with edge values";
inline constexpr const char* kDerivative = "derivative vs finite differences";
inline constexpr const char* kFiniteOutputs = "finite outputs";
inline constexpr const char* kArrayForms = "array forms";
inline constexpr const char* kZeroGradient = "zero gradient";
inline constexpr const char* kQuadratic = "convex quadratic";
inline constexpr const char* kSaveRestore = "save and restore";
inline constexpr const char* kDeterminism = "determinism";
inline constexpr const char* kPenaltyGradient = "penalty gradient";
inline constexpr const char* kEvaluationIdentity = "evaluation identity";
}  // namespace check

// Progress hooks, e.g. to print each result as soon as it is known.
struct ConformanceOptions {
  std::function<void(const std::string& name)> on_start;  // before a check runs
  std::function<void(const CheckResult&)> on_result;      // after it
};

// Loads `file` on its own and runs every check its kind calls for. A file that does not load gives
// one failed "load" (or "abi version") check carrying the registry's reason.
std::vector<CheckResult> check_plugin_file(const std::filesystem::path& file,
                                           const ConformanceOptions& options = {});

// Runs the checks on a plugin that is already loaded (the "load" check is not repeated).
std::vector<CheckResult> check_plugin(const LoadedPlugin& plugin,
                                      const ConformanceOptions& options = {});

// True when every result passed (and there is at least one).
bool all_passed(const std::vector<CheckResult>& results);

}  // namespace gradplug
