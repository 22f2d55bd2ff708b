// Reading model.json: every field checked against every other before the model is used
// (docs/model-format.md). The writer is model_file.cpp.
#include <cmath>
#include <limits>
#include <unordered_set>

#include "gradplug/error.hpp"
#include "gradplug/input_file.hpp"
#include "gradplug/limits.hpp"
#include "gradplug/loss.hpp"
#include "gradplug/schema.hpp"
#include "run/checksum.hpp"
#include "run/json_input.hpp"
#include "run/model_file.hpp"

namespace gradplug::host {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Reading, with errors that say where in the file the problem is.
class Reader {
 public:
  explicit Reader(std::string file) : file_(std::move(file)) {}

  [[noreturn]] void fail(const std::string& where, const std::string& what) const {
    throw Error(file_ + ": " + where + ": " + what);
  }
  const json& at(const json& object, const std::string& key, const std::string& where) const {
    if (!object.is_object() || !object.contains(key)) fail(where, "missing '" + key + "'");
    return object.at(key);
  }
  double number(const json& value, const std::string& where) const {
    if (value.is_null()) return std::numeric_limits<double>::infinity();
    if (!value.is_number()) fail(where, "expected a number");
    return value.get<double>();
  }
  std::vector<double> numbers(const json& value, const std::string& where, std::size_t size) const {
    if (!value.is_array()) fail(where, "expected a list of numbers");
    if (size != std::numeric_limits<std::size_t>::max() && value.size() != size)
      fail(where,
           "expected " + std::to_string(size) + " numbers, found " + std::to_string(value.size()));
    std::vector<double> out;
    out.reserve(value.size());
    for (std::size_t i = 0; i < value.size(); ++i) {
      if (!value[i].is_number()) fail(where + "[" + std::to_string(i) + "]", "expected a number");
      out.push_back(value[i].get<double>());
    }
    return out;
  }
  std::string text(const json& value, const std::string& where) const {
    if (!value.is_string()) fail(where, "expected a string");
    return value.get<std::string>();
  }
  std::size_t count(const json& value, const std::string& where) const {
    if (!value.is_number_unsigned()) fail(where, "expected a whole number >= 0");
    return value.get<std::size_t>();
  }
  std::array<std::uint64_t, 4> words(const json& value, const std::string& where) const {
    if (!value.is_array() || value.size() != 4) fail(where, "expected 4 hex words");
    std::array<std::uint64_t, 4> out{};
    for (std::size_t i = 0; i < 4; ++i) {
      if (!value[i].is_string()) fail(where, "expected 4 hex words");
      const std::string t = value[i].get<std::string>();
      char* end = nullptr;
      out[i] = std::strtoull(t.c_str(), &end, 16);
      if (t.size() < 3 || *end != '\0') fail(where, "'" + t + "' is not a hex word");
    }
    return out;
  }
  // A list of distinct, non-empty names (columns, classes).
  std::vector<std::string> names(const json& value, const std::string& where) const {
    if (!value.is_array()) fail(where, "expected a list of names");
    std::vector<std::string> out;
    std::unordered_set<std::string> seen;
    for (std::size_t i = 0; i < value.size(); ++i) {
      const std::string at = where + "[" + std::to_string(i) + "]";
      out.push_back(text(value[i], at));
      if (out.back().empty()) fail(at, "an empty name");
      if (!seen.insert(out.back()).second) fail(at, "'" + out.back() + "' appears twice");
    }
    return out;
  }

