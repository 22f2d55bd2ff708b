// ExperimentSpec: a whole experiment in plain data (no YAML: the host fills it from a config and
// validates it), and Experiment: the spec made real, with plugin names resolved by the Registry.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "gradplug/abi.h"
#include "gradplug/dataset.hpp"
#include "gradplug/loss.hpp"
#include "gradplug/mlp.hpp"
#include "gradplug/optimizer.hpp"
#include "gradplug/registry.hpp"
#include "gradplug/regularizer.hpp"
#include "gradplug/split.hpp"
#include "gradplug/trainer.hpp"

namespace gradplug {

// A plugin chosen by name with values for its whole schema (in schema order).
struct PluginChoice {
  std::string name;
  std::vector<gp_value> values;
};

struct DataSpec {
  enum class Source { Inline, Csv, Seed4, Xor, Moons, Circles, Spirals, Blobs };
  Source source = Source::Inline;
  Dataset inline_data;  // Inline
  // Generators (each uses the ones it needs; see generators.hpp).
  std::size_t samples = 100;           // xor, moons, circles, blobs
  double noise = 0.1;                  // xor, moons, circles, spirals
  double factor = 0.5;                 // circles: inner radius / outer radius
  std::size_t classes = 3;             // spirals
  std::size_t points_per_class = 100;  // spirals
  std::size_t centers = 3;             // blobs
  std::size_t features = 2;            // blobs
  double cluster_std = 1.0;            // blobs
  double center_box = 10.0;            // blobs
  std::string path;                    // Csv: the file
  std::string target;                  // Csv: the target column ("" = the last)
  SplitFractions split;                // held-out rows (stratified for classification)
  bool standardize = false;            // fitted on the training split only
};

struct ExperimentSpec {
  std::string name = "experiment";
  std::uint64_t seed = 0;
  DataSpec data;
  std::vector<std::size_t> layers;        // sizes of hidden layers and the output layer
  std::vector<PluginChoice> activations;  // one per hidden layer
  PluginChoice output_activation;         // name "linear": none
  Init init = Init::Uniform;
  LossKind loss = LossKind::MSE;
  std::size_t steps = 0;  // exactly one of steps and epochs is non-zero
  std::size_t epochs = 0;
  std::size_t batch_size = 0;  // 0: full batch
  Engine engine = Engine::Batched;
  double clip_norm = 0.0;    // 0: no gradient clipping
  std::size_t patience = 0;  // 0: no early stopping
  double min_delta = 0.0;
  std::size_t checkpoint_every = 0;  // steps between checkpoints; 0: a twentieth of the run
  bool shuffle = true;
  Schedule schedule;
  PluginChoice optimizer;
  std::vector<PluginChoice> regularizers;
};

// "inline", "csv", "seed4", "xor", "moons", "circles", "spirals", "blobs".
const std::vector<std::string>& data_source_names();

// The seeded data set of a spec (the data stream of the experiment's seed), before splitting.
Dataset make_dataset(const ExperimentSpec& spec);

struct Experiment {
  Dataset data;               // the training split
  Dataset validation;         // may be empty
  Dataset test;               // may be empty
  Standardizer standardizer;  // identity unless the spec standardizes
  // Rows of make_dataset(spec) in each split, in order (recorded so a run can be reproduced).
  std::vector<std::size_t> train_rows, validation_rows, test_rows;
  std::unique_ptr<MLP> model;
  std::shared_ptr<Optimizer> optimizer;
  std::vector<std::shared_ptr<Regularizer>> regularizers;
  TrainOptions options;
};

// Resolves every plugin name and builds data, model (initialised from the seed) and optimizer.
// Throws Error when a plugin is unknown or refuses its values, or the data do not fit the model.
Experiment build_experiment(const ExperimentSpec& spec, const Registry& registry);

}  // namespace gradplug
