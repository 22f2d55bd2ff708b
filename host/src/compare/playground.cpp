// The optimizer playground: `gradplug compare --function rosenbrock --optimizers sgd,adam`.
// The same optimizer plugins as in training walk a 2-D test function from its standard start;
// the table gives the final value and the distance to the nearest minimum, and
// trajectories.svg draws every path over a contour map.
#include <cmath>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/cli.hpp"
#include "cli/suggest.hpp"
#include "config/number_text.hpp"
#include "gradplug/error.hpp"
#include "gradplug/schema.hpp"
#include "gradplug/test_functions.hpp"
#include "plot/svg_plot.hpp"
#include "run/files.hpp"

namespace gradplug::host {

namespace po = boost::program_options;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

struct Walk {
  std::string label;
  std::vector<double> xs, ys, values;
  bool diverged = false;
};

// "adam" or "adam:lr=0.05:amsgrad=true": the plugin with its schema defaults, then the overrides,
// each checked against the schema.
std::shared_ptr<Optimizer> make_optimizer(const Registry& registry, const std::string& item) {
  std::vector<std::string> parts;
  std::istringstream in(item);
  for (std::string p; std::getline(in, p, ':');) parts.push_back(p);
  if (parts.empty() || parts[0].empty()) throw Error("--optimizers: empty name in '" + item + "'");
  const LoadedPlugin* plugin = registry.find(GP_KIND_OPTIMIZER, parts[0]);
  if (!plugin) {
    const auto known = registry.names(GP_KIND_OPTIMIZER);
    throw Error("--optimizers: unknown optimizer '" + parts[0] + "'" +
                did_you_mean(parts[0], known) + "; known: " + join(known));
  }
  const gp_descriptor& d = *plugin->descriptor;
  auto values = default_values(d.params, d.param_count);
  for (std::size_t i = 1; i < parts.size(); ++i) {
    const auto eq = parts[i].find('=');
    const std::string key = parts[i].substr(0, eq);
    std::size_t k = 0;
    while (k < d.param_count && key != d.params[k].name) ++k;
    if (eq == std::string::npos || k == d.param_count) {
      std::vector<std::string> names;
      for (std::size_t j = 0; j < d.param_count; ++j) names.emplace_back(d.params[j].name);
      throw Error("--optimizers " + item + ": '" + parts[i] + "' is not a parameter of " +
                  parts[0] + did_you_mean(key, names) + "; its parameters: " + join(names));
    }
    const std::string text = parts[i].substr(eq + 1);
    double v = 0;
    if (d.params[k].type == GP_PARAM_BOOL && (text == "true" || text == "false"))
      v = text == "true";
    else if (const std::string problem = real_problem(text, "'" + text + "'", v); !problem.empty())
      throw Error("--optimizers " + item + ": " + key + ": " + problem);
    if (!in_range(d.params[k], v))
      throw Error("--optimizers " + item + ": " + key + "=" + text + " is out of range; expected " +
                  describe_accepted(d.params[k]));
    values[k].v[0] = v;
    if (d.params[k].type == GP_PARAM_PAIR) values[k].v[1] = v;
  }
  return registry.create_optimizer(parts[0], values);
}

}  // namespace

