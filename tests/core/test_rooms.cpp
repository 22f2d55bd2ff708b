// The house plan's arrows, checked on the source tree (host -> core -> SDK <- plugins):
//  - plugins (plugins/**) include only SDK headers (core/sdk/include/gradplug/*) and the
//    standard library;
//  - core (core/**) includes no yaml-cpp, Boost.Program_options or nlohmann-json: YAML and the
//    command line live in host/;
//  - the SDK headers include nothing from core/include (they are all a plugin sees).
// A failure names the file, its line and the include.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

const fs::path kSource = GRADPLUG_SOURCE_DIR;
const fs::path kSdk = kSource / "core/sdk/include";

struct Include {
  std::string where;  // file:line
  std::string name;   // what is between the quotes or brackets
  bool angled;
};

// Every #include of the C++ sources and headers under dir.
std::vector<Include> includes_under(const fs::path& dir, std::size_t& files) {
  static const std::regex directive(R"(^\s*#\s*include\s*([<"])([^>"]+)[>"])");
  std::vector<Include> found;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    const std::string ext = entry.path().extension().string();
    if (!entry.is_regular_file() || (ext != ".cpp" && ext != ".hpp" && ext != ".h")) continue;
    ++files;
    std::ifstream in(entry.path());
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
      std::smatch m;
      if (std::regex_search(line, m, directive))
        found.push_back(
            {fs::relative(entry.path(), kSource).string() + ":" + std::to_string(number),
             m[2].str(), m[1].str() == "<"});
    }
  }
  return found;
}

bool is_sdk_header(const std::string& name) {
  return name.rfind("gradplug/", 0) == 0 && fs::is_regular_file(kSdk / name);
}

TEST(Rooms, PluginsIncludeOnlySdkHeadersAndTheStandardLibrary) {
  std::size_t files = 0;
  const auto includes = includes_under(kSource / "plugins", files);
  ASSERT_GT(files, 5u);
  std::size_t sdk = 0;
  for (const Include& inc : includes) {
    if (is_sdk_header(inc.name)) {
      ++sdk;
      continue;
    }
    // A standard header has no directory: <cmath>, <stdint.h>; anything else is a library's.
    const bool standard = inc.angled && inc.name.find('/') == std::string::npos;
    EXPECT_TRUE(standard) << inc.where << ": a plugin includes " << (inc.angled ? "<" : "\"")
                          << inc.name << (inc.angled ? ">" : "\"")
                          << ", which is not an SDK header (core/sdk/include/gradplug/)";
  }
  EXPECT_GT(sdk, 0u) << "no SDK include found in plugins/: the scan is broken";
}

TEST(Rooms, CoreIncludesNoYamlCommandLineOrJsonLibrary) {
  std::size_t files = 0;
  const auto includes = includes_under(kSource / "core", files);
  ASSERT_GT(files, 20u);
  ASSERT_FALSE(includes.empty());
  for (const Include& inc : includes)
    for (const char* banned : {"yaml-cpp/", "yaml.h", "boost/program_options", "nlohmann/"})
      EXPECT_EQ(inc.name.find(banned), std::string::npos)
          << inc.where << ": core includes " << inc.name
          << "; YAML, the command line and JSON belong to host/";
}

TEST(Rooms, SdkHeadersIncludeNothingFromCore) {
  std::size_t files = 0;
  const auto includes = includes_under(kSdk, files);
  ASSERT_GT(files, 3u);
  std::size_t within = 0;
  for (const Include& inc : includes) {
    if (inc.name.rfind("gradplug/", 0) != 0 && inc.angled) continue;  // standard or Boost
    const bool sdk = is_sdk_header(inc.name);
    within += sdk;
    EXPECT_TRUE(sdk) << inc.where << ": the SDK includes " << inc.name
                     << (fs::exists(kSource / "core/include" / inc.name) ? " from core/include"
                                                                         : "")
                     << "; SDK headers may include only each other";
  }
  EXPECT_GT(within, 0u) << "no SDK-internal include found: the scan is broken";
}

}  // namespace
