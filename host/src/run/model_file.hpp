// model.json: a trained model and, for checkpoints, everything needed to continue training
// bit-identically. The format is documented in docs/model-format.md; its version is checked
// before anything else is read.
#pragma once

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "gradplug/experiment.hpp"
#include "gradplug/registry.hpp"
#include "gradplug/trainer.hpp"

namespace gradplug::host {

inline constexpr const char* kModelFormat = "gradplug-model";
inline constexpr int kModelFormatVersion = 1;

// The model of an experiment with its data transform, optimizer state and training state.
nlohmann::json model_to_json(const ExperimentSpec& spec, const Experiment& experiment,
                             const TrainState& state, const Registry& registry);

// A model read back: enough to predict, evaluate, or continue training.
struct LoadedModel {
  std::string name;
  LossKind loss = LossKind::MSE;
  std::unique_ptr<MLP> model;
  std::vector<std::string> feature_names;
  std::string target_name;
  std::vector<std::string> class_names;
  Standardizer standardizer;
  std::string optimizer_name;
  OptimizerState optimizer_state;
  TrainState train_state;
  std::size_t steps_planned = 0;
};

// Reads and checks a model file (format, version, shapes, plugins); Errors name the file and
// what is wrong with it.
LoadedModel read_model(const std::filesystem::path& file, const Registry& registry);
// The same from the file's text in memory; `name` takes the place of the file name in messages.
LoadedModel read_model_text(const std::string& text, const std::string& name,
                            const Registry& registry);

// A checkpoint's training state against the run it continues: the step within the planned
// steps, the row order a permutation of the training rows, the best step not after the step.
// Throws Error naming the file and the field.
void check_checkpoint_fits(const LoadedModel& checkpoint, std::size_t training_rows,
                           std::size_t steps, const std::string& file);

// A run directory or a model file: the model file it means.
std::filesystem::path model_path(const std::string& run_dir_or_model);

// Copies the weights of `from` into `to`, or throws Error naming the first layer that differs.
void copy_weights(const MLP& from, MLP& to, const std::string& from_name);

}  // namespace gradplug::host
