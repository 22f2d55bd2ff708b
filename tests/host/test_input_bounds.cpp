// Inputs with no bound used to grow memory until the process was killed (`predict RUN /dev/zero`,
// a config or model path of /dev/zero). Every reader now stops at its limit (docs/limits.md): a
// regular file over it is refused at once, from its size, and an endless stream (a FIFO fed
// here, never the machine's own /dev/zero) once it passes the limit. The class: config, model and
// data file, each both ways.
#include <sys/stat.h>
#include <unistd.h>

#include "cli_support.hpp"

using namespace gradplug::testing;

namespace {

// A sparse file of `bytes`: no disk blocks, but its size says what it is.
void make_sparse(const fs::path& file, std::uintmax_t bytes) {
  write_text(file, "");
  fs::resize_file(file, bytes);
}

// Feeds `fifo` with `chunk` until the reader goes away (or 80 MiB), in a thread.
std::thread feed(const fs::path& fifo, std::string chunk) {
  return std::thread([fifo, chunk] {
    std::ofstream out(fifo, std::ios::binary);
    for (std::size_t sent = 0; out && sent < (std::size_t{80} << 20); sent += chunk.size())
      out << chunk << std::flush;
  });
}

}  // namespace

TEST(InputBounds, AFileOverItsLimitIsRefusedFromItsSize) {
  TempDir cwd;
  train_small_iris(cwd.path());
  make_sparse(cwd / "huge.yaml", (std::uintmax_t{16} << 20) + 1);
  make_sparse(cwd / "huge.json", (std::uintmax_t{2} << 30) + 1);
  make_sparse(cwd / "huge.csv", (std::uintmax_t{4} << 30) + 1);
  expect_user_error(run_gradplug({"train", "huge.yaml"}, cwd.path()),
                    "huge.yaml: larger than 16 MiB, the limit for a config file");
  expect_user_error(run_gradplug({"predict", "huge.json", kIrisData.string()}, cwd.path()),
                    "huge.json: larger than 2 GiB, the limit for a model file");
  expect_user_error(run_gradplug({"evaluate", "run", "huge.csv"}, cwd.path()),
                    "huge.csv: larger than 4 GiB, the limit for a data file");
  expect_user_error(run_gradplug({"train", "run"}, cwd.path()),
                    "run: is a directory; give the path of a config file");
}

TEST(InputBounds, AnEndlessStreamIsCutOffAtTheLimit) {
  TempDir cwd;
  ::signal(SIGPIPE, SIG_IGN);  // the feeder writes on after gradplug has stopped reading
  const fs::path fifo = cwd / "endless";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0644), 0);
  // Zeros, as /dev/zero gives: the config reader stops at 16 MiB instead of reading on.
  std::thread zeros = feed(fifo, std::string(1 << 16, '\0'));
  RunOptions options;
  options.timeout_seconds = 60;
  expect_user_error(run_gradplug({"train", fifo.string()}, cwd.path(), options),
                    "endless: larger than 16 MiB, the limit for a config file");
  zeros.join();
  // A CSV line that never ends: predict (which streams, with no size limit) stops at 64 MiB.
  train_small_iris(cwd.path());
  std::thread line = feed(fifo, "sepal_length" + std::string((1 << 16) - 12, 'x'));
  expect_user_error(run_gradplug({"predict", "run", fifo.string()}, cwd.path(), options),
                    "a line longer than 64 MiB");
  line.join();
}

// The header check is linear: the most columns accepted are read within the run's timeout (a
// quadratic check took over a minute for 10^6), and one more is refused by the limit.
TEST(InputBounds, AWideHeaderIsCheckedInLinearTime) {
  TempDir cwd;
  std::string header, row;
  for (int k = 0; k < 99'999; ++k) {
    header += "c" + std::to_string(k) + ",";
    row += "1,";
  }
  write_text(cwd / "wide.csv", header + "y\n" + row + "0\n" + row + "1\n");
  write_text(cwd / "wide.yaml",
             "name: wide\ndata: {source: csv, path: wide.csv}\nmodel: {layers: [1]}\n"
             "loss: mse\ntraining: {steps: 1}\noptimizer: {name: sgd}\n");
  const RunResult ok = run_gradplug({"train", "wide.yaml", "--quiet"}, cwd.path());
  EXPECT_EQ(ok.exit_code, 0) << ok.describe();
  write_text(cwd / "wide.csv", header + "c99999,y\n" + row + "1,0\n");
  expect_user_error(run_gradplug({"train", "wide.yaml", "--quiet"}, cwd.path()),
                    "wide.csv:1:1: the header has more than 100000 columns");
}