int command_playground(const po::variables_map& vm) {
  const std::string name = vm["function"].as<std::string>();
  const TestFunction* f = find_test_function(name);
  if (!f) {
    std::vector<std::string> names;
    for (const auto& t : test_functions()) names.push_back(t.name);
    throw Error("--function: unknown function '" + name + "'" + did_you_mean(name, names) +
                "; known: " + join(names));
  }
  if (!vm.count("optimizers"))
    throw Error(
        "--function: give the optimizers to walk it, e.g. --optimizers "
        "sgd:lr=0.001,rmsprop,adam:lr=0.05");
  const std::size_t steps = vm["steps"].as<std::size_t>();
  if (steps < 1 || steps > 1000000)
    throw Error("--steps: expected 1 to 1000000, got " + std::to_string(steps));
  const Registry registry =
      load_registry(vm.count("plugin-dir") ? vm["plugin-dir"].as<std::vector<std::string>>()
                                           : std::vector<std::string>{});
  std::vector<std::pair<std::string, std::shared_ptr<Optimizer>>> optimizers;
  std::istringstream list(vm["optimizers"].as<std::string>());
  for (std::string item; std::getline(list, item, ',');)
    optimizers.emplace_back(item, make_optimizer(registry, item));

  std::vector<Walk> walks;
  for (auto& [label, optimizer] : optimizers) {
    Walk w;
    w.label = label;
    double p[2] = {f->start[0], f->start[1]};
    std::array<double, 2> g{};
    optimizer->reset(2);
    w.xs.push_back(p[0]);
    w.ys.push_back(p[1]);
    w.values.push_back(f->value_and_gradient(p[0], p[1], g));
    for (std::size_t s = 0; s < steps; ++s) {
      optimizer->step(p, g.data(), 2, optimizer->base_lr());
      const double value = f->value_and_gradient(p[0], p[1], g);
      w.xs.push_back(p[0]);
      w.ys.push_back(p[1]);
      w.values.push_back(value);
      if (!std::isfinite(value) || !std::isfinite(g[0]) || !std::isfinite(g[1])) {
        w.diverged = true;
        break;
      }
    }
    walks.push_back(std::move(w));
  }

  const ClaimedDirectory claimed =
      create_run_directory(vm.count("out") ? vm["out"].as<std::string>() : "", "runs",
                           "playground-" + name, "gradplug compare --function");
  const fs::path& out = claimed.path;
  auto distance = [&](double x, double y) {
    double best = INFINITY;
    for (const auto& m : f->minima) best = std::min(best, std::hypot(x - m[0], y - m[1]));
    return best;
  };
  std::ostringstream csv, table;
  csv << "optimizer,final_value,distance_to_minimum,steps,status,final_x,final_y\n";
  json results = json::array();
  const std::string format = vm["format"].as<std::string>();
  table << f->name << ": f = " << f->formula << ", start (" << format_number(f->start[0]) << ", "
        << format_number(f->start[1]) << "), " << steps << " steps\n";
  char line[256];
  std::snprintf(line, sizeof line, "%-28s %14s %14s %8s  %s\n", "optimizer", "final f",
                "to minimum", "steps", "status");
  table << line << std::string(78, '-') << "\n";
  for (const Walk& w : walks) {
    const double fx = w.values.back(), d = distance(w.xs.back(), w.ys.back());
    const std::string status = w.diverged ? "diverged" : "ok";
    std::snprintf(line, sizeof line, "%-28s %14.6g %14.6g %8zu  %s\n", w.label.c_str(), fx, d,
                  w.values.size() - 1, status.c_str());
    table << line;
    csv << w.label << "," << format_number(fx) << "," << format_number(d) << ","
        << w.values.size() - 1 << "," << status << "," << format_number(w.xs.back()) << ","
        << format_number(w.ys.back()) << "\n";
    auto n = [](double x) { return std::isfinite(x) ? json(x) : json(nullptr); };
    results.push_back({{"optimizer", w.label},
                       {"final_value", n(fx)},
                       {"distance_to_minimum", n(d)},
                       {"steps", w.values.size() - 1},
                       {"status", status},
                       {"path_x", w.xs},
                       {"path_y", w.ys}});
  }
  write_file_atomic(out / "compare.csv", csv.str());
  write_file_atomic(out / "summary.json", json{{"function", f->name},
                                               {"formula", f->formula},
                                               {"start", f->start},
                                               {"minima", f->minima},
                                               {"steps", steps},
                                               {"results", results}}
                                                  .dump(2) +
                                              "\n");
  ContourPlot plot;
  plot.title = f->name + ": " + f->formula;
  plot.x_min = f->view[0];
  plot.x_max = f->view[1];
  plot.y_min = f->view[2];
  plot.y_max = f->view[3];
  plot.f = [f](double x, double y) { return (*f)(x, y); };
  for (const Walk& w : walks)
    plot.paths.push_back(Series{w.label + (w.diverged ? " (diverged)" : ""), w.xs, w.ys, {}, {}});
  for (const auto& m : f->minima) plot.minima.emplace_back(m[0], m[1]);
  write_file_atomic(out / "trajectories.svg", render_contour_svg(plot));
  if (format == "json")
    std::cout << json{{"function", f->name}, {"results", results}}.dump(2) << "\n";
  else if (format == "csv")
    std::cout << csv.str();
  else
    std::cout << table.str() << "output: " << out.string() << "\n";
  return 0;
}

}  // namespace gradplug::host
