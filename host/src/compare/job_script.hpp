// A comparison as a batch job for a scheduler that runs numbered tasks: `compare --emit slurm`
// prints an sbatch script whose array tasks each run one shard (`--shard $SLURM_ARRAY_TASK_ID/N`)
// of the comparison prepared in --out. Nothing about a cluster is assumed beyond what the user
// passes; the script records the exact command and the gradplug version that made it.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace gradplug::host {

struct SlurmJob {
  std::string made_by;               // the command as typed, recorded in the script
  std::string title;                 // the experiment name, for the job name
  std::string executable;            // absolute path of this gradplug
  std::string working_directory;     // absolute; relative paths in the command resolve here
  std::string out;                   // absolute comparison directory (shared filesystem)
  std::vector<std::string> compare;  // arguments after `gradplug compare`, without sharding
  std::size_t shards = 1;
  std::size_t runs = 0;            // in the whole comparison, for the script's comment
  std::size_t cpus_per_task = 1;   // also the runs each task runs at once (--jobs)
  std::size_t max_parallel = 0;    // array throttle (%M); 0: none
  std::string time, partition;     // "" : the cluster's default
  std::vector<std::string> extra;  // further #SBATCH lines, as given (--sbatch)
};

// POSIX shell single quoting, only where needed: a, b/c.yaml, 'it''s' -> 'it'"'"'s'.
std::string shell_quote(const std::string& word);

std::string slurm_script(const SlurmJob& job);

}  // namespace gradplug::host
