#include "gradplug/experiment.hpp"

#include "gradplug/csv.hpp"
#include "gradplug/error.hpp"
#include "gradplug/generators.hpp"
#include "gradplug/limits.hpp"
#include "gradplug/memory_estimate.hpp"

namespace gradplug {

namespace {

// Runs make(); an Error it throws is prefixed with the config path of what was being made, so
// the host can point at the right line.
template <class F>
auto at_path(const std::string& path, F make) {
  try {
    return make();
  } catch (const Error& e) {
    throw Error(path + ": " + e.what());
  }
}

// Generators draw from their own stream, so changing the init or the batch order never changes
// the data.
constexpr std::uint64_t kDataStream = 0xDA7A;
constexpr std::uint64_t kInitStream = 0x1417;
constexpr std::uint64_t kSplitStream = 0x5B17;
}  // namespace

const std::vector<std::string>& data_source_names() {
  static const std::vector<std::string> names = {"inline", "csv",     "seed4",   "xor",
                                                 "moons",  "circles", "spirals", "blobs"};
  return names;
}

Dataset make_dataset(const ExperimentSpec& spec) {
  const DataSpec& d = spec.data;
  Random rng(spec.seed ^ kDataStream);
  Dataset data = [&] {
    switch (d.source) {
      case DataSpec::Source::Inline:
        return d.inline_data;
      case DataSpec::Source::Csv:
        return load_csv(d.path, d.target, loss_is_classification(spec.loss));
      case DataSpec::Source::Seed4:
        return make_seed4();
      case DataSpec::Source::Xor:
        return make_xor(d.samples, d.noise, rng);
      case DataSpec::Source::Moons:
        return make_moons(d.samples, d.noise, rng);
      case DataSpec::Source::Circles:
        return make_circles(d.samples, d.noise, d.factor, rng);
      case DataSpec::Source::Spirals:
        return make_spirals(d.classes, d.points_per_class, d.noise, rng);
      case DataSpec::Source::Blobs:
        return make_blobs(d.samples, d.centers, d.features, d.cluster_std, d.center_box, rng);
    }
    return Dataset{};
  }();
  if (data.feature_names.size() != data.features) data.name_features();
  return data;
}

namespace {

// Refuses a run that cannot fit in memory, before its buffers are allocated, with what it would
// need and what makes it smaller.
void check_memory(const ExperimentSpec& spec, const Experiment& e) {
  const std::size_t train = e.data.rows;
  const std::size_t batch = spec.batch_size == 0 ? train : std::min(spec.batch_size, train);
  // Evaluation takes a split in chunks of at most kEvaluationChunk rows.
  const std::size_t at_once = std::max(
      batch, std::min(kEvaluationChunk, std::max({train, e.validation.rows, e.test.rows})));
  const MemoryNeed need =
      estimate_memory(e.data.features, spec.layers, at_once, batch, spec.engine);
  const double available = available_memory_bytes();
  if (need.bytes <= 0.8 * available) return;
  const bool batch_bound = need.batch_bytes + need.graph_bytes > need.weight_bytes;
  std::string fix;
  if (!batch_bound)
    fix = "use smaller model.layers";
  else if (need.graph_bytes > need.batch_bytes)
    fix = "use training.engine: batched, or a smaller training.batch_size";
  else if (at_once > batch)
    fix = "use smaller model.layers (a split is evaluated " + std::to_string(kEvaluationChunk) +
          " rows at a time)";
  else
    fix = "use a smaller training.batch_size (now " +
          (spec.batch_size == 0 ? "the full batch of " + std::to_string(train) + " rows"
                                : std::to_string(spec.batch_size)) +
          "), or smaller model.layers";
  throw Error(batch_bound ? "training.batch_size" : "model.layers",
              "this run would need about " + format_memory(need.bytes) + " of memory (" +
                  std::to_string(at_once) + " rows at once through " +
                  std::to_string(spec.layers.size()) + " layers), more than the " +
                  format_memory(available) + " this machine allows a process; " + fix);
}

}  // namespace

Experiment build_experiment(const ExperimentSpec& spec, const Registry& registry) {
  Experiment e;
  {
    const Dataset all = make_dataset(spec);
    Random split_rng(spec.seed ^ kSplitStream);
    Splits splits = split_dataset(all, spec.data.split, split_rng);
    if (splits.train.rows == 0)
      throw Error(
          "data.split: validation and test leave no rows to train on; lower their fractions");
    e.train_rows = std::move(splits.train_rows);
    e.validation_rows = std::move(splits.validation_rows);
    e.test_rows = std::move(splits.test_rows);
    e.data = std::move(splits.train);
    e.validation = std::move(splits.validation);
    e.test = std::move(splits.test);
  }
  e.standardizer = Standardizer::fit(e.data);
  if (spec.data.standardize) {
    for (Dataset* d : {&e.data, &e.validation, &e.test}) e.standardizer.apply(*d);
  } else {
    e.standardizer = Standardizer{std::vector<double>(e.data.features, 0.0),
                                  std::vector<double>(e.data.features, 1.0)};
  }
  check_loss_fits(spec.loss, spec.layers.back(), e.data);

  // Weights, gradients and optimizer state all scale with the parameter count: refuse a typo
  // such as [100000, 100000] before it takes the machine's memory.
  constexpr double kMaxParameters = limits::kParameters;
  double parameters = 0;
  std::size_t fan_in = e.data.features;
  for (std::size_t size : spec.layers) {
    parameters += static_cast<double>(size) * static_cast<double>(fan_in + 1);
    fan_in = size;
  }
  if (parameters > kMaxParameters)
    throw Error("model.layers: these layers have " +
                std::to_string(static_cast<long long>(parameters)) +
                " parameters, more than the limit of 50000000; use smaller layers");
  check_memory(spec, e);
  std::vector<LayerSpec> layers(spec.layers.size());
  for (std::size_t l = 0; l < layers.size(); ++l) {
    layers[l].size = spec.layers[l];
    const PluginChoice& choice =
        l + 1 < layers.size() ? spec.activations[l] : spec.output_activation;
    if (choice.name != "linear") {
      const std::string path =
          l + 1 < layers.size() ? "model.activation" : "model.output_activation";
      layers[l].activation =
          at_path(path, [&] { return registry.create_activation(choice.name, choice.values); });
      layers[l].activation_name = choice.name;
    }
  }
  Random init_rng(spec.seed ^ kInitStream);
  e.model = std::make_unique<MLP>(e.data.features, layers, spec.init, init_rng);
  e.optimizer = at_path("optimizer", [&] {
    return registry.create_optimizer(spec.optimizer.name, spec.optimizer.values);
  });
  for (std::size_t i = 0; i < spec.regularizers.size(); ++i) {
    const auto& r = spec.regularizers[i];
    e.regularizers.push_back(at_path("regularizers[" + std::to_string(i) + "]", [&] {
      return registry.create_regularizer(r.name, r.values);
    }));
  }

  const std::size_t batch =
      spec.batch_size == 0 ? e.data.rows : std::min(spec.batch_size, e.data.rows);
  const std::size_t per_epoch = (e.data.rows + batch - 1) / batch;
  e.options.steps = spec.steps ? spec.steps : spec.epochs * per_epoch;
  e.options.batch_size = spec.batch_size;
  e.options.shuffle = spec.shuffle;
  e.options.schedule = spec.schedule;
  e.options.seed = spec.seed;
  e.options.engine = spec.engine;
  e.options.clip_norm = spec.clip_norm;
  e.options.patience = spec.patience;
  e.options.min_delta = spec.min_delta;
  return e;
}

}  // namespace gradplug
