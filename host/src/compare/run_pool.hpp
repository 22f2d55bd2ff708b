// Running many `gradplug train` processes at once: each run is its own process (a crashing or
// hanging plugin takes down only its run), at most `parallel` at a time. Each runs in a process
// group of its own, so a Ctrl-C at the terminal reaches the pool, which stops each job once
// (a second signal to a job would end it before its checkpoint).
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace gradplug::host {

struct Job {
  std::vector<std::string> args;  // arguments after the program name
  std::filesystem::path log;      // stdout and stderr go here
};

struct JobResult {
  enum class Status { Pending, Succeeded, Failed, TimedOut, Cancelled };
  Status status = Status::Pending;
  int exit_code = -1;  // or the signal number, negated, when killed by a signal
  double seconds = 0.0;
};

struct PoolOptions {
  std::size_t parallel = 1;
  double timeout_seconds = 0.0;  // 0: none
  bool fail_fast = false;        // on the first failure, stop the running jobs and start no more
  // Polled while jobs run: a signal number (SIGINT, SIGTERM) stops the running jobs as that
  // signal stops `gradplug train` (each writes its checkpoint), and starts no more.
  int (*stop_requested)() = nullptr;
};

// Runs every job with this executable; on_done is called in this thread as each one ends.
std::vector<JobResult> run_jobs(const std::vector<Job>& jobs, const PoolOptions& options,
                                const std::function<void(std::size_t, const JobResult&)>& on_done);

}  // namespace gradplug::host