 private:
  std::string file_;
};

// The activation of a layer made from its name and named parameters, checked against the schema.
std::shared_ptr<const Activation> make_activation(const Reader& in, const json& spec,
                                                  const std::string& where,
                                                  const Registry& registry, std::string& name) {
  name = in.text(in.at(spec, "name", where), where + ".name");
  if (name == "linear") return nullptr;
  const LoadedPlugin* plugin = registry.find(GP_KIND_ACTIVATION, name);
  if (!plugin) {
    const auto known = registry.names(GP_KIND_ACTIVATION);
    std::string list;
    for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
    in.fail(where + ".name", "activation '" + name + "' is not loaded (known: " + list + ")");
  }
  const gp_descriptor& d = *plugin->descriptor;
  std::vector<gp_value> values = default_values(d.params, d.param_count);
  const json params = spec.contains("params") ? spec.at("params") : json::object();
  for (std::size_t i = 0; i < d.param_count; ++i) {
    if (!params.contains(d.params[i].name)) continue;
    const json& v = params.at(d.params[i].name);
    if (v.is_boolean())
      values[i].v[0] = v.get<bool>() ? 1 : 0;
    else if (v.is_array() && v.size() == 2)
      values[i] = gp_value{{in.number(v[0], where + ".params." + d.params[i].name + "[0]"),
                            in.number(v[1], where + ".params." + d.params[i].name + "[1]")}};
    else
      values[i].v[0] = in.number(v, where + ".params." + d.params[i].name);
  }
  try {
    return registry.create_activation(name, values);
  } catch (const Error& e) {
    in.fail(where, e.what());
  }
}

// A file from elsewhere gets the check a config gets: its loss must read its classes and fit its
// output width (a "bce" file naming three classes would predict nonsense).
void check_loss_and_classes(const Reader& in, const LoadedModel& m) {
  Dataset targets;
  targets.class_names = m.class_names;
  targets.target_name = m.target_name.empty() ? "y" : m.target_name;
  targets.target_columns = loss_is_classification(m.loss) ? 1 : m.model->outputs();
  if (loss_is_classification(m.loss) && m.class_names.empty())
    in.fail("data.classes", std::string("empty, but loss '") + loss_name(m.loss) +
                                "' is a classifier: the file must name its classes");
  try {
    check_loss_fits(m.loss, m.model->outputs(), targets);
  } catch (const Error& e) {
    if (e.key_path() == "loss") in.fail("data.classes", e.detail());
    // In the file's own terms: its class names, or its output layer, do not fit its loss.
    const std::string loss = std::string("loss '") + loss_name(m.loss) + "'";
    const std::string units = std::to_string(m.model->outputs()) + " units";
    if (loss_info(m.loss).width == OutputWidth::Classes)
      in.fail("data.classes", "names " + std::to_string(m.class_names.size()) +
                                  " classes for an output layer of " + units + "; " + loss +
                                  " needs one class name per output");
    in.fail("layers", "the output layer has " + units + ", but " + loss + " needs " +
                          std::to_string(loss_outputs(m.loss, targets)));
  }
}

LoadedModel read_document(const json& doc, const Reader& in, const Registry& registry) {
  LoadedModel m;
  m.name = doc.contains("name") ? in.text(doc["name"], "name") : "model";
  const std::string loss = in.text(in.at(doc, "loss", "root"), "loss");
  const auto& losses = loss_names();
  const auto it = std::find(losses.begin(), losses.end(), loss);
  if (it == losses.end()) in.fail("loss", "unknown loss '" + loss + "'");
  m.loss = static_cast<LossKind>(it - losses.begin());
  const std::size_t inputs = in.count(in.at(doc, "inputs", "root"), "inputs");
  if (inputs == 0) in.fail("inputs", "a model needs at least one input");
  // The same limits as a config's, so a damaged count cannot exhaust memory.
  constexpr std::size_t kMaxUnits = limits::kLayerUnits;
  constexpr double kMaxParameters = limits::kParameters;
  if (inputs > limits::kInputs) in.fail("inputs", "more inputs than gradplug trains with");
  double parameters = 0;
  const json& layers = in.at(doc, "layers", "root");
  if (!layers.is_array() || layers.empty())
    in.fail("layers", "expected a non-empty list of layers");

  std::vector<LayerSpec> specs;
  std::size_t fan_in = inputs;
  for (std::size_t l = 0; l < layers.size(); ++l) {
    const std::string where = "layers[" + std::to_string(l) + "]";
    LayerSpec spec;
    spec.size = in.count(in.at(layers[l], "units", where), where + ".units");
    if (spec.size == 0) in.fail(where + ".units", "a layer needs at least one unit");
    if (spec.size > kMaxUnits)
      in.fail(where + ".units", "more than " + std::to_string(kMaxUnits) + " units");
    parameters += static_cast<double>(spec.size) * static_cast<double>(fan_in + 1);
    if (parameters > kMaxParameters)
      in.fail(where, "the layers hold more than 50000000 parameters");
    fan_in = spec.size;
    spec.activation = make_activation(in, in.at(layers[l], "activation", where),
                                      where + ".activation", registry, spec.activation_name);
    specs.push_back(spec);
  }
  Random unused(0);
  m.model = std::make_unique<MLP>(inputs, specs, Init::Uniform, unused);
  for (std::size_t l = 0; l < layers.size(); ++l) {
    const std::string where = "layers[" + std::to_string(l) + "]";
    const Layer& layer = m.model->layers()[l];
    const json& weights = in.at(layers[l], "weights", where);
    if (!weights.is_array() || weights.size() != layer.outputs())
      in.fail(where + ".weights",
              "expected " + std::to_string(layer.outputs()) + " rows (one per unit)");
    const auto biases =
        in.numbers(in.at(layers[l], "biases", where), where + ".biases", layer.outputs());
    for (std::size_t j = 0; j < layer.outputs(); ++j) {
      const auto row =
          in.numbers(weights[j], where + ".weights[" + std::to_string(j) + "]", layer.inputs());
      const Neuron& n = layer.neurons[j];
      std::copy(row.begin(), row.end(),
                m.model->parameters().begin() + static_cast<std::ptrdiff_t>(n.offset));
      m.model->parameters()[n.bias_offset()] = biases[j];
    }
  }
  for (double p : m.model->parameters())
    if (!std::isfinite(p)) in.fail("layers", "a weight is not finite");

  const json& data = in.at(doc, "data", "root");
  // predict and evaluate find each input's column by its name: one distinct name per input.
  m.feature_names = in.names(in.at(data, "features", "data"), "data.features");
  if (m.feature_names.size() != inputs)
    in.fail("data.features", "names " + std::to_string(m.feature_names.size()) +
                                 " features for the model's " + std::to_string(inputs) +
                                 " inputs; give one column name per input");
  m.target_name = data.contains("target") ? in.text(data["target"], "data.target") : "";
  m.class_names = in.names(in.at(data, "classes", "data"), "data.classes");
  check_loss_and_classes(in, m);
  const json& standardize = in.at(data, "standardize", "data");
  m.standardizer.mean =
      in.numbers(in.at(standardize, "mean", "data.standardize"), "data.standardize.mean", inputs);
  m.standardizer.scale =
      in.numbers(in.at(standardize, "scale", "data.standardize"), "data.standardize.scale", inputs);
  for (double s : m.standardizer.scale)
    if (!(s > 0) || !std::isfinite(s))
      in.fail("data.standardize.scale", "scales must be positive and finite");

  if (doc.contains("optimizer")) {
    const json& opt = doc["optimizer"];
    m.optimizer_name = in.text(in.at(opt, "name", "optimizer"), "optimizer.name");
    if (opt.contains("state") && opt["state"].is_object())
      for (const auto& [key, value] : opt["state"].items())
        m.optimizer_state.emplace_back(key, in.numbers(value, "optimizer.state." + key,
                                                       std::numeric_limits<std::size_t>::max()));
  }
  if (doc.contains("training")) {
    const json& t = doc["training"];
    TrainState& s = m.train_state;
    s.started = true;
    s.step = in.count(in.at(t, "step", "training"), "training.step");
    m.steps_planned = in.count(in.at(t, "steps", "training"), "training.steps");
    const json& order = in.at(t, "order", "training");
    if (!order.is_array()) in.fail("training.order", "expected a list of row indices");
    for (const auto& v : order) {
      if (!v.is_number_unsigned()) in.fail("training.order", "expected row indices");
      s.order.push_back(v.get<std::size_t>());
    }
    const json& rng = in.at(t, "rng", "training");
    s.order_rng = in.words(in.at(rng, "order", "training.rng"), "training.rng.order");
    s.dropout_rng = in.words(in.at(rng, "dropout", "training.rng"), "training.rng.dropout");
    s.best_validation_loss =
        in.number(in.at(t, "best_validation_loss", "training"), "training.best_validation_loss");
    s.best_step = in.count(in.at(t, "best_step", "training"), "training.best_step");
    s.epochs_without_improvement = in.count(in.at(t, "epochs_without_improvement", "training"),
                                            "training.epochs_without_improvement");
  }
  return m;
}

}  // namespace

