#include "cli/progress.hpp"

#include <unistd.h>

#include <algorithm>

namespace gradplug::host {

Progress::Progress(std::FILE* out, std::size_t total, bool quiet, std::size_t already_done)
    : out_(out),
      total_(std::max<std::size_t>(total, 1)),
      quiet_(quiet),
      terminal_(::isatty(::fileno(out)) != 0),
      already_done_(already_done),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

bool Progress::due(std::size_t done) const {
  if (quiet_) return false;
  if (done >= total_) return true;
  // A terminal is redrawn at most 20 times a second; a pipe gets ten plain lines over the run.
  if (terminal_)
    return std::chrono::steady_clock::now() - last_draw_ >= std::chrono::milliseconds(50);
  return done >= next_line_;
}

void Progress::update(std::size_t done, const std::string& status) {
  if (!due(done)) return;
  const auto now = std::chrono::steady_clock::now();
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double rate =
      elapsed > 0 ? static_cast<double>(done - std::min(done, already_done_)) / elapsed : 0.0;
  const double eta = rate > 0 ? static_cast<double>(total_ - std::min(done, total_)) / rate : 0.0;
  char timing[64];
  std::snprintf(timing, sizeof timing, "%.0f/s  ETA %d:%02d", rate, static_cast<int>(eta) / 60,
                static_cast<int>(eta) % 60);
  if (terminal_) {
    last_draw_ = now;
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(kWidth * done / total_);
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar.resize(kWidth, '.');
    std::fprintf(out_, "\r[%s] %3d%% %zu/%zu  %s  %s\x1b[K", bar.c_str(),
                 static_cast<int>(100 * done / total_), done, total_, status.c_str(), timing);
    std::fflush(out_);
    drawn_ = true;
    return;
  }
  next_line_ = done + std::max<std::size_t>(1, total_ / 10);
  std::fprintf(out_, "%zu/%zu  %s  %.2fs  %s\n", done, total_, status.c_str(), elapsed, timing);
  std::fflush(out_);
}

void Progress::finish() {
  if (terminal_ && drawn_ && !quiet_) std::fputc('\n', out_);
  drawn_ = false;
}

}  // namespace gradplug::host
