#include "run/model_file.hpp"

#include <cmath>
#include <cstdio>

#include "gradplug/error.hpp"
#include "gradplug/loss.hpp"
#include "gradplug/schema.hpp"
#include "run/checksum.hpp"

namespace gradplug::host {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Generator states are 64-bit words; JSON readers outside C++ often hold numbers as doubles, so
// they are written as hex strings.
json hex_words(const std::array<std::uint64_t, 4>& words) {
  json out = json::array();
  for (std::uint64_t w : words) {
    char text[24];
    std::snprintf(text, sizeof text, "0x%016llx", static_cast<unsigned long long>(w));
    out.push_back(text);
  }
  return out;
}

// JSON has no infinity: a non-finite number is written as null.
json number_or_null(double x) { return std::isfinite(x) ? json(x) : json(nullptr); }

json plugin_params(const Registry& registry, gp_kind kind, const PluginChoice& choice) {
  json params = json::object();
  if (choice.name == "linear") return params;
  const gp_descriptor& d = *registry.get(kind, choice.name).descriptor;
  for (std::size_t i = 0; i < d.param_count; ++i) {
    const gp_param& p = d.params[i];
    const gp_value& v = choice.values[i];
    if (p.type == GP_PARAM_BOOL)
      params[p.name] = v.v[0] != 0;
    else if (p.type == GP_PARAM_PAIR)
      params[p.name] = {v.v[0], v.v[1]};
    else
      params[p.name] = v.v[0];
  }
  return params;
}

}  // namespace

json model_to_json(const ExperimentSpec& spec, const Experiment& e, const TrainState& state,
                   const Registry& registry) {
  const MLP& model = *e.model;
  json layers = json::array();
  for (std::size_t l = 0; l < model.layers().size(); ++l) {
    const Layer& layer = model.layers()[l];
    const PluginChoice& act =
        l + 1 < model.layers().size() ? spec.activations[l] : spec.output_activation;
    json weights = json::array(), biases = json::array();
    for (const Neuron& n : layer.neurons) {
      weights.push_back(std::vector<double>(
          model.parameters().begin() + static_cast<std::ptrdiff_t>(n.offset),
          model.parameters().begin() + static_cast<std::ptrdiff_t>(n.bias_offset())));
      biases.push_back(model.parameters()[n.bias_offset()]);
    }
    layers.push_back(
        {{"units", layer.outputs()},
         {"activation",
          {{"name", act.name}, {"params", plugin_params(registry, GP_KIND_ACTIVATION, act)}}},
         {"weights", weights},
         {"biases", biases}});
  }
  json optimizer_state = json::object();
  for (const auto& [name, values] : e.optimizer->save()) optimizer_state[name] = values;
  return {
      {"format", kModelFormat},
      {"format_version", kModelFormatVersion},
      {"gradplug_version", GRADPLUG_VERSION},
      {"name", spec.name},
      {"loss", loss_name(spec.loss)},
      {"inputs", model.inputs()},
      {"layers", layers},
      {"data",
       {{"features", e.data.feature_names},
        {"target", e.data.target_name},
        {"classes", e.data.class_names},
        {"standardize", {{"mean", e.standardizer.mean}, {"scale", e.standardizer.scale}}}}},
      {"optimizer",
       {{"name", spec.optimizer.name},
        {"params", plugin_params(registry, GP_KIND_OPTIMIZER, spec.optimizer)},
        {"state", optimizer_state}}},
      {"training",
       {{"step", state.step},
        {"steps", e.options.steps},
        {"order", state.order},
        {"rng", {{"order", hex_words(state.order_rng)}, {"dropout", hex_words(state.dropout_rng)}}},
        {"best_validation_loss", number_or_null(state.best_validation_loss)},
        {"best_step", state.best_step},
        {"epochs_without_improvement", state.epochs_without_improvement}}},
  };
}

fs::path model_path(const std::string& run_dir_or_model) {
  const fs::path p(run_dir_or_model);
  std::error_code ec;
  return fs::is_directory(p, ec) ? p / "model.json" : p;
}

void copy_weights(const MLP& from, MLP& to, const std::string& from_name) {
  auto shape = [](const MLP& m, std::size_t l) {
    const Layer& layer = m.layers()[l];
    return std::to_string(layer.inputs()) + " inputs x " + std::to_string(layer.outputs()) +
           " units";
  };
  if (from.layers().size() != to.layers().size())
    throw Error(from_name + ": has " + std::to_string(from.layers().size()) +
                " layers, the config has " + std::to_string(to.layers().size()) +
                "; --init needs the same architecture");
  for (std::size_t l = 0; l < to.layers().size(); ++l)
    if (from.layers()[l].inputs() != to.layers()[l].inputs() ||
        from.layers()[l].outputs() != to.layers()[l].outputs())
      throw Error(from_name + ": layer " + std::to_string(l + 1) + " is " + shape(from, l) +
                  ", the config's is " + shape(to, l) + "; --init needs the same architecture");
  std::copy(from.parameters().begin(), from.parameters().end(), to.parameters().begin());
}

}  // namespace gradplug::host
