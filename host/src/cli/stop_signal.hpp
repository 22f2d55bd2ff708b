// Ctrl-C (SIGINT) and SIGTERM during training: the first one asks training to stop after the
// current step (a checkpoint is written); a second one ends the program at once.
#pragma once

namespace gradplug::host {

class StopSignal {
 public:
  StopSignal();   // installs the handlers
  ~StopSignal();  // restores the previous ones
  StopSignal(const StopSignal&) = delete;
  StopSignal& operator=(const StopSignal&) = delete;

  // The signal that asked to stop, or 0.
  static int received();
};

}  // namespace gradplug::host
