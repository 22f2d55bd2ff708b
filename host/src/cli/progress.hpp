// Progress of long work: a bar redrawn in place on a terminal, plain lines when output is piped.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdio>
#include <string>

namespace gradplug::host {

class Progress {
 public:
  // Writes to `out`; draws a bar only if out is a terminal. quiet: nothing at all. already_done:
  // units finished before this process started (a resumed run), left out of the rate.
  Progress(std::FILE* out, std::size_t total, bool quiet = false, std::size_t already_done = 0);
  // Would update(done, ...) draw anything? Callers skip formatting a status nobody sees (it costs
  // more than a small model's whole training step).
  bool due(std::size_t done) const;
  // Reports that `done` of total units are finished, with a short status such as "loss 0.12".
  void update(std::size_t done, const std::string& status);
  // Ends the bar's line.
  void finish();

 private:
  std::FILE* out_;
  std::size_t total_;
  bool quiet_;
  bool terminal_;
  std::size_t already_done_;
  std::size_t next_line_ = 0;
  std::chrono::steady_clock::time_point start_, last_draw_;
  bool drawn_ = false;
};

}  // namespace gradplug::host
