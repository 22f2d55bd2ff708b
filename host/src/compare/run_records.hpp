// One run of a comparison read back from its directory: its summary.json (how it ended, its
// final figures) and the data_loss curve of its metrics.csv (or metrics.csv.partial), each field
// typed and each number strict; a damaged record is a gradplug::Error naming the file and field.
#pragma once

#include "compare/compare_report.hpp"

namespace gradplug::host {

// Fills in r's figures, curve and failure line from r.run_dir and r.log; r.status "ok" (a
// summary.json exists) may become "diverged".
void read_run(RunInfo& r);

}  // namespace gradplug::host
