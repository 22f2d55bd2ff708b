#include "compare/job_script.hpp"

#include <sstream>

namespace gradplug::host {

std::string shell_quote(const std::string& word) {
  const bool plain = !word.empty() && word.find_first_not_of(
                                          "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                          "0123456789_-+./,:=@%") == std::string::npos;
  if (plain) return word;
  std::string out = "'";
  for (char c : word) out += c == '\'' ? std::string("'\"'\"'") : std::string(1, c);
  return out + "'";
}

std::string slurm_script(const SlurmJob& job) {
  const std::string version = "gradplug " GRADPLUG_VERSION;
  std::ostringstream s;
  s << "#!/bin/bash\n"
    << "# A gradplug comparison as a Slurm job array: " << job.runs << " runs in " << job.shards
    << " shards, one array task per shard.\n"
    << "# Written by " << version << " from:\n"
    << "#   " << job.made_by << "\n"
    << "# Submit:   sbatch THIS_FILE   (sbatch --wait THIS_FILE blocks until every task ends)\n"
    << "# Merge:    " << shell_quote(job.executable) << " report " << shell_quote(job.out) << "\n"
    << "# Missing or failed runs afterwards: submit this script again; finished runs are kept.\n";
  std::string name = "gradplug-" + job.title;
  for (char& c : name)
    if (c == ' ' || c == '\n') c = '_';
  s << "#SBATCH --job-name=" << name << "\n"
    << "#SBATCH --array=0-" << job.shards - 1
    << (job.max_parallel ? "%" + std::to_string(job.max_parallel) : std::string()) << "\n"
    << "#SBATCH --ntasks=1\n"
    << "#SBATCH --cpus-per-task=" << job.cpus_per_task << "\n";
  if (!job.time.empty()) s << "#SBATCH --time=" << job.time << "\n";
  if (!job.partition.empty()) s << "#SBATCH --partition=" << job.partition << "\n";
  for (const auto& line : job.extra) s << "#SBATCH " << line << "\n";
  // Slurm opens the log before the task starts, so its directory is made when the script is.
  s << "#SBATCH --output=" << job.out << "/logs/slurm-%A_%a.out\n"
    << "#SBATCH --chdir=" << job.working_directory << "\n"
    << "set -euo pipefail\n"
    << "gradplug=${GRADPLUG:-" << shell_quote(job.executable) << "}\n"
    << "# The same gradplug on every node, or results could differ from shard to shard.\n"
    << "version=$(\"$gradplug\" --version)\n"
    << "case \"$version\" in\n"
    << "  " << shell_quote(version) << "\" \"*) ;;\n"
    << "  *) echo \"$gradplug is '$version'; this script was written by " << version
    << "\" >&2; exit 2 ;;\n"
    << "esac\n"
    << "exec \"$gradplug\" compare";
  for (const auto& a : job.compare) s << " " << shell_quote(a);
  s << " --resume " << shell_quote(job.out) << " --jobs \"${SLURM_CPUS_PER_TASK:-"
    << job.cpus_per_task << "}\" --shard \"${SLURM_ARRAY_TASK_ID}/" << job.shards << "\"\n";
  return s.str();
}

}  // namespace gradplug::host
