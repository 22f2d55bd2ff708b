// gradplug compare: which variant wins, by how much, and how sure we are. One run per variant,
// seed and sweep point, each a `gradplug train` process of its own (isolated, in parallel); every
// variant with the same seed gets the same data, split, initial weights and batch order. Then
// one table, compare.csv, summary.json, and the curves as loss.svg (and sensitivity.svg for
// sweeps). With --function, optimizers run on 2-D test functions instead (the playground).
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <numeric>
#include <optional>
#include <sstream>
#include <thread>

#include "cli/cli.hpp"
#include "cli/progress.hpp"
#include "cli/stop_signal.hpp"
#include "cli/suggest.hpp"
#include "compare/compare_plan.hpp"
#include "compare/compare_report.hpp"
#include "compare/job_script.hpp"
#include "compare/run_pool.hpp"
#include "compare/variant_args.hpp"
#include "config/config_node.hpp"
#include "config/experiment_config.hpp"
#include "gradplug/error.hpp"
#include "gradplug/schema.hpp"
#include "run/files.hpp"
#include "run/run_lock.hpp"

namespace gradplug::host {

namespace po = boost::program_options;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// One override as a --set assignment.
using Assignment = std::string;

struct Variant {
  std::string label;
  std::vector<Assignment> sets;
  std::string base;                // the label before sweeps
  std::vector<std::string> sweep;  // the swept values, in --sweep order
  std::string origin;              // where the label was given, for errors about it
  bool named = true;               // a label the user chose, rather than made of overrides
};

// A config subtree written back as one-line YAML for --set.
std::string flow(const ConfigNode& node) {
  switch (node.type) {
    case ConfigNode::Type::Null:
      return "~";
    case ConfigNode::Type::Scalar: {
      const bool plain = node.scalar.find_first_of(":{}[],#&*!|>'\"%@`") == std::string::npos &&
                         !node.scalar.empty();
      if (plain) return node.scalar;
      std::string quoted = "'";
      for (char c : node.scalar) quoted += c == '\'' ? std::string("''") : std::string(1, c);
      return quoted + "'";
    }
    case ConfigNode::Type::Sequence: {
      std::string out = "[";
      for (std::size_t i = 0; i < node.items.size(); ++i)
        out += (i ? ", " : "") + flow(node.items[i]);
      return out + "]";
    }
    case ConfigNode::Type::Map: {
      std::string out = "{";
      for (std::size_t i = 0; i < node.entries.size(); ++i)
        out += (i ? ", " : "") + node.entries[i].first + ": " + flow(node.entries[i].second);
      return out + "}";
    }
  }
  return "~";
}

// {model: {activation: swish}} becomes model.activation=swish; a map with a `name` (a plugin) or
// anything that is not a map is set whole.
void flatten(const ConfigNode& node, const std::string& path, std::vector<Assignment>& out) {
  if (node.type == ConfigNode::Type::Map && !node.find("name") && !path.empty()) {
    for (const auto& [k, v] : node.entries) flatten(v, path + "." + k, out);
    return;
  }
  if (node.type == ConfigNode::Type::Map && path.empty()) {
    for (const auto& [k, v] : node.entries) flatten(v, k, out);
    return;
  }
  out.push_back(path + "=" + flow(node));
}

// "adam" or "adam:lr=0.01:amsgrad=true" as an optimizer override; the config's own optimizer
// parameters are kept when the name matches.
Variant optimizer_variant(const std::string& item, const ConfigNode& config) {
  const auto parts = split(item, ':');
  if (parts.empty() || parts[0].empty())
    throw Error("--optimizers: empty name in '" + item +
                "'; expected e.g. sgd,rmsprop,adam or adam:lr=0.01");
  ConfigNode optimizer{ConfigNode::Type::Map, {}, {}, {}, {}, "--optimizers"};
  const ConfigNode* configured = config.find("optimizer");
  if (configured && configured->type == ConfigNode::Type::Map && configured->find("name") &&
      configured->find("name")->scalar == parts[0]) {
    optimizer = *configured;
  } else {
    optimizer.add("name",
                  ConfigNode{ConfigNode::Type::Scalar, parts[0], {}, {}, {}, "--optimizers"},
                  "--optimizers");
  }
  for (std::size_t i = 1; i < parts.size(); ++i) {
    const auto eq = parts[i].find('=');
    if (eq == std::string::npos || eq == 0)
      throw Error("--optimizers: '" + parts[i] + "' in '" + item +
                  "' is not key=value (e.g. adam:lr=0.01)");
    const std::string key = parts[i].substr(0, eq);
    ConfigNode value{ConfigNode::Type::Scalar, parts[i].substr(eq + 1), {}, {}, {},
                     "--optimizers " + item};
    if (ConfigNode* existing = optimizer.find(key))
      *existing = value;
    else
      optimizer.add(key, value, "--optimizers " + item);
  }
  return Variant{item, {"optimizer=" + flow(optimizer)}, item, {}, "--optimizers " + item};
}

const char* status_word(JobResult::Status s) {
  switch (s) {
    case JobResult::Status::Succeeded:
      return "ok";
    case JobResult::Status::Failed:
      return "failed";
    case JobResult::Status::TimedOut:
      return "timed out";
    case JobResult::Status::Cancelled:
      return "cancelled";
    case JobResult::Status::Pending:
      return "not run";
  }
  return "?";
}

// The comparison as a user would type it, from what was parsed: what defines the runs and how
// they are judged, without where they go (--out, --resume) or how they are spread (--jobs,
// --shard, --emit). Shards and scripts run exactly this.
std::vector<std::string> compare_arguments(const po::variables_map& vm) {
  std::vector<std::string> a = {vm["config"].as<std::string>()};
  if (vm.count("optimizers"))
    a.insert(a.end(), {"--optimizers", vm["optimizers"].as<std::string>()});
  a.insert(a.end(), {"--seeds", std::to_string(vm["seeds"].as<std::size_t>())});
  for (const char* repeated : {"sweep", "set", "plugin-dir"})
    if (vm.count(repeated))
      for (const auto& v : vm[repeated].as<std::vector<std::string>>())
        a.insert(a.end(), {std::string("--") + repeated, v});
  if (vm.count("target-loss"))
    a.insert(a.end(), {"--target-loss", format_number(vm["target-loss"].as<double>())});
  if (vm["timeout"].as<double>() > 0)
    a.insert(a.end(), {"--timeout", format_number(vm["timeout"].as<double>())});
  if (vm.count("log-y")) a.emplace_back("--log-y");
  if (vm.count("fail-fast")) a.emplace_back("--fail-fast");
  if (vm["format"].as<std::string>() != "table")
    a.insert(a.end(), {"--format", vm["format"].as<std::string>()});
  return a;
}

std::string quoted_command(const std::string& program, const std::vector<std::string>& args) {
  std::string text = program;
  for (const auto& a : args) text += " " + shell_quote(a);
  return text;
}

// Expected work of one run, to balance shards: samples through the network x its weights. Only
// ratios between the runs of one comparison matter, so a CSV file's unknown size is taken as the
// same for every run.
double expected_cost(const ExperimentSpec& spec) {
  using Source = DataSpec::Source;
  const DataSpec& d = spec.data;
  double rows = 1000, features = 1;
  switch (d.source) {
    case Source::Inline:
      rows = static_cast<double>(d.inline_data.rows);
      features = static_cast<double>(d.inline_data.features);
      break;
    case Source::Seed4:
      rows = 4, features = 3;
      break;
    case Source::Spirals:
      rows = static_cast<double>(d.classes * d.points_per_class), features = 2;
      break;
    case Source::Blobs:
      rows = static_cast<double>(d.samples), features = static_cast<double>(d.features);
      break;
    case Source::Xor:
    case Source::Moons:
    case Source::Circles:
      rows = static_cast<double>(d.samples), features = 2;
      break;
    case Source::Csv:
      break;
  }
  rows = std::max(1.0, rows * (1.0 - d.split.validation - d.split.test));
  double weights = 0, inputs = features;
  for (std::size_t units : spec.layers) {
    weights += (inputs + 1) * static_cast<double>(units);
    inputs = static_cast<double>(units);
  }
  const double batch =
      spec.batch_size ? std::min<double>(static_cast<double>(spec.batch_size), rows) : rows;
  const double samples = spec.epochs ? static_cast<double>(spec.epochs) * rows
                                     : static_cast<double>(spec.steps) * batch;
  return std::max(1.0, samples * std::max(1.0, weights));
}

// A directory being continued must hold this very comparison: the same base config and runs.
void check_same_comparison(const fs::path& out, const std::string& base_text,
                           const ComparePlan& plan, const std::string& flag) {
  std::ifstream in(out / "base.yaml");
  const std::string previous((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  if (previous != base_text)
    throw Error(flag +
                ": that comparison was made from another config (its base.yaml differs); give "
                "the same config and --set flags as before");
  std::error_code ec;
  if (fs::exists(out / "plan.json", ec) && !same_runs(read_plan(out), plan))
    throw Error(flag +
                ": that comparison has other runs (its plan.json differs); give the same "
                "--optimizers, --sweep and --seeds as before");
}

std::string now_iso() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  ::gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

// An absolute, normalized directory without a trailing '/', as a job script names it.
std::string script_path(const fs::path& dir) {
  std::string path = fs::absolute(dir).lexically_normal().string();
  if (!path.empty() && path.back() == '/') path.pop_back();
  return path;
}

// --emit slurm: the job array for the plan, every flag checked; nothing is written here, so a
// refused flag leaves no trace.
SlurmJob slurm_job(const po::variables_map& vm, const std::vector<std::string>& args,
                   const ComparePlan& plan) {
  const std::string scheduler = vm["emit"].as<std::string>();
  if (scheduler != "slurm")
    throw Error("--emit: unknown scheduler '" + scheduler + "'" +
                did_you_mean(scheduler, {"slurm"}) +
                "; valid: slurm (other schedulers: run --shard I/N per task, see docs/cluster.md)");
  SlurmJob job;
  job.runs = plan.runs.size();
  job.shards =
      vm.count("shards") ? vm["shards"].as<std::size_t>() : std::min<std::size_t>(job.runs, 16);
  if (job.shards < 1 || job.shards > job.runs)
    throw Error("--shards: expected 1 to " + std::to_string(job.runs) +
                " (the number of runs), got " + std::to_string(job.shards));
  job.cpus_per_task = vm["cpus-per-task"].as<std::size_t>();
  if (job.cpus_per_task < 1 || job.cpus_per_task > 256)
    throw Error("--cpus-per-task: expected 1 to 256, got " + std::to_string(job.cpus_per_task));
  job.max_parallel = vm.count("max-parallel") ? vm["max-parallel"].as<std::size_t>() : 0;
  if (vm.count("max-parallel") && job.max_parallel < 1)
    throw Error("--max-parallel: expected at least 1, got 0");
  auto directive = [](const char* flag, const std::string& value) {
    if (value.empty() || value.find_first_of(" \t\n\r'\"\\") != std::string::npos)
      throw Error(std::string("--") + flag + ": '" + value +
                  "' cannot go on an #SBATCH line (empty, or with spaces, quotes or backslashes)");
    return value;
  };
  if (vm.count("time")) job.time = directive("time", vm["time"].as<std::string>());
  if (vm.count("partition"))
    job.partition = directive("partition", vm["partition"].as<std::string>());
  if (vm.count("sbatch"))
    for (const auto& line : vm["sbatch"].as<std::vector<std::string>>()) {
      if (line.rfind("--", 0) != 0)
        throw Error("--sbatch: '" + line +
                    "' is not an sbatch option (e.g. --sbatch=--account=proj)");
      job.extra.push_back(directive("sbatch", line));
    }
  for (const char* flag : {"resume", "out"})
    if (vm.count(flag)) directive(flag, script_path(vm[flag].as<std::string>()));
  job.working_directory = fs::current_path().string();
  if (job.working_directory.find_first_of(" \t\n'\"\\") != std::string::npos)
    throw Error("--emit: the working directory '" + job.working_directory +
                "' has spaces or quotes, which an #SBATCH --chdir line cannot hold");
  std::error_code ec;
  job.executable = fs::read_symlink("/proc/self/exe", ec).string();
  if (ec) throw Error("--emit: cannot find this gradplug's own path: " + ec.message());
  job.made_by = quoted_command("gradplug compare", args);
  job.title = plan.title;
  job.compare = compare_arguments(vm);
  return job;
}

// The script goes to stdout, and a copy beside the runs in the prepared directory.
int write_job_script(SlurmJob job, const fs::path& out) {
  job.out = script_path(out);
  std::error_code ec;
  fs::create_directories(fs::path(job.out) / "logs", ec);
  if (ec) throw Error("--emit: cannot create " + job.out + "/logs: " + ec.message());
  const std::string script = slurm_script(job);
  write_file_atomic(fs::path(job.out) / "slurm.sbatch", script);
  std::cout << script;
  std::cerr << "gradplug compare: prepared " << job.out << " for " << job.runs << " runs in "
            << job.shards << " shards; submit with: sbatch " << job.out
            << "/slurm.sbatch (a copy of the script above)\n";
  return 0;
}

}  // namespace

int command_playground(const po::variables_map& vm);

int command_compare(const std::vector<std::string>& args) {
  po::options_description options(
      "gradplug compare CONFIG.yaml [--optimizers A,B,...] [--seeds N] [--sweep KEY=VALUES]... "
      "[options]\n"
      "gradplug compare --function NAME --optimizers A,B,... [--steps N]");
  options.add_options()("help", "show this help")("config", po::value<std::string>(),
                                                  "the experiment config")(
      "optimizers", po::value<std::string>(),
      "variants by optimizer: sgd,rmsprop,adam; parameters as adam:lr=0.01:amsgrad=true")(
      "seeds", po::value<std::size_t>()->default_value(1),
      "runs per variant, seeds seed, seed+1, ...")(
      "sweep", po::value<std::vector<std::string>>()->composing(),
      "KEY=a,b,c or KEY=logspace(lo,hi,n) or KEY=linspace(lo,hi,n); several form a grid")(
      "set", po::value<std::vector<std::string>>()->composing(),
      "override the config for every run")("jobs", po::value<std::size_t>(),
                                           "runs at once (default: the number of cores)")(
      "out", po::value<std::string>(),
      "the output directory (default: runs/compare-<name>-<time>)")(
      "format", po::value<std::string>()->default_value("table"), "table, markdown, csv or json")(
      "target-loss", po::value<double>(),
      "report steps to reach this training loss (default: the worst variant's mean final loss)")(
      "resume", po::value<std::string>(),
      "finish the comparison in DIR: runs already done are not run again")(
      "log-y", "draw loss.svg on a log scale")("dry-run", "list the runs without running them")(
      "quiet", "no progress output (the table and errors still print)")(
      "fail-fast", "stop at the first failed run")(
      "timeout", po::value<double>()->default_value(0),
      "seconds a run may take before it is stopped (0: no limit)")(
      "function", po::value<std::string>(),
      "the playground: rosenbrock, rastrigin, beale, booth, himmelblau, ill_conditioned")(
      "steps", po::value<std::size_t>()->default_value(500), "playground steps")(
      "plugin-dir", po::value<std::vector<std::string>>()->composing(),
      "also load plugins from DIR (repeatable)");
  po::options_description cluster("Running on a cluster (see docs/cluster.md)");
  cluster.add_options()("shard", po::value<std::string>(),
                        "run only shard I of N (I/N, from 0) of the runs, into the shared --out "
                        "or --resume DIR; merge with `gradplug report DIR`")(
      "emit", po::value<std::string>(),
      "slurm: prepare --out and print an sbatch job-array script, one task per shard")(
      "shards", po::value<std::size_t>(), "with --emit: the number of shards (default: up to 16)")(
      "cpus-per-task", po::value<std::size_t>()->default_value(1),
      "with --emit: cores per task, and runs at once in each")(
      "max-parallel", po::value<std::size_t>(), "with --emit: at most M tasks at once (%M)")(
      "time", po::value<std::string>(), "with --emit: the time limit per task, e.g. 1:00:00")(
      "partition", po::value<std::string>(), "with --emit: the Slurm partition")(
      "sbatch", po::value<std::vector<std::string>>()->composing(),
      "with --emit: a further #SBATCH line, e.g. --sbatch=--account=proj (repeatable)");
  options.add(cluster);
  po::positional_options_description positional;
  positional.add("config", 1);
  const auto vm = parse_command("compare", args, options, positional);
  if (vm.count("help")) {
    std::cout << "Compare optimizers (or any variants) side by side over seeds and sweeps.\n\n"
              << options << "\n";
    return 0;
  }
  const std::string format = vm["format"].as<std::string>();
  check_table_format(format);
  if (vm.count("function")) {
    if (vm.count("config")) throw Error("gradplug compare: give a CONFIG or --function, not both");
    return command_playground(vm);
  }
  if (!vm.count("config"))
    throw Error(
        "gradplug compare: missing the experiment config (or --function NAME for the playground); "
        "e.g. gradplug compare configs/moons.yaml --optimizers sgd,rmsprop,adam --seeds 5");
  const std::string config_path = vm["config"].as<std::string>();
  const std::size_t seeds = vm["seeds"].as<std::size_t>();
  if (seeds < 1 || seeds > 1000)
    throw Error("--seeds: expected 1 to 1000, got " + std::to_string(seeds));
  const std::size_t jobs = vm.count("jobs")
                               ? vm["jobs"].as<std::size_t>()
                               : std::max<unsigned>(1, std::thread::hardware_concurrency());
  if (jobs < 1 || jobs > 256) throw Error("--jobs: expected 1 to 256, got " + std::to_string(jobs));
  const auto plugin_dirs = vm.count("plugin-dir") ? vm["plugin-dir"].as<std::vector<std::string>>()
                                                  : std::vector<std::string>{};
  const Registry registry = load_registry(plugin_dirs);

  // The base config: the file, its --set overrides, without its compare: list.
  ConfigNode config = load_config_file(config_path);
  if (vm.count("set"))
    for (const auto& a : vm["set"].as<std::vector<std::string>>()) apply_override(config, a);
  std::vector<Variant> variants;
  if (config.type == ConfigNode::Type::Map) {
    for (std::size_t i = 0; i < config.entries.size(); ++i) {
      if (config.entries[i].first != "compare") continue;
      const ConfigNode& list = config.entries[i].second;
      if (list.type != ConfigNode::Type::Sequence || list.items.empty())
        throw Error(
            list.where +
            ": compare: expected a list of overrides, e.g. - {optimizer: {name: adam, lr: 0.01}}");
      for (const ConfigNode& entry : list.items) {
        if (entry.type != ConfigNode::Type::Map || entry.entries.empty())
          throw Error(
              entry.where +
              ": compare: each entry is a map of overrides, e.g. {model: {activation: swish}}");
        Variant v;
        ConfigNode overrides = entry;
        v.origin = entry.where + ": compare";
        if (const ConfigNode* label = entry.find("label")) {
          if (label->type == ConfigNode::Type::Sequence || label->type == ConfigNode::Type::Map)
            throw Error(label->where + ": compare: label: expected a name, got a list or a map");
          v.label = label->scalar;
          v.origin = label->where + ": compare: label";
          overrides.entries.erase(std::find_if(overrides.entries.begin(), overrides.entries.end(),
                                               [](const auto& e) { return e.first == "label"; }));
        }
        flatten(overrides, "", v.sets);
        v.named = !v.label.empty();
        if (!v.named) v.label = join(v.sets, " ");
        variants.push_back(v);
      }
      config.entries.erase(config.entries.begin() + static_cast<std::ptrdiff_t>(i));
      if (i < config.key_where.size())
        config.key_where.erase(config.key_where.begin() + static_cast<std::ptrdiff_t>(i));
      break;
    }
  }
  if (vm.count("optimizers")) {
    if (!variants.empty())
      throw Error(
          "--optimizers: the config already lists its variants under compare:; use one or the "
          "other");
    for (const auto& item : split(vm["optimizers"].as<std::string>(), ','))
      variants.push_back(optimizer_variant(item, config));
  }
  if (variants.empty()) variants.push_back(Variant{"config", {}, "config", {}, config_path});
  // Sweeps form a grid applied to every variant.
  std::vector<std::pair<std::string, std::vector<std::string>>> sweeps;
  if (vm.count("sweep"))
    for (const auto& s : vm["sweep"].as<std::vector<std::string>>()) {
      const auto eq = s.find('=');
      if (eq == std::string::npos || eq == 0)
        throw Error("--sweep " + s + ": expected KEY=VALUES, e.g. optimizer.lr=0.1,0.01");
      sweeps.emplace_back(s.substr(0, eq), sweep_values(s.substr(eq + 1), "--sweep " + s));
    }
  std::vector<std::size_t> sweep_sizes;
  for (const auto& [key, values] : sweeps) sweep_sizes.push_back(values.size());
  check_run_count(variants.size(), sweep_sizes, seeds);
  for (Variant& v : variants) v.base = v.label;
  std::vector<Variant> grid = variants;
  for (std::size_t k = 0; k < sweeps.size(); ++k) {
    const auto& [key, values] = sweeps[k];
    std::vector<Variant> next;
    for (const Variant& v : grid)
      for (const auto& value : values) {
        Variant point = v;
        point.label = v.label + " " + key + "=" + value;
        point.origin = "--sweep " + vm["sweep"].as<std::vector<std::string>>()[k];
        point.named = false;
        point.sets.push_back(key + "=" + value);
        point.sweep.push_back(value);
        next.push_back(point);
      }
    grid = std::move(next);
  }

  // Every variant is checked before anything runs: a typo fails here, with its location.
  const std::string name = fs::path(config_path).stem().string();
  const std::string dir = fs::path(config_path).parent_path().string();
  const ExperimentSpec base = read_experiment(config, registry, name, dir);
  if (base.seed > std::numeric_limits<std::uint64_t>::max() - (seeds - 1))
    throw Error("--seeds " + std::to_string(seeds) + ": seeds " + std::to_string(base.seed) +
                " onwards pass 2^64 - 1; choose a smaller seed in the config (or --set seed=N)");
  ComparePlan plan;
  plan.title = base.name;
  plan.command = quoted_command("gradplug compare", compare_arguments(vm));
  for (const auto& [key, values] : sweeps) plan.sweep_keys.push_back(key);
  plan.target_loss = vm.count("target-loss") ? vm["target-loss"].as<double>() : NAN;
  plan.log_y = vm.count("log-y") > 0;
  std::map<std::string, int> used;
  for (const Variant& v : grid) {
    std::string folder = variant_folder(v.label, v.origin, v.named);
    ConfigNode copy = config;
    for (const auto& s : v.sets) apply_override(copy, s);
    const double cost = expected_cost(read_experiment(copy, registry, name, dir));
    if (used[folder]++) folder += "-" + std::to_string(used[folder]);
    for (std::size_t s = 0; s < seeds; ++s)
      plan.runs.push_back(
          PlannedRun{v.label, v.base, v.sweep, v.sets, base.seed + s, folder, cost});
  }

  const bool sharded = vm.count("shard") > 0;
  const auto [shard, shards] = sharded ? parse_shard(vm["shard"].as<std::string>())
                                       : std::pair<std::size_t, std::size_t>{0, 1};
  if (vm.count("emit") && sharded)
    throw Error("--emit: the script runs the shards itself; leave out --shard");
  for (const char* flag : {"shards", "max-parallel", "time", "partition", "sbatch"})
    if (vm.count(flag) && !vm.count("emit"))
      throw Error(std::string("--") + flag + ": only with --emit slurm");
  if (!vm["cpus-per-task"].defaulted() && !vm.count("emit"))
    throw Error("--cpus-per-task: only with --emit slurm");
  const std::optional<SlurmJob> job =
      vm.count("emit") ? std::optional<SlurmJob>(slurm_job(vm, args, plan)) : std::nullopt;
  std::vector<std::size_t> selected =
      sharded ? shard_runs(plan, shard, shards) : std::vector<std::size_t>(plan.runs.size());
  if (!sharded) std::iota(selected.begin(), selected.end(), std::size_t{0});

  if (vm.count("dry-run")) {
    std::cout << plan.runs.size() << " runs (" << grid.size() << " variants x " << seeds
              << " seeds)";
    if (sharded) std::cout << "; shard " << shard << "/" << shards << " has " << selected.size();
    std::cout << ":\n";
    for (std::size_t i : selected) {
      const PlannedRun& r = plan.runs[i];
      std::cout << "  " << r.variant << "  seed " << r.seed << ":  gradplug train " << config_path;
      for (const auto& set : r.sets) std::cout << " --set " << shell_quote(set);
      std::cout << " --set seed=" << r.seed << "\n";
    }
    return 0;
  }

  // The comparison directory: new (--out, or a fresh one under runs/), continued (--resume), or
  // shared by the shards of one comparison. It holds the base config and the plan, so every
  // process that works in it agrees on what the runs are.
  fs::path out;
  std::optional<RunLock> lock;  // one comparison per directory; its shards share it
  const std::string base_text = to_yaml(resolved_config(base, registry));
  if (vm.count("resume")) {
    if (vm.count("out"))
      throw Error("--resume: the comparison continues in its own directory; leave out --out");
    out = vm["resume"].as<std::string>();
    std::error_code ec;
    if (!fs::is_regular_file(out / "base.yaml", ec))
      throw Error("--resume " + out.string() +
                  ": not a comparison directory (it has no base.yaml)");
    lock.emplace(
        RunLock::claim(out, "gradplug compare --resume", "--resume " + out.string(), sharded));
  } else if (sharded) {
    if (!vm.count("out"))
      throw Error("--shard: give the directory all shards share, with --out DIR (or --resume DIR)");
    out = vm["out"].as<std::string>();
    std::error_code ec;
    fs::create_directories(out, ec);
    if (ec || !fs::is_directory(out, ec))
      throw Error("--out " + out.string() + ": cannot create the directory: " + ec.message());
    if (!fs::exists(out / "base.yaml", ec))
      for (const auto& entry : fs::directory_iterator(out)) {
        // Other shards may be starting in it right now; anything else means the directory holds
        // something that is not a comparison.
        const std::string file = entry.path().filename().string();
        const std::vector<std::string> ours = {"runs",      "shards",    "logs",
                                               "plan.json", "base.yaml", kLockFile};
        if (std::find(ours.begin(), ours.end(), file) == ours.end() &&
            file.find(".tmp-") == std::string::npos)
          throw Error("--out " + out.string() + ": holds '" + file +
                      "' but no comparison (no base.yaml); choose a new or empty directory");
      }
    lock.emplace(RunLock::claim(out, "gradplug compare --shard", "--out " + out.string(), true));
  } else {
    ClaimedDirectory claimed =
        create_run_directory(vm.count("out") ? vm["out"].as<std::string>() : "", "runs",
                             "compare-" + base.name, "gradplug compare");
    out = claimed.path;
    lock.emplace(std::move(claimed.lock));
  }
  // Shards starting together may all get here first: each write is atomic and the contents are
  // identical for the same comparison. Whichever landed, it must be this comparison's (a new
  // directory holds only what was just written).
  if (!fs::exists(out / "base.yaml")) write_file_atomic(out / "base.yaml", base_text);
  if (!fs::exists(out / "plan.json")) write_file_atomic(out / "plan.json", plan_json(plan));
  if (vm.count("resume") || sharded)
    check_same_comparison(out, base_text, plan,
                          (vm.count("resume") ? "--resume " : "--out ") + out.string());

  if (job) return write_job_script(*job, out);

  fs::path manifest;
  json shard_record;
  if (sharded) {
    char host[256] = "";
    ::gethostname(host, sizeof host - 1);
    manifest = out / "shards" /
               ("shard-" + std::to_string(shard) + "-of-" + std::to_string(shards) + ".json");
    fs::create_directories(manifest.parent_path());
    json listed = json::array();
    for (std::size_t i : selected)
      listed.push_back(fs::relative(run_directory(out, plan.runs[i]), out).string());
    shard_record = {{"shard", shard},
                    {"shards", shards},
                    {"gradplug", GRADPLUG_VERSION},
                    {"host", host},
                    {"slurm_job", std::getenv("SLURM_JOB_ID") ? std::getenv("SLURM_JOB_ID") : ""},
                    {"started", now_iso()},
                    {"finished", nullptr},
                    {"runs", listed}};
    write_file_atomic(manifest, shard_record.dump(2) + "\n");
  }

  std::vector<Job> job_list;
  std::vector<std::size_t> job_run;  // the planned run each job is for
  std::size_t reused = 0;
  for (std::size_t i : selected) {
    const PlannedRun& r = plan.runs[i];
    const fs::path run_dir = run_directory(out, r);
    fs::create_directories(run_dir.parent_path());
    if (run_finished(out, r)) {
      ++reused;  // its own summary.json says how it ended
      continue;
    }
    if (const auto holder = RunLock::holder(run_dir)) {  // a duplicate shard, say: leave it be
      std::cerr << "gradplug compare: " << run_dir.string() << " is in use by " << *holder
                << "; not run here\n";
      continue;
    }
    std::error_code ec;
    fs::remove(run_status_file(out, r), ec);  // an earlier failure is no longer the news
    Job job;
    job.log = run_log(out, r);
    if (fs::exists(run_dir / "model.json", ec) && fs::exists(run_dir / "config.yaml", ec)) {
      job.args = {"train", "--resume", run_dir.string(), "--quiet"};
    } else {
      fs::remove_all(run_dir, ec);  // started but without a checkpoint: start again
      job.args = {"train", (out / "base.yaml").string(), "--quiet", "--out", run_dir.string()};
      for (const auto& set : r.sets) job.args.insert(job.args.end(), {"--set", set});
      job.args.insert(job.args.end(), {"--set", "seed=" + std::to_string(r.seed)});
    }
    for (const auto& d : plugin_dirs) job.args.insert(job.args.end(), {"--plugin-dir", d});
    job_list.push_back(job);
    job_run.push_back(i);
  }
  const std::string scope =
      sharded ? "shard " + std::to_string(shard) + "/" + std::to_string(shards) + ": " : "";
  if (reused && !vm.count("quiet"))
    std::cerr << "gradplug compare: " << scope << reused << " runs already done, "
              << job_list.size() << " to run\n";
  const bool quiet = vm.count("quiet") > 0;
  Progress progress(stderr, job_list.size(), quiet);
  std::size_t done = 0, failed = 0;
  PoolOptions pool{jobs, vm["timeout"].as<double>(), vm.count("fail-fast") > 0,
                   &StopSignal::received};
  const StopSignal stop_signal;
  std::size_t stopped = 0;
  run_jobs(job_list, pool, [&](std::size_t j, const JobResult& r) {
    ++done;
    const PlannedRun& run = plan.runs[job_run[j]];
    // A run that ended without its summary.json says here how it ended.
    if (!run_finished(out, run) && r.status != JobResult::Status::Pending) {
      const std::string status = r.status == JobResult::Status::Failed && r.exit_code < 0
                                     ? "crashed (signal " + std::to_string(-r.exit_code) + ")"
                                     : std::string(status_word(r.status));
      if (StopSignal::received() && r.status == JobResult::Status::Cancelled)
        ++stopped;  // left with its checkpoint, to be resumed: no status is news
      else
        write_run_status(out, run, status, r.exit_code, r.seconds);
    }
    const bool was_stopped = StopSignal::received() && r.status == JobResult::Status::Cancelled;
    failed += r.status != JobResult::Status::Succeeded && !was_stopped;
    progress.update(done, std::to_string(failed) + " failed" +
                              (stopped ? ", " + std::to_string(stopped) + " stopped" : ""));
  });
  progress.finish();
  if (const int signo = StopSignal::received()) {
    std::string resume = plan.command + " --resume " + shell_quote(out.string());
    if (sharded) resume += " --shard " + std::to_string(shard) + "/" + std::to_string(shards);
    std::cerr << "gradplug compare: stopped by " << (signo == SIGINT ? "SIGINT" : "SIGTERM") << ": "
              << reused + done - stopped << " of " << selected.size() << " runs finished, "
              << stopped << " stopped at a checkpoint, " << job_list.size() - done
              << " not started. Resume with: " << resume << "\n";
    return 128 + signo;
  }

  if (sharded) {
    // This shard's runs only: the others may be running elsewhere, and `report` merges them all.
    ComparePlan mine = plan;
    mine.runs.clear();
    for (std::size_t i : selected) mine.runs.push_back(plan.runs[i]);
    const CompareReport report = report_from_directory(out, mine);
    std::map<std::string, std::size_t> counts;
    for (const RunInfo& run : report.runs) ++counts[run.status];
    json statuses = json::object();
    std::string line;
    for (const auto& [status, n] : counts) {
      statuses[status] = n;
      line += (line.empty() ? "" : ", ") + std::to_string(n) + " " + status;
    }
    shard_record["finished"] = now_iso();
    shard_record["status"] = statuses;
    write_file_atomic(manifest, shard_record.dump(2) + "\n");
    std::cout << "gradplug compare: " << scope << selected.size() << " of " << plan.runs.size()
              << " runs: " << line << "\n";
    for (const RunInfo& run : report.runs)
      if (run.status != "ok")
        std::cout << "  " << run.variant << " seed " << run.seed << ": " << run.status
                  << (run.failure.empty() ? "" : " (" + run.failure + ")") << "\n";
    std::cout << "merge, once every shard is done: gradplug report " << out.string() << "\n";
    return counts["ok"] == selected.size() ? 0 : 1;
  }
  return write_and_print_report(report_from_directory(out, plan), out, format, plan);
}

}  // namespace gradplug::host
