// gradplug graph CONFIG: the Value graph of one forward and backward pass on one sample, as
// Graphviz DOT in the style of micrograd's draw_dot (each value with its data and grad, each op
// as a small node between its inputs and its result), plus an SVG when `dot` is installed.
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "cli/cli.hpp"
#include "commands/graph_dot.hpp"
#include "config/config_node.hpp"
#include "config/experiment_config.hpp"
#include "gradplug/error.hpp"
#include "gradplug/schema.hpp"
#include "gradplug/value.hpp"
#include "run/files.hpp"

extern char** environ;

namespace gradplug::host {

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace {

constexpr std::uint32_t kMaxGraphNodes = 3000;

std::string dot_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\' || c == '{' || c == '}' || c == '|' || c == '<' || c == '>')
      out += '\\';
    out += c;
  }
  return out;
}

std::string short_number(double x) {
  char text[32];
  std::snprintf(text, sizeof text, "%.4g", x);
  return text;
}

// Where `dot` is, or "" when it is not on the PATH.
std::string find_dot() {
  const char* path = std::getenv("PATH");
  if (!path) return "";
  for (const auto& dir : Registry::split_path_list(path)) {
    const fs::path candidate = dir / "dot";
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return "";
}

// The label of a node's op: its symbol with any constant filled in, or its activation's name.
std::string op_label(const Tape& tape, const Node& n,
                     const std::vector<std::pair<const Activation*, std::string>>& activations) {
  std::string label = op_name(n.op);
  switch (op_info(n.op).operands) {
    case Operands::Constant:
      label.replace(label.find('k'), 1, short_number(n.k()));
      break;
    case Operands::Activation:
      label = "activation";
      for (const auto& [activation, name] : activations)
        if (activation == tape.activation(n.aux())) label = name;
      break;
    default:
      break;
  }
  return label;
}

}  // namespace

std::string graph_dot(const Tape& tape, const std::vector<std::string>& value_names,
                      const std::vector<std::pair<const Activation*, std::string>>& activations,
                      const std::string& title) {
  std::ostringstream dot;
  dot << "// gradplug graph of " << title << "\n"
      << "digraph gradplug {\n  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=10];\n";
  for (std::uint32_t i = 0; i < tape.size(); ++i) {
    const Node& n = tape.node(i);
    const std::string name = i < value_names.size() ? value_names[i] : "";
    const std::string label = name.empty() ? "" : dot_escape(name) + " | ";
    dot << "  v" << i << " [shape=record, label=\"{ " << label << "data " << short_number(n.data)
        << " | grad " << short_number(n.grad) << " }\"];\n";
    if (op_info(n.op).operands == Operands::None) continue;
    dot << "  op" << i << " [shape=ellipse, label=\"" << dot_escape(op_label(tape, n, activations))
        << "\"];\n  op" << i << " -> v" << i << ";\n";
    for (std::uint32_t in : tape.inputs(i)) dot << "  v" << in << " -> op" << i << ";\n";
  }
  dot << "}\n";
  return dot.str();
}

