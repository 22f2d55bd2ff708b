// PyTorch's names for the initialisations are accepted (kaiming is he, glorot is xavier), train the
// same weights as gradplug's names, and config.yaml writes gradplug's name.
#include <nlohmann/json.hpp>

#include "cli_support.hpp"

namespace gradplug::testing {
namespace {

TEST(InitAliases, PyTorchNamesGiveTheSameRunAsGradplugs) {
  const fs::path iris = kSource / "configs" / "iris.yaml";
  for (const auto& [alias, name] :
       std::vector<std::pair<std::string, std::string>>{{"kaiming", "he"}, {"glorot", "xavier"}}) {
    TempDir cwd;
    for (const auto& [init, out] : {std::pair{alias, "a"}, std::pair{name, "b"}}) {
      const RunResult r = run_gradplug(
          {"train", iris.string(), "--quiet", "--out", out, "--set", "model.init=" + init},
          cwd.path());
      ASSERT_EQ(r.exit_code, 0) << r.describe();
    }
    EXPECT_CONTAINS(read_text(cwd / "a" / "config.yaml"), "init: " + name);
    const auto layers = [&](const char* run) {
      return nlohmann::json::parse(read_text(cwd / run / "model.json")).at("layers").dump();
    };
    EXPECT_EQ(layers("a"), layers("b")) << alias;
  }
}

}  // namespace
}  // namespace gradplug::testing
