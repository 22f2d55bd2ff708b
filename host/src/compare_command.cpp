// gradplug compare: which variant wins, by how much, and how sure we are. One run per variant,
// seed and sweep point, each a `gradplug train` process of its own (isolated, in parallel); every
// variant with the same seed gets the same data, split, initial weights and batch order. Then
// one table, compare.csv, summary.json, and the curves as loss.svg (and sensitivity.svg for
// sweeps). With --function, optimizers run on 2-D test functions instead (the playground).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <numeric>
#include <sstream>
#include <thread>

#include "cli.hpp"
#include "compare_report.hpp"
#include "config_node.hpp"
#include "experiment_config.hpp"
#include "files.hpp"
#include "gradplug/error.hpp"
#include "gradplug/schema.hpp"
#include "progress.hpp"
#include "run_pool.hpp"
#include "suggest.hpp"

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
};

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream in(text);
  while (std::getline(in, part, separator)) parts.push_back(part);
  if (!text.empty() && text.back() == separator) parts.emplace_back();
  return parts;
}

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
  return Variant{item, {"optimizer=" + flow(optimizer)}, item, {}};
}

// Values of a --sweep: a,b,c or logspace(lo,hi,n) or linspace(lo,hi,n).
std::vector<std::string> sweep_values(const std::string& text, const std::string& flag) {
  for (const char* kind : {"logspace(", "linspace("}) {
    if (text.rfind(kind, 0) != 0) continue;
    if (text.back() != ')') throw Error(flag + ": missing ')' in '" + text + "'");
    const auto args =
        split(text.substr(std::strlen(kind), text.size() - std::strlen(kind) - 1), ',');
    double lo = 0, hi = 0;
    long n = 0;
    try {
      if (args.size() != 3) throw std::invalid_argument("");
      lo = std::stod(args[0]);
      hi = std::stod(args[1]);
      n = std::stol(args[2]);
    } catch (const std::exception&) {
      throw Error(flag + ": expected " + std::string(kind) +
                  "LOW,HIGH,COUNT), e.g. logspace(1e-4,1,9)");
    }
    const bool log = kind[1] == 'o';
    if (n < 2 || n > 1000)
      throw Error(flag + ": COUNT must be 2 to 1000, got " + std::to_string(n));
    if (log && !(lo > 0 && hi > 0))
      throw Error(flag + ": logspace needs positive ends, got " + text);
    std::vector<std::string> values;
    for (long i = 0; i < n; ++i) {
      const double t = static_cast<double>(i) / static_cast<double>(n - 1);
      const double v = log ? std::pow(10.0, std::log10(lo) + t * (std::log10(hi) - std::log10(lo)))
                           : lo + t * (hi - lo);
      // Twelve significant digits: logspace(0.01,1,3) gives 0.01, 0.1, 1, not 0.010000000000000004.
      char text[32];
      std::snprintf(text, sizeof text, "%.12g", v);
      values.push_back(format_number(std::stod(text)));
    }
    return values;
  }
  auto values = split(text, ',');
  for (const auto& v : values)
    if (v.empty()) throw Error(flag + ": empty value in '" + text + "'");
  return values;
}