int command_graph(const std::vector<std::string>& args) {
  po::options_description options("gradplug graph CONFIG.yaml --out graph.dot [--sample I]");
  options.add_options()("help", "show this help")("config", po::value<std::string>(),
                                                  "the experiment config")(
      "out", po::value<std::string>(),
      "the DOT file to write (an SVG is written beside it when `dot` is installed)")(
      "sample", po::value<std::size_t>()->default_value(0),
      "which training row to push through the graph (0-based)")(
      "set", po::value<std::vector<std::string>>()->composing(),
      "override a config value (as for train)")("plugin-dir",
                                                po::value<std::vector<std::string>>()->composing(),
                                                "also load plugins from DIR (repeatable)");
  po::positional_options_description positional;
  positional.add("config", 1);
  const auto vm = parse_command("graph", args, options, positional);
  if (vm.count("help")) {
    std::cout << "Draw the Value graph of one forward and backward pass.\n\n" << options << "\n";
    return 0;
  }
  if (!vm.count("config") || !vm.count("out"))
    throw Error("gradplug graph: usage: gradplug graph CONFIG.yaml --out graph.dot [--sample I]");
  const std::string config_path = vm["config"].as<std::string>();
  const Registry registry =
      load_registry(vm.count("plugin-dir") ? vm["plugin-dir"].as<std::vector<std::string>>()
                                           : std::vector<std::string>{});
  ConfigNode config = load_config_file(config_path);
  if (vm.count("set"))
    for (const auto& assignment : vm["set"].as<std::vector<std::string>>())
      apply_override(config, assignment);
  const ExperimentSpec spec =
      read_experiment(config, registry, fs::path(config_path).stem().string(),
                      fs::path(config_path).parent_path().string());
  Experiment e = [&] {
    try {
      return build_experiment(spec, registry);
    } catch (const Error& err) {
      throw Error(with_location(config, err.what()));
    }
  }();
  const std::size_t sample = vm["sample"].as<std::size_t>();
  if (sample >= e.data.rows)
    throw Error("--sample " + std::to_string(sample) + ": the training split has rows 0 to " +
                std::to_string(e.data.rows - 1));

  Tape tape;
  std::vector<std::uint32_t> params;
  e.model->bind(tape, params);
  Trainer trainer(spec.loss, {});
  const std::uint32_t root = trainer.build_loss(tape, *e.model, params, e.data, {sample});
  if (tape.size() > kMaxGraphNodes)
    throw Error("the graph of this model has " + std::to_string(tape.size()) +
                " nodes, more than the " + std::to_string(kMaxGraphNodes) +
                " that can still be read as a picture; draw a smaller model, e.g. --set "
                "model.layers=[4,4,1]");
  tape.backward(root);

  // Names for the leaves: parameters by layer, neuron and input; inputs as x1, x2, ...
  std::vector<std::string> names(tape.size());
  for (std::size_t l = 0; l < e.model->layers().size(); ++l) {
    const Layer& layer = e.model->layers()[l];
    for (std::size_t j = 0; j < layer.outputs(); ++j) {
      const Neuron& n = layer.neurons[j];
      for (std::size_t k = 0; k < n.inputs; ++k)
        names[params[n.offset + k]] =
            "w" + std::to_string(l + 1) + "." + std::to_string(j + 1) + "." + std::to_string(k + 1);
      names[params[n.bias_offset()]] = "b" + std::to_string(l + 1) + "." + std::to_string(j + 1);
    }
  }
  std::size_t input = 0;
  for (std::uint32_t i = static_cast<std::uint32_t>(params.size());
       i < tape.size() && input < e.data.features; ++i)
    if (tape.node(i).op == Op::Const) names[i] = "x" + std::to_string(++input);
  names[root] = "loss";

  std::vector<std::pair<const Activation*, std::string>> activations;
  for (const Layer& layer : e.model->layers())
    activations.emplace_back(layer.activation.get(), layer.activation_name);
  const std::string dot = graph_dot(tape, names, activations,
                                    config_path + ", sample " + std::to_string(sample) + ": " +
                                        std::to_string(tape.size()) + " values");

  const fs::path out = vm["out"].as<std::string>();
  write_output_file(out.string(), dot, "--out");
  std::cout << "gradplug graph: " << tape.size() << " values written to " << out.string() << "\n";
  const std::string dot_program = find_dot();
  if (dot_program.empty()) {
    std::cout << "(install Graphviz, e.g. apt-get install graphviz, for an SVG: dot -Tsvg "
              << out.string() << ")\n";
    return 0;
  }
  fs::path svg = out;
  svg.replace_extension(".svg");
  const fs::path partial = svg.string() + ".partial";
  const std::string output_flag = "-o" + partial.string();
  std::vector<std::string> argv_text = {dot_program, "-Tsvg", output_flag, out.string()};
  std::vector<char*> argv;
  for (auto& a : argv_text) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  int status = 0;
  if (posix_spawn(&pid, dot_program.c_str(), nullptr, nullptr, argv.data(), environ) != 0 ||
      waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::error_code ec;
    fs::remove(partial, ec);
    std::cerr << "gradplug graph: warning: dot could not draw " << out.string()
              << "; the DOT file is complete\n";
    return 0;
  }
  fs::rename(partial, svg);
  std::cout << "and drawn as " << svg.string() << "\n";
  return 0;
}

}  // namespace gradplug::host
