#include "cli/stop_signal.hpp"

#include <csignal>

namespace gradplug::host {

namespace {

volatile std::sig_atomic_t stop_requested = 0;
struct sigaction previous_int, previous_term;

void on_signal(int signo) {
  stop_requested = signo;
  // A second signal takes the default action: the user can always get out.
  std::signal(signo, SIG_DFL);
}

}  // namespace

StopSignal::StopSignal() {
  stop_requested = 0;
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, &previous_int);
  sigaction(SIGTERM, &action, &previous_term);
}

StopSignal::~StopSignal() {
  sigaction(SIGINT, &previous_int, nullptr);
  sigaction(SIGTERM, &previous_term, nullptr);
}

int StopSignal::received() { return stop_requested; }

}  // namespace gradplug::host