LoadedModel read_model(const fs::path& file, const Registry& registry) {
  const std::string name = file.string();
  return read_model_text(read_input_file(name, limits::kModelBytes, "model file"), name, registry);
}

LoadedModel read_model_text(const std::string& text, const std::string& name,
                            const Registry& registry) {
  const json doc = parse_json_document(text, name, "model file");
  const Reader in(name);
  if (!doc.is_object() || !doc.contains("format") || doc["format"] != kModelFormat)
    throw Error(name + ": not a gradplug model file (no \"format\": \"" + kModelFormat + "\")");
  if (!doc.contains("format_version") || !doc["format_version"].is_number_integer() ||
      doc["format_version"].get<std::int64_t>() != kModelFormatVersion)
    throw Error(
        name + ": model format version " +
        (doc.contains("format_version") ? doc["format_version"].dump() : std::string("(missing)")) +
        ", this gradplug reads version " + std::to_string(kModelFormatVersion));
  // A file without a checksum comes from elsewhere (an editor, another program): it is read with
  // every check below. A checksum that does not match means damage, or an edit made in place.
  if (std::string problem; doc.contains("checksum") && !checksum_matches(doc, problem))
    throw Error(name + ": refused: " + problem +
                "; use an intact copy or the run's last good checkpoint, or, if you edited the "
                "file on purpose, delete its \"checksum\" line to have it read as a file from "
                "elsewhere (every shape and number is still checked)");

  // Every shape and type is checked as it is read; anything the checks miss still surfaces as a
  // clear error, never as a crash.
  try {
    return read_document(doc, in, registry);
  } catch (const json::exception& e) {
    throw Error(name + ": malformed model file: " + e.what());
  }
}

