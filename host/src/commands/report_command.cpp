// gradplug report DIR: one comparison's report from its directory alone, whoever ran the runs
// (a local compare, shards on a cluster, or several resumed attempts). The same table, files and
// plots as a local `compare`, because a local compare ends with the very same function.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/cli.hpp"
#include "cli/suggest.hpp"
#include "compare/compare_plan.hpp"
#include "gradplug/error.hpp"
#include "gradplug/registry.hpp"
#include "run/record.hpp"

namespace gradplug::host {

namespace po = boost::program_options;
namespace fs = std::filesystem;
using nlohmann::json;

int write_and_print_report(const CompareReport& report, const fs::path& dir,
                           const std::string& format, const ComparePlan& plan) {
  write_outputs(report, dir, plan.log_y);
  std::cout << render_table(report, format);
  std::size_t missing = 0, not_ok = 0;
  for (const RunInfo& run : report.runs) {
    missing += run.status == "missing";
    not_ok += run.status != "ok";
  }
  if (format == "table" || format == "markdown") {
    if (missing)
      std::cout << missing << " of " << report.runs.size()
                << " runs missing; run them (and only them) with: " << plan.command << " --resume "
                << dir.string() << " [--shard I/N]\n";
    std::cout << "output: " << dir.string() << "\n";
  }
  return not_ok == 0 ? 0 : 1;
}

int command_report(const std::vector<std::string>& args) {
  po::options_description options("gradplug report DIR [--format table|markdown|csv|json]");
  options.add_options()("help", "show this help")("dir", po::value<std::string>(),
                                                  "the comparison directory (compare's --out)")(
      "format", po::value<std::string>()->default_value("table"), "table, markdown, csv or json");
  po::positional_options_description positional;
  positional.add("dir", 1);
  const auto vm = parse_command("report", args, options, positional);
  if (vm.count("help")) {
    std::cout << "Merge every run of a comparison directory (local, sharded or on a cluster) into "
                 "its table, compare.csv, summary.json and plots.\n\n"
              << options << "\n";
    return 0;
  }
  const std::string format = vm["format"].as<std::string>();
  check_table_format(format);
  if (!vm.count("dir"))
    throw Error(
        "gradplug report: missing the comparison directory, e.g. gradplug report "
        "runs/compare-moons-20261128-101500");
  const fs::path dir = vm["dir"].as<std::string>();
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw Error("gradplug report: " + dir.string() + ": no such directory");
  const ComparePlan plan = read_plan(dir);
  // Every record is read (and a damaged one refused) before anything is printed or written.
  const CompareReport report = report_from_directory(dir, plan);

  // Shards that started and never said they finished: their tasks were lost or are still running.
  std::ostringstream shard_lines;
  if (fs::is_directory(dir / "shards", ec)) {
    std::size_t started = 0, finished = 0;
    for (const auto& entry : fs::directory_iterator(dir / "shards")) {
      if (entry.path().extension() != ".json") continue;
      const Record record = Record::read(entry.path(), "shard record");
      ++started;
      const std::uint64_t shard = record.whole("shard"), shards = record.whole("shards");
      const std::string host = record.text("host"), when = record.text("started");
      if (record.has("finished")) {
        record.text("finished");
        ++finished;
      } else {
        shard_lines << "gradplug report: shard " << shard << "/" << shards << " started on "
                    << escape_control(host) << " at " << escape_control(when)
                    << " and has not finished (still running, or its task was lost)\n";
      }
    }
    if (started)
      shard_lines << "gradplug report: " << finished << " of " << started << " shards finished\n";
  }
  std::cerr << shard_lines.str();
  return write_and_print_report(report, dir, format, plan);
}

}  // namespace gradplug::host
