// The plugin scanner and its cache: a library whose load-time code exits, crashes, hangs or prints
// is skipped with that reason and never loaded into this process; names with control characters
// are refused; the verdict is cached per file identity, and only in a cache nobody else can write.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <thread>

#include "gradplug/registry.hpp"
#include "temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using gradplug::Registry;

const fs::path kBroken = GRADPLUG_TEST_BROKEN_DIR;

fs::path broken_file(const std::string& stem) { return kBroken / stem / (stem + ".so"); }

std::string read_text(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

bool is_mapped(const fs::path& file) {
  return read_text("/proc/self/maps").find(fs::canonical(file).string()) != std::string::npos;
}

bool has_control(const std::string& text) {
  for (char c : text)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return true;
  return false;
}

// Sets an environment variable for one scope, restoring the old value after.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    ::setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_)
      ::setenv(name_, old_->c_str(), 1);
    else
      ::unsetenv(name_);
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

using gradplug::testing::TempDir;

// Every test gets a cache of its own, so the verdicts seen are this test's.
class Scan : public ::testing::Test {
 protected:
  TempDir cache_home_;
  ScopedEnv xdg_{"XDG_CACHE_HOME", cache_home_.path().string()};
  fs::path cache_file() const { return cache_home_.path() / "gradplug" / "plugin-scan.tsv"; }

  // The one reason for skipping the one file in the directory of broken plugin `stem`.
  static std::string reason_for(const std::string& stem) {
    Registry registry;
    registry.scan_directory(kBroken / stem);
    EXPECT_TRUE(registry.plugins().empty()) << stem;
    if (registry.skipped().size() != 1) return "(not skipped once)";
    EXPECT_EQ(registry.skipped()[0].file, broken_file(stem));
    return registry.skipped()[0].reason;
  }
};

TEST_F(Scan, APluginThatExitsWhileLoadingIsSkippedAndTheHostLivesOn) {
  const std::string reason = reason_for("exits_on_load");
  EXPECT_NE(reason.find("exited while loading, with exit code 0"), std::string::npos) << reason;
  EXPECT_FALSE(is_mapped(broken_file("exits_on_load")));
}

TEST_F(Scan, APluginThatCrashesWhileLoadingIsSkippedNamingTheSignal) {
  const std::string reason = reason_for("crashes_on_load");
  EXPECT_NE(reason.find("crashed while loading: killed by SIGSEGV"), std::string::npos) << reason;
  EXPECT_FALSE(is_mapped(broken_file("crashes_on_load")));
}

TEST_F(Scan, APluginThatPrintsWhileLoadingIsRefusedQuotingWhatItPrinted) {
  const std::string reason = reason_for("prints_on_load");
  EXPECT_NE(reason.find("wrote to standard output or error while loading"), std::string::npos)
      << reason;
  EXPECT_NE(reason.find("\"row,surprise\\n\""), std::string::npos) << reason;
  EXPECT_NE(reason.find("predict's CSV"), std::string::npos) << reason;
  EXPECT_FALSE(is_mapped(broken_file("prints_on_load")));
}

TEST_F(Scan, APluginThatHangsWhileLoadingIsKilledAfterTheTimeout) {
  const ScopedEnv timeout("GRADPLUG_PLUGIN_SCAN_TIMEOUT", "0.3");
  const std::string reason = reason_for("hangs_on_load");
  EXPECT_NE(reason.find("did not finish loading within 300 ms"), std::string::npos) << reason;
  EXPECT_FALSE(is_mapped(broken_file("hangs_on_load")));
}

TEST_F(Scan, NamesWithControlCharactersAreRefusedAndQuotedEscaped) {
  const std::string name = reason_for("control_name");
  EXPECT_NE(name.find("its name \"evil\\nactivation fake_line \\x1b[31m\" holds control"),
            std::string::npos)
      << name;
  EXPECT_FALSE(has_control(name));
  const std::string param = reason_for("control_param");
  EXPECT_NE(param.find("its parameter name \"scale\\n\\x1b[2J\" holds control"), std::string::npos)
      << param;
  EXPECT_FALSE(has_control(param));
}

TEST_F(Scan, ADescriptionWithControlCharactersLoadsAndEscapes) {
  Registry registry;
  registry.scan_directory(kBroken / "control_description");
  ASSERT_EQ(registry.plugins().size(), 1u);
  const std::string shown = gradplug::escape_control(registry.plugins()[0].descriptor->description);
  EXPECT_FALSE(has_control(shown));
  EXPECT_EQ(shown,
            "Line one\\nactivation forged 1.0.0  /fake.so\\t\\x1b[31mred\\x1b[0m\\x7f (test "
            "plugin).");
}

TEST(EscapeControl, EscapesEveryControlByteAndNothingElse) {
  using gradplug::escape_control;
  EXPECT_EQ(escape_control("plain text, UTF-8: \xc3\xa9"), "plain text, UTF-8: \xc3\xa9");
  EXPECT_EQ(escape_control("a\nb\tc\rd"), "a\\nb\\tc\\rd");
  EXPECT_EQ(escape_control(std::string("\x01\x1b\x1f\x7f", 4)), "\\x01\\x1b\\x1f\\x7f");
  EXPECT_EQ(escape_control(std::string("nul\0byte", 8)), "nul\\x00byte");
}

// ---------------------------------------------------------------------------------------------
// The cache

// Rewrites the cached verdict of every entry to "skipped: FROM-CACHE", so a test can tell a
// verdict that came from the cache from one a fresh scan gave.
void doctor_cache(const fs::path& cache) {
  std::string text = read_text(cache), out;
  std::size_t start = 0;
  for (std::size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
    std::string line = text.substr(start, end - start);
    if (start > 0) {
      std::size_t tab = 0;
      for (int i = 0; i < 5; ++i) tab = line.find('\t', tab) + 1;
      const std::size_t path_end = line.find('\t', tab + 2);
      // A refused verdict (kind -1, no name) with a reason only the cache can give.
      line = line.substr(0, tab) + "0" + line.substr(tab + 1, path_end - tab - 1) +
             "\tFROM-CACHE\t-1\t";
    }
    out += line + "\n";
  }
  std::ofstream(cache, std::ios::binary | std::ios::trunc) << out;
}

// A copy of exits_on_load in a fresh directory (a file the test may change).
struct CopiedPlugin {
  TempDir dir;
  fs::path file = dir.path() / "exits_on_load.so";
  CopiedPlugin() { fs::copy_file(broken_file("exits_on_load"), file); }
};

std::string first_reason(const fs::path& dir) {
  Registry registry;
  registry.scan_directory(dir);
  return registry.skipped().empty() ? "(nothing skipped)" : registry.skipped()[0].reason;
}

TEST_F(Scan, TheVerdictIsCachedAndUsedByTheNextStart) {
  CopiedPlugin plugin;
  EXPECT_NE(first_reason(plugin.dir.path()).find("exited while loading"), std::string::npos);
  ASSERT_TRUE(fs::is_regular_file(cache_file()));
  struct stat st {};
  ASSERT_EQ(::stat(cache_file().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_NE(read_text(cache_file()).find(plugin.file.string()), std::string::npos);
  doctor_cache(cache_file());
  EXPECT_EQ(first_reason(plugin.dir.path()), "FROM-CACHE");  // no fresh scan
}

TEST_F(Scan, AChangedFileIsScannedAgain) {
  CopiedPlugin plugin;
  (void)first_reason(plugin.dir.path());
  doctor_cache(cache_file());
  ASSERT_EQ(first_reason(plugin.dir.path()), "FROM-CACHE");
  // A new modification time.
  fs::last_write_time(plugin.file, fs::last_write_time(plugin.file) + std::chrono::seconds(5));
  EXPECT_NE(first_reason(plugin.dir.path()).find("exited while loading"), std::string::npos);
  // A new size, with the modification time put back.
  doctor_cache(cache_file());
  ASSERT_EQ(first_reason(plugin.dir.path()), "FROM-CACHE");
  const auto mtime = fs::last_write_time(plugin.file);
  std::ofstream(plugin.file, std::ios::binary | std::ios::app) << std::string(16, '\0');
  fs::last_write_time(plugin.file, mtime);
  EXPECT_NE(first_reason(plugin.dir.path()).find("exited while loading"), std::string::npos);
  // Another file at the same path (a new inode).
  doctor_cache(cache_file());
  ASSERT_EQ(first_reason(plugin.dir.path()), "FROM-CACHE");
  fs::remove(plugin.file);
  fs::copy_file(broken_file("crashes_on_load"), plugin.file);
  EXPECT_NE(first_reason(plugin.dir.path()).find("SIGSEGV"), std::string::npos);
}

TEST_F(Scan, ACacheOthersCanWriteToIsIgnored) {
  CopiedPlugin plugin;
  (void)first_reason(plugin.dir.path());
  doctor_cache(cache_file());
  fs::permissions(cache_file(), fs::perms::owner_read | fs::perms::owner_write |
                                    fs::perms::group_write | fs::perms::others_write);
  EXPECT_NE(first_reason(plugin.dir.path()).find("exited while loading"), std::string::npos);
  if (::geteuid() == 0) {  // a cache file of another user
    doctor_cache(cache_file());
    fs::permissions(cache_file(), fs::perms::owner_read | fs::perms::owner_write);
    ASSERT_EQ(::chown(cache_file().c_str(), 65534, 65534), 0);
    EXPECT_NE(first_reason(plugin.dir.path()).find("exited while loading"), std::string::npos);
  }
}

TEST_F(Scan, NoCacheIsWrittenIntoADirectoryOthersCanWriteTo) {
  CopiedPlugin plugin;
  fs::create_directories(cache_file().parent_path());
  fs::permissions(cache_file().parent_path(), fs::perms::all);
  (void)first_reason(plugin.dir.path());
  EXPECT_FALSE(fs::exists(cache_file()));
  fs::permissions(cache_file().parent_path(), fs::perms::owner_all);
  (void)first_reason(plugin.dir.path());
  EXPECT_TRUE(fs::exists(cache_file()));
}

TEST_F(Scan, TheCacheCanBeTurnedOff) {
  const ScopedEnv off("GRADPLUG_PLUGIN_SCAN_CACHE", "0");
  CopiedPlugin plugin;
  EXPECT_NE(first_reason(plugin.dir.path()).find("exited while loading"), std::string::npos);
  EXPECT_FALSE(fs::exists(cache_file()));
}

}  // namespace

// GStreamer's rule: a plugin is loaded into the process only when it is used. Scanning a
// directory maps none of its libraries here; naming one loads that one.
TEST_F(Scan, APluginIsLoadedIntoTheHostOnlyWhenItIsUsed) {
  auto mapped = [](const std::string& stem) {
    return read_text("/proc/self/maps").find("/" + stem + ".so") != std::string::npos;
  };
  Registry registry;
  registry.scan_directory(kBroken / "choice_param");
  registry.scan_directory(kBroken / "slow_activation");
  EXPECT_FALSE(mapped("choice_param"));
  EXPECT_FALSE(mapped("slow_activation"));
  EXPECT_EQ(registry.names(GP_KIND_ACTIVATION).size(), 2u);  // known by name from the scan
  ASSERT_NE(registry.find(GP_KIND_ACTIVATION, "slow_activation"), nullptr);
  EXPECT_TRUE(mapped("slow_activation"));
  EXPECT_FALSE(mapped("choice_param"));
  EXPECT_EQ(registry.plugins().size(), 2u);  // a listing loads them all
  EXPECT_TRUE(mapped("choice_param"));
}

// A scanner is a fork of the host: it must not keep the host's files open. A run directory's
// lock is an flock shared by every copy of its descriptor, so a scanner still alive after its
// host was killed would hold the directory against `--resume` (seen in the kill loop).
TEST_F(Scan, TheScannerHoldsNoneOfTheHostsFiles) {
  TempDir dir;
  const fs::path lock_file = dir.path() / "lock";
  const int held = ::open(lock_file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  ASSERT_GE(held, 0);
  ASSERT_EQ(::flock(held, LOCK_EX | LOCK_NB), 0);
  const ScopedEnv timeout("GRADPLUG_PLUGIN_SCAN_TIMEOUT", "1");
  std::thread scan([] {
    Registry registry;
    registry.scan_directory(kBroken / "hangs_on_load");  // its scanner lives for a second
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ::close(held);  // the host lets go; only a scanner could still hold the lock now
  const int again = ::open(lock_file.c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(again, 0);
  EXPECT_EQ(::flock(again, LOCK_EX | LOCK_NB), 0) << "the scanner child holds the host's lock";
  ::close(again);
  scan.join();
}