void check_checkpoint_fits(const LoadedModel& m, std::size_t training_rows, std::size_t steps,
                           const std::string& file) {
  const TrainState& s = m.train_state;
  const Reader in(file);
  const std::string config = " (the run's config.yaml); the checkpoint is not this run's";
  if (s.step > steps)
    in.fail("training.step", "step " + std::to_string(s.step) + " is beyond the " +
                                 std::to_string(steps) + " steps planned" + config);
  if (s.best_step > s.step)
    in.fail("training.best_step", std::to_string(s.best_step) + " is after the checkpoint's step " +
                                      std::to_string(s.step));
  if (s.order.size() != training_rows)
    in.fail("training.order", "orders " + std::to_string(s.order.size()) + " rows, the data have " +
                                  std::to_string(training_rows) + " training rows" + config);
  std::vector<bool> seen(training_rows, false);
  for (std::size_t i = 0; i < s.order.size(); ++i) {
    const std::string at = "training.order[" + std::to_string(i) + "]";
    if (s.order[i] >= training_rows)
      in.fail(at, "row " + std::to_string(s.order[i]) + " is beyond the " +
                      std::to_string(training_rows) + " training rows (0 to " +
                      std::to_string(training_rows - 1) + ")");
    if (seen[s.order[i]]) in.fail(at, "row " + std::to_string(s.order[i]) + " appears twice");
    seen[s.order[i]] = true;
  }
}

}  // namespace gradplug::host
