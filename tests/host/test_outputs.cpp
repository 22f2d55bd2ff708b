// Outputs that never destroy: a file the user names is replaced atomically only when it is a
// regular file; a device, FIFO or socket is written in place and stays what it was; a link is
// followed, and said so; a directory is refused. Every command checks its writes to stdout to
// the last flush. Devices are nodes made with mknod in a temporary directory (skipped where that
// is not allowed), never the machine's own /dev/null or /dev/full.
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <atomic>

#include "cli_support.hpp"

using namespace gradplug::testing;

namespace {

class Outputs : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    train_small_iris(dir_->path());
    predictions_ =
        new std::string(run_gradplug({"predict", "run", kIrisData.string()}, dir_->path()).out);
  }
  static void TearDownTestSuite() {
    delete predictions_;
    delete dir_;
  }
  static fs::path run() { return dir_->path() / "run"; }
  static const std::string& predictions() { return *predictions_; }
  static RunResult predict_to_from(const fs::path& input, const fs::path& output) {
    return run_gradplug({"predict", run().string(), input.string(), "--output", output.string()},
                        dir_->path());
  }
  static RunResult predict_to(const fs::path& output) {
    return run_gradplug(
        {"predict", run().string(), kIrisData.string(), "--output", output.string()}, dir_->path());
  }

 private:
  static inline TempDir* dir_ = nullptr;
  static inline std::string* predictions_ = nullptr;
};

// A character device made here: major 1 is the kernel's memory devices (3 null, 7 full).
bool make_device(const fs::path& node, unsigned minor) {
  return ::mknod(node.c_str(), S_IFCHR | 0666, makedev(1, minor)) == 0;
}

}  // namespace

TEST_F(Outputs, AFifoIsWrittenInPlaceAndStaysAFifo) {
  TempDir cwd;
  const fs::path fifo = cwd / "pipe";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0644), 0);
  std::string received;
  std::thread reader([&] { received = read_text(fifo); });
  const RunResult r = predict_to(fifo);
  reader.join();
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(received, predictions());
  EXPECT_TRUE(fs::is_fifo(fifo));
}

TEST_F(Outputs, ADeviceIsWrittenInPlaceAndStaysADevice) {
  TempDir cwd;
  const fs::path null_device = cwd / "null", full_device = cwd / "full";
  if (!make_device(null_device, 3) || !make_device(full_device, 7))
    GTEST_SKIP() << "mknod is not allowed here";
  const RunResult r = predict_to(null_device);
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_TRUE(fs::is_character_file(null_device));
  // A device that refuses the bytes: an error, and the node is still the node.
  const RunResult full = predict_to(full_device);
  expect_user_error(full, "--output " + full_device.string() + ": cannot write: No space left");
  EXPECT_TRUE(fs::is_character_file(full_device));
}

TEST_F(Outputs, ALinkIsFollowedAndSaidSoADirectoryIsRefused) {
  TempDir cwd;
  fs::create_symlink("target.csv", cwd / "link.csv");  // dangling: the target is made
  const RunResult r = predict_to(cwd / "link.csv");
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_TRUE(fs::is_symlink(cwd / "link.csv"));
  EXPECT_EQ(read_text(cwd / "target.csv"), predictions());
  EXPECT_CONTAINS(r.err, "is a symbolic link; writing the file it points to");
  EXPECT_CONTAINS(r.err, (cwd / "target.csv").string());

  write_text(cwd / "old.csv", "earlier results\n");
  EXPECT_EQ(predict_to(cwd / "old.csv").exit_code, 0);
  EXPECT_EQ(read_text(cwd / "old.csv"), predictions());  // a regular file is replaced whole

  expect_user_error(predict_to(cwd.path()), "is a directory; give a file name");
}

// The class: every command that prints results exits non-zero, saying so, when its standard
// output cannot take them (a full disk), instead of exiting 0 with the results lost.
TEST_F(Outputs, EveryCommandChecksItsStandardOutput) {
  TempDir cwd;
  const fs::path full_device = cwd / "full";
  if (!make_device(full_device, 7)) GTEST_SKIP() << "mknod is not allowed here";
  ASSERT_EQ(run_gradplug({"compare", kMoons.string(), "--optimizers", "sgd", "--seeds", "1",
                          "--set", "training.steps=5", "--out", "cmp"},
                         cwd.path())
                .exit_code,
            0);
  RunOptions options;
  options.stdout_path = full_device.string();
  const std::string iris = kIrisData.string();
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"predict", run().string(), iris},
           {"evaluate", run().string(), iris},
           {"evaluate", run().string(), iris, "--json"},
           {"plugins"},
           {"report", "cmp"},
           {"compare", kMoons.string(), "--optimizers", "sgd,adam", "--dry-run"},
           {"--help"},
           {"--version"},
           {"train", "--help"}}) {
    SCOPED_TRACE(args[0] + (args.size() > 1 ? " " + args[1] : ""));
    const RunResult r = run_gradplug(args, cwd.path(), options);
    EXPECT_NE(r.exit_code, 0) << r.describe();
    EXPECT_CONTAINS(r.err, "cannot write to standard output: No space left on device");
  }
}

// predict streams: its first predictions come out while its input is still being written (a
// FIFO fed here until output appears), so an input of any length runs in bounded memory.
TEST_F(Outputs, PredictStreamsItsInputToItsOutput) {
  TempDir cwd;
  ::signal(SIGPIPE, SIG_IGN);  // a predict that failed early must fail this test, not end it
  const fs::path in = cwd / "in.csv", out = cwd / "out.csv";
  ASSERT_EQ(::mkfifo(in.c_str(), 0644), 0);
  ASSERT_EQ(::mkfifo(out.c_str(), 0644), 0);
  std::atomic<std::size_t> received{0};
  std::thread reader([&] {
    std::ifstream o(out, std::ios::binary);
    char buffer[1 << 16];
    while (o.read(buffer, sizeof buffer) || o.gcount() > 0) received += o.gcount();
  });
  RunResult r;
  std::thread predict([&] { r = predict_to_from(in, out); });
  std::size_t rows = 0;
  {
    std::ofstream i(in, std::ios::binary);
    i << "sepal_length,sepal_width,petal_length,petal_width,species\n";
    std::string block;
    for (int k = 0; k < 1000; ++k) block += "5.1,3.5,1.4,0.2,setosa\n";
    // Stops as soon as output arrives; a predict that read everything first would never give
    // any, and the writer gives up after 5 million rows.
    while (received == 0 && rows < 5'000'000 && i) {
      i << block << std::flush;
      rows += 1000;
    }
  }
  predict.join();
  reader.join();
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_LT(rows, 5'000'000u) << "no output before the input ended";
  EXPECT_GT(received.load(), 16u << 20);
}

// predict uses no target: a label in the target column that training never saw is not an error.
TEST_F(Outputs, PredictIgnoresTheTargetColumnItDoesNotUse) {
  TempDir cwd;
  std::string data = read_text(kIrisData);
  data.replace(data.find("setosa"), 6, "martian");
  write_text(cwd / "with_martian.csv", data);
  const RunResult r = run_gradplug({"predict", run().string(), "with_martian.csv"}, cwd.path());
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(r.out, predictions());
}