std::string slug(const std::string& label) {
  std::string out;
  for (char c : label)
    out += std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' ? c : '_';
  return out.substr(0, 80);
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
      "fail-fast", "stop at the first failed run")(
      "timeout", po::value<double>()->default_value(0),
      "seconds a run may take before it is stopped (0: no limit)")(
      "function", po::value<std::string>(),
      "the playground: rosenbrock, rastrigin, beale, booth, himmelblau, ill_conditioned")(
      "steps", po::value<std::size_t>()->default_value(500), "playground steps")(
      "plugin-dir", po::value<std::vector<std::string>>()->composing(),
      "also load plugins from DIR (repeatable)");
  po::positional_options_description positional;
  positional.add("config", 1);
  const auto vm = parse_command("compare", args, options, positional);
  if (vm.count("help")) {
    std::cout << "Compare optimizers (or any variants) side by side over seeds and sweeps.\n\n"
              << options << "\n";
    return 0;
  }
  const std::string format = vm["format"].as<std::string>();
  const std::vector<std::string> formats = {"table", "markdown", "csv", "json"};
  if (std::find(formats.begin(), formats.end(), format) == formats.end())
    throw Error("--format: unknown format '" + format + "'" + did_you_mean(format, formats) +
                "; valid: " + join(formats));
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
        if (const ConfigNode* label = entry.find("label")) {
          v.label = label->scalar;
          overrides.entries.erase(std::find_if(overrides.entries.begin(), overrides.entries.end(),
                                               [](const auto& e) { return e.first == "label"; }));
        }
        flatten(overrides, "", v.sets);
        if (v.label.empty()) v.label = join(v.sets, " ");
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
  if (variants.empty()) variants.push_back(Variant{"config", {}, "config", {}});
  // Sweeps form a grid applied to every variant.
  std::vector<std::pair<std::string, std::vector<std::string>>> sweeps;
  if (vm.count("sweep"))
    for (const auto& s : vm["sweep"].as<std::vector<std::string>>()) {
      const auto eq = s.find('=');
      if (eq == std::string::npos || eq == 0)
        throw Error("--sweep " + s + ": expected KEY=VALUES, e.g. optimizer.lr=0.1,0.01");
      sweeps.emplace_back(s.substr(0, eq), sweep_values(s.substr(eq + 1), "--sweep " + s));
    }
  for (Variant& v : variants) v.base = v.label;
  std::vector<Variant> grid = variants;
  for (const auto& [key, values] : sweeps) {
    std::vector<Variant> next;
    for (const Variant& v : grid)
      for (const auto& value : values) {
        Variant point = v;
        point.label = v.label + " " + key + "=" + value;
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
  std::vector<std::string> run_names;
  for (const Variant& v : grid) {
    ConfigNode copy = config;
    for (const auto& s : v.sets) apply_override(copy, s);
    (void)read_experiment(copy, registry, name, dir);
  }
  const std::size_t runs = grid.size() * seeds;
  if (vm.count("dry-run")) {
    std::cout << runs << " runs (" << grid.size() << " variants x " << seeds << " seeds):\n";
    for (const Variant& v : grid)
      for (std::size_t s = 0; s < seeds; ++s) {
        std::cout << "  " << v.label << "  seed " << base.seed + s << ":  gradplug train "
                  << config_path;
        for (const auto& set : v.sets) std::cout << " --set '" << set << "'";
        std::cout << " --set seed=" << base.seed + s << "\n";
      }
    return 0;
  }

  // A resumed comparison continues in its own directory, and only with the same base config.
  fs::path out;
  const std::string base_text = to_yaml(resolved_config(base, registry));
  if (vm.count("resume")) {
    if (vm.count("out"))
      throw Error("--resume: the comparison continues in its own directory; leave out --out");
    out = vm["resume"].as<std::string>();
    std::error_code ec;
    if (!fs::is_regular_file(out / "base.yaml", ec))
      throw Error("--resume " + out.string() +
                  ": not a comparison directory (it has no base.yaml)");
    std::ifstream in(out / "base.yaml");
    const std::string previous((std::istreambuf_iterator<char>(in)),
                               std::istreambuf_iterator<char>());
    if (previous != base_text)
      throw Error("--resume " + out.string() +
                  ": that comparison was made from another config (its base.yaml differs); give "
                  "the same config "
                  "and --set flags as before");
  } else {
    out = create_run_directory(vm.count("out") ? vm["out"].as<std::string>() : "", "runs",
                               "compare-" + base.name);
    write_file_atomic(out / "base.yaml", base_text);
  }
  std::vector<Job> job_list;
  std::vector<std::size_t> job_run;  // the run each job is for
  std::vector<RunInfo> infos;
  std::map<std::string, int> used;
  std::size_t reused = 0;
  for (const Variant& v : grid) {
    std::string folder = slug(v.label);
    if (used[folder]++) folder += "-" + std::to_string(used[folder]);
    for (std::size_t s = 0; s < seeds; ++s) {
      const fs::path run_dir = out / "runs" / folder / ("seed-" + std::to_string(base.seed + s));
      fs::create_directories(run_dir.parent_path());
      RunInfo info;
      info.variant = v.label;
      info.base = v.base;
      info.sweep = v.sweep;
      info.seed = base.seed + s;
      info.run_dir = run_dir;
      info.log = run_dir.parent_path() / ("seed-" + std::to_string(base.seed + s) + ".log");
      Job job;
      job.log = info.log;
      std::error_code ec;
      if (fs::exists(run_dir / "summary.json", ec)) {
        // Finished before: its own summary says how.
        std::ifstream in(run_dir / "summary.json");
        const json summary = json::parse(in, nullptr, false);
        info.status = !summary.is_discarded() && summary.value("stopped", "") != "non_finite"
                          ? "ok"
                          : "failed";
        ++reused;
        infos.push_back(info);
        continue;
      }
      if (fs::exists(run_dir / "model.json", ec) && fs::exists(run_dir / "config.yaml", ec)) {
        job.args = {"train", "--resume", run_dir.string(), "--quiet"};
      } else {
        fs::remove_all(run_dir, ec);  // started but without a checkpoint: start again
        job.args = {"train", (out / "base.yaml").string(), "--quiet", "--out", run_dir.string()};
        for (const auto& set : v.sets) job.args.insert(job.args.end(), {"--set", set});
        job.args.insert(job.args.end(), {"--set", "seed=" + std::to_string(base.seed + s)});
      }
      for (const auto& d : plugin_dirs) job.args.insert(job.args.end(), {"--plugin-dir", d});
      job_list.push_back(job);
      job_run.push_back(infos.size());
      infos.push_back(info);
    }
  }
  if (reused)
    std::cerr << "gradplug compare: " << reused << " runs already done, " << job_list.size()
              << " to run\n";
  Progress progress(stderr, job_list.size(), false);
  std::size_t done = 0, failed = 0;
  PoolOptions pool{jobs, vm["timeout"].as<double>(), vm.count("fail-fast") > 0};
  const auto results = run_jobs(job_list, pool, [&](std::size_t, const JobResult& r) {
    ++done;
    failed += r.status != JobResult::Status::Succeeded;
    progress.update(done, std::to_string(failed) + " failed");
  });
  progress.finish();
  for (std::size_t i = 0; i < results.size(); ++i) {
    infos[job_run[i]].status =
        results[i].status == JobResult::Status::Failed && results[i].exit_code < 0
            ? "crashed (signal " + std::to_string(-results[i].exit_code) + ")"
            : std::string(status_word(results[i].status));
    infos[job_run[i]].process_seconds = results[i].seconds;
  }

  CompareReport report =
      collect(infos, vm.count("target-loss") ? vm["target-loss"].as<double>() : NAN);
  report.title = base.name;
  for (const auto& [key, values] : sweeps) report.sweep_keys.push_back(key);
  std::string command = "gradplug compare";
  for (const auto& a : args) command += " " + a;
  report.command = command;
  write_outputs(report, out, vm.count("log-y") > 0);
  std::cout << render_table(report, format);
  if (format == "table" || format == "markdown") std::cout << "output: " << out.string() << "\n";
  return failed == 0 ? 0 : 1;
}

}  // namespace gradplug::host
