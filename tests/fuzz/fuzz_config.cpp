// libFuzzer target: the experiment config loader, as `gradplug train CONFIG` runs it. YAML text ->
// parse_config -> read_experiment (against the built-in plugins) -> the message the user would see
// (with_location). A config that is accepted must also survive what a run directory does with it:
// its resolved form (config.yaml, every default filled in) is read back and must resolve to the
// same text again.
#include <cstddef>
#include <cstdint>
#include <string>

#include "config/config_node.hpp"
#include "config/experiment_config.hpp"
#include "fuzz_support.hpp"

using namespace gradplug;
using namespace gradplug::host;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const std::string origin = "fuzz.yaml";
  // A directory that does not exist: relative data paths resolve against it, nothing is read.
  const std::string config_dir = "/nonexistent/gradplug-fuzz";
  ConfigNode root;
  if (!fuzz::expect_only_errors("parse_config", origin, [&] { root = parse_config(text, origin); })) return 0;

  ExperimentSpec spec;
  std::string error;
  const bool accepted = fuzz::expect_only_errors("read_experiment", origin, [&] {
    try {
      spec = read_experiment(root, fuzz::registry(), "fuzz", config_dir);
    } catch (const Error& e) {
      error = with_location(root, e.what());  // the line `gradplug train` prints
      throw Error(error);
    }
  });
  if (!accepted) return 0;

  std::string resolved;
  fuzz::expect_only_errors("resolved_config", origin,
                           [&] { resolved = to_yaml(resolved_config(spec, fuzz::registry())); });
  ConfigNode again;
  std::string resolved_again;
  const bool reread = fuzz::expect_only_errors("read back the resolved config", "resolved.yaml", [&] {
    again = parse_config(resolved, "resolved.yaml");
    const ExperimentSpec spec_again = read_experiment(again, fuzz::registry(), "fuzz", config_dir);
    resolved_again = to_yaml(resolved_config(spec_again, fuzz::registry()));
  });
  if (!reread) fuzz::fail("the resolved config of an accepted config is rejected:\n" + resolved);
  fuzz::check(resolved == resolved_again,
              "resolving the resolved config changes it:\n--- first\n" + resolved + "--- second\n" + resolved_again);
  return 0;
}
