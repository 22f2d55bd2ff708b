// Where plugins may come from, checked as ssh's StrictModes: the plugin file after resolving
// links and every directory from it up to the root, each owned by root or the caller and
// writable by neither group nor others (a sticky ancestor such as /tmp is fine; the plugin's own
// directory never is). allow_insecure overrides every rule.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "gradplug/error.hpp"
#include "gradplug/registry.hpp"
#include "temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using gradplug::Error;
using gradplug::Registry;

const fs::path kBroken = GRADPLUG_TEST_BROKEN_DIR;
const fs::path kGood = kBroken / "always_nan" / "always_nan.so";  // a plugin that loads
constexpr uid_t kNobody = 65534;

using gradplug::testing::TempDir;

void set_mode(const fs::path& path, unsigned mode) {
  ASSERT_EQ(::chmod(path.c_str(), mode), 0) << path;
}

// The message of the Error scan_directory throws, or "" when it throws none.
std::string scan_error(const fs::path& dir, bool allow_insecure = false) {
  Registry registry;
  registry.allow_insecure(allow_insecure);
  try {
    registry.scan_directory(dir);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// How many plugins load from dir (expects no Error).
std::size_t loaded(const fs::path& dir, bool allow_insecure = false) {
  Registry registry;
  registry.allow_insecure(allow_insecure);
  registry.scan_directory(dir);
  return registry.plugins().size();
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(PluginSecurity, ASymlinkToALibraryInAWorldWritableDirectoryIsSkipped) {
  TempDir temp;
  const fs::path plugins = temp / "plugins", open = temp / "open";
  fs::create_directory(plugins);
  fs::create_directory(open);
  set_mode(plugins, 0755);
  set_mode(open, 0777);
  fs::copy_file(kGood, open / "always_nan.so");
  fs::create_symlink(open / "always_nan.so", plugins / "always_nan.so");
  Registry registry;
  registry.scan_directory(plugins);
  EXPECT_TRUE(registry.plugins().empty());
  ASSERT_EQ(registry.skipped().size(), 1u);
  const std::string& reason = registry.skipped()[0].reason;
  EXPECT_TRUE(contains(reason, "it resolves to " + (open / "always_nan.so").string())) << reason;
  EXPECT_TRUE(
      contains(reason, "users other than its owner can write to " + open.string() + " (mode 0777)"))
      << reason;
  EXPECT_TRUE(contains(reason, "chmod go-w " + open.string())) << reason;
  EXPECT_EQ(loaded(plugins, true), 1u);
  // Sticky is no excuse for the directory that holds the library.
  set_mode(open, 01777);
  EXPECT_EQ(loaded(plugins), 0u);
  set_mode(open, 0755);
  EXPECT_EQ(loaded(plugins), 1u);
}

TEST(PluginSecurity, ADirectoryInsideAWorldWritableParentIsRefused) {
  TempDir temp;
  const fs::path parent = temp / "shared", plugins = temp / "shared" / "plugins";
  fs::create_directories(plugins);
  set_mode(parent, 0777);
  set_mode(plugins, 0755);
  fs::copy_file(kGood, plugins / "always_nan.so");
  const std::string message = scan_error(plugins);
  EXPECT_TRUE(contains(message, "refusing to load plugins from " + plugins.string() +
                                    ": users other than its owner can write to " + parent.string() +
                                    " (mode 0777)"))
      << message;
  EXPECT_TRUE(contains(message, "chmod go-w " + parent.string() + ", or chmod +t")) << message;
  EXPECT_TRUE(contains(message, "--allow-insecure-plugins")) << message;
  EXPECT_EQ(scan_error(plugins, true), "");
  // Group-writable counts as well.
  set_mode(parent, 0775);
  EXPECT_NE(scan_error(plugins), "");
  // A sticky world-writable ancestor (as /tmp) is fine...
  set_mode(parent, 01777);
  EXPECT_EQ(scan_error(plugins), "");
  EXPECT_EQ(loaded(plugins), 1u);
  // ...but never for the plugin directory itself.
  set_mode(plugins, 01777);
  EXPECT_TRUE(contains(scan_error(plugins), "can write to it (mode 1777, sticky, but it holds"));
}

TEST(PluginSecurity, ALinkOnTheWayThroughAWorldWritableDirectoryIsRefused) {
  TempDir temp;
  const fs::path open = temp / "open", real = temp / "real";
  fs::create_directory(open);
  fs::create_directory(real);
  set_mode(open, 0777);
  fs::copy_file(kGood, real / "always_nan.so");
  fs::create_directory_symlink(real, open / "link");  // anyone could swap this link
  const std::string message = scan_error(open / "link");
  EXPECT_TRUE(contains(message, "can write to " + open.string())) << message;
  Registry registry;
  EXPECT_FALSE(registry.load_file(open / "link" / "always_nan.so"));
  ASSERT_EQ(registry.skipped().size(), 1u);
  EXPECT_TRUE(contains(registry.skipped()[0].reason, "can write to " + open.string()));
}

TEST(PluginSecurity, TheStickyTmpAboveTheTestDirectoriesIsAccepted) {
  struct stat st {};
  ASSERT_EQ(::stat(fs::temp_directory_path().c_str(), &st), 0);
  if ((st.st_mode & 01002) != 01002) GTEST_SKIP() << "the temporary directory is not like /tmp";
  TempDir temp;
  fs::create_directory(temp / "plugins");
  fs::copy_file(kGood, temp / "plugins" / "always_nan.so");
  EXPECT_EQ(scan_error(temp / "plugins"), "");
  EXPECT_EQ(loaded(temp / "plugins"), 1u);
}

TEST(PluginSecurity, ADirectoryOrLibraryOfAnotherUserIsRefused) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to give files to nobody";
  TempDir temp;
  const fs::path plugins = temp / "plugins";
  fs::create_directory(plugins);
  set_mode(plugins, 0755);
  fs::copy_file(kGood, plugins / "always_nan.so");
  // The library.
  ASSERT_EQ(::chown((plugins / "always_nan.so").c_str(), kNobody, kNobody), 0);
  Registry registry;
  registry.scan_directory(plugins);
  EXPECT_TRUE(registry.plugins().empty());
  ASSERT_EQ(registry.skipped().size(), 1u);
  EXPECT_TRUE(contains(registry.skipped()[0].reason,
                       "it is owned by another user (uid 65534), who could replace the code"))
      << registry.skipped()[0].reason;
  EXPECT_EQ(loaded(plugins, true), 1u);
  ASSERT_EQ(::chown((plugins / "always_nan.so").c_str(), 0, 0), 0);
  // The directory.
  ASSERT_EQ(::chown(plugins.c_str(), kNobody, kNobody), 0);
  const std::string message = scan_error(plugins);
  EXPECT_TRUE(contains(message, "refusing to load plugins from " + plugins.string() +
                                    ": it is owned by another user (uid 65534)"))
      << message;
  EXPECT_TRUE(contains(message, "chown " + plugins.string())) << message;
  // A directory above it.
  ASSERT_EQ(::chown(plugins.c_str(), 0, 0), 0);
  ASSERT_EQ(::chown(temp.path().c_str(), kNobody, kNobody), 0);
  EXPECT_TRUE(contains(scan_error(plugins), temp.path().string() + " is owned by another user"));
  EXPECT_EQ(scan_error(plugins, true), "");
}

}  // namespace
