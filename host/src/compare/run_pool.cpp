#include "compare/run_pool.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/dll/runtime_symbol_info.hpp>
#include <chrono>
#include <cstring>
#include <map>
#include <thread>

#include "gradplug/error.hpp"

extern char** environ;

namespace gradplug::host {

namespace {

using Clock = std::chrono::steady_clock;

pid_t spawn(const std::string& program, const Job& job) {
  std::vector<std::string> argv_text{program};
  argv_text.insert(argv_text.end(), job.args.begin(), job.args.end());
  std::vector<char*> argv;
  for (auto& a : argv_text) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, job.log.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attributes, 0);
  pid_t pid = 0;
  const int error = posix_spawn(&pid, program.c_str(), &actions, &attributes, argv.data(), environ);
  posix_spawnattr_destroy(&attributes);
  posix_spawn_file_actions_destroy(&actions);
  if (error != 0) throw Error("cannot start " + program + ": " + std::strerror(error));
  return pid;
}

}  // namespace

std::vector<JobResult> run_jobs(const std::vector<Job>& jobs, const PoolOptions& options,
                                const std::function<void(std::size_t, const JobResult&)>& on_done) {
  const std::string program = boost::dll::program_location().string();
  std::vector<JobResult> results(jobs.size());
  struct Running {
    std::size_t job;
    Clock::time_point start;
    bool killed_for_time = false;
  };
  std::map<pid_t, Running> running;
  std::size_t next = 0;
  bool stopping = false;
  const std::size_t parallel = std::max<std::size_t>(1, options.parallel);
  while ((!stopping && next < jobs.size()) || !running.empty()) {
    while (!stopping && next < jobs.size() && running.size() < parallel) {
      running[spawn(program, jobs[next])] = Running{next, Clock::now()};
      ++next;
    }
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, WNOHANG);
    if (pid > 0 && running.count(pid)) {
      const Running r = running[pid];
      running.erase(pid);
      JobResult& result = results[r.job];
      result.seconds = std::chrono::duration<double>(Clock::now() - r.start).count();
      if (WIFEXITED(status)) {
        result.exit_code = WEXITSTATUS(status);
        result.status =
            result.exit_code == 0 ? JobResult::Status::Succeeded : JobResult::Status::Failed;
      } else {
        result.exit_code = WIFSIGNALED(status) ? -WTERMSIG(status) : -1;
        result.status = JobResult::Status::Failed;
      }
      if (r.killed_for_time) result.status = JobResult::Status::TimedOut;
      if (stopping && result.status != JobResult::Status::Succeeded && !r.killed_for_time)
        result.status = JobResult::Status::Cancelled;
      if (result.status != JobResult::Status::Succeeded && options.fail_fast && !stopping) {
        stopping = true;
        for (auto& [other, info] : running) ::kill(other, SIGTERM);
      }
      on_done(r.job, result);
      continue;
    }
    // Nothing ended: pass on a stop, enforce the timeout, then wait a little.
    if (!stopping && options.stop_requested)
      if (const int signo = options.stop_requested()) {
        stopping = true;
        for (auto& [other, info] : running) ::kill(other, signo);
      }
    if (options.timeout_seconds > 0)
      for (auto& [p, info] : running)
        if (!info.killed_for_time &&
            std::chrono::duration<double>(Clock::now() - info.start).count() >
                options.timeout_seconds) {
          ::kill(p, SIGKILL);
          info.killed_for_time = true;
        }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  for (std::size_t i = next; i < jobs.size(); ++i) results[i].status = JobResult::Status::Cancelled;
  return results;
}

}  // namespace gradplug::host
