#include "gradplug/trainer.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <span>
#include <stdexcept>

#include "gradplug/value.hpp"

namespace gradplug {

namespace {
// Independent streams from one seed, so adding dropout does not change the batch order.
std::uint64_t stream_seed(std::uint64_t seed, std::uint64_t stream) {
  return seed ^ (0x9E3779B97F4A7C15ULL * (stream + 1));
}
}  // namespace

const std::vector<std::string>& engine_names() {
  static const std::vector<std::string> names = {"graph", "batched", "auto"};
  return names;
}

Engine engine_named(const std::string& name) {
  return name == engine_names()[0] ? Engine::Graph : Engine::Batched;
}

Trainer::Trainer(LossKind loss, std::vector<std::shared_ptr<Regularizer>> regularizers)
    : loss_(loss), regularizers_(std::move(regularizers)) {}

std::uint32_t Trainer::build_loss(Tape& tape, const MLP& model,
                                  const std::vector<std::uint32_t>& params, const Dataset& data,
                                  const std::vector<std::size_t>& rows,
                                  const std::vector<std::vector<double>>* masks,
                                  std::size_t* correct) const {
  std::vector<std::uint32_t> inputs(model.inputs()), outputs(model.outputs()), losses;
  losses.reserve(rows.size());
  std::vector<const double*> scale(model.layers().size(), nullptr);
  std::vector<double> out(model.outputs());
  if (correct) *correct = 0;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const double* x = data.row(rows[r]);
    for (std::size_t k = 0; k < inputs.size(); ++k) inputs[k] = tape.constant(x[k]);
    if (masks)
      for (std::size_t l = 0; l < masks->size(); ++l)
        scale[l] =
            (*masks)[l].empty() ? nullptr : (*masks)[l].data() + r * model.layers()[l].outputs();
    model.forward(tape, params.data(), inputs.data(), outputs.data(), masks ? &scale : nullptr);
    losses.push_back(loss_node(tape, loss_, outputs.data(), outputs.size(), data.target(rows[r])));
    if (correct && loss_is_classification(loss_)) {
      for (std::size_t k = 0; k < out.size(); ++k) out[k] = tape.node(outputs[k]).data;
      *correct += is_correct(loss_, out.data(), out.size(), data.target(rows[r]));
    }
  }
  const auto total = tape.sum(losses.data(), static_cast<std::uint32_t>(losses.size()));
  return (Value(tape, total) / static_cast<double>(rows.size())).index();
}

namespace {

// The first layer (1-based) with a non-finite value in values[offset range], or 0.
std::size_t first_nonfinite_layer(const MLP& model, std::span<const double> values) {
  for (std::size_t l = 0; l < model.layers().size(); ++l) {
    const Layer& layer = model.layers()[l];
    const std::size_t begin = layer.neurons.front().offset;
    const std::size_t end = layer.neurons.back().bias_offset() + 1;
    for (std::size_t p = begin; p < end; ++p)
      if (!std::isfinite(values[p])) return l + 1;
  }
  return 0;
}

// Four interleaved partial sums, so four additions are in flight instead of one chain of
// dependent ones (a few hundred cycles a step on a small model).
double sum_of_squares(std::span<const double> values) {
  double part[4] = {0.0, 0.0, 0.0, 0.0};
  std::size_t i = 0;
  for (; i + 4 <= values.size(); i += 4)
    for (std::size_t k = 0; k < 4; ++k) part[k] += values[i + k] * values[i + k];
  for (; i < values.size(); ++i) part[0] += values[i] * values[i];
  return (part[0] + part[1]) + (part[2] + part[3]);
}

}  // namespace

void Trainer::begin(MLP& model, const Dataset& data, Optimizer& optimizer,
                    const TrainOptions& options, TrainState& state) {
  if (state.started) return;
  // The batched kernels' buffers are set up here, with the optimizer's state: the first step then
  // allocates nothing (a resumed run gets them at the start of fit()).
  if (options.engine != Engine::Graph) {
    const std::size_t batch =
        options.batch_size == 0 ? data.rows : std::min(options.batch_size, data.rows);
    bool dropout = false;
    for (const auto& r : regularizers_) dropout = dropout || r->transforms_activations();
    kernels_.prepare(model, batch, dropout);
  }
  state.order.resize(data.rows);
  std::iota(state.order.begin(), state.order.end(), std::size_t{0});
  state.order_rng = Random(stream_seed(options.seed, 1)).state();
  state.dropout_rng = Random(stream_seed(options.seed, 2)).state();
  optimizer.reset(model.parameters().size());
  state.step = 0;
  state.started = true;
}

FitResult Trainer::fit(MLP& model, const Dataset& data, Optimizer& optimizer,
                       const TrainOptions& options, const StepCallback& on_step) {
  TrainState state;
  return fit(model, data, optimizer, options, state, on_step);
}

FitResult Trainer::fit(MLP& model, const Dataset& data, Optimizer& optimizer,
                       const TrainOptions& options, TrainState& state, const StepCallback& on_step,
                       const Dataset* validation) {
  begin(model, data, optimizer, options, state);
  if (state.order.size() != data.rows)
    throw std::invalid_argument("training state holds an order of " +
                                std::to_string(state.order.size()) + " rows for data of " +
                                std::to_string(data.rows));
  Random order_rng, dropout_rng;
  order_rng.set_state(state.order_rng);
  dropout_rng.set_state(state.dropout_rng);
  auto save_rngs = [&] {
    state.order_rng = order_rng.state();
    state.dropout_rng = dropout_rng.state();
  };
  const bool validate = validation && validation->rows > 0;
  const std::size_t batch =
      options.batch_size == 0 ? data.rows : std::min(options.batch_size, data.rows);
  const std::size_t per_epoch = (data.rows + batch - 1) / batch;

  std::vector<const Regularizer*> transforms;
  for (const auto& r : regularizers_)
    if (r->transforms_activations()) transforms.push_back(r.get());
  const std::size_t hidden_layers = model.layers().size() - 1;
  std::vector<std::vector<double>> masks(hidden_layers);
  std::vector<double> scratch;
  std::vector<std::uint32_t> params;
  std::vector<std::size_t> batch_rows;
  batch_rows.reserve(batch);
  // After a resume begin() did nothing; otherwise this finds the buffers ready.
  if (options.engine != Engine::Graph) kernels_.prepare(model, batch, !transforms.empty());
  FitResult result;
  for (; state.step < options.steps;) {
    const std::size_t step = state.step;
    const std::size_t epoch = step / per_epoch, position = step % per_epoch;
    // A full batch holds every row whatever their order: shuffling it would only reorder the
    // sums (micrograd's demo does not shuffle either), at a cost near a small model's step.
    if (position == 0 && options.shuffle && per_epoch > 1)
      for (std::size_t i = state.order.size(); i > 1; --i)
        std::swap(state.order[i - 1], state.order[order_rng.below(i)]);
    const std::size_t begin = position * batch, end = std::min(begin + batch, data.rows);
    batch_rows.assign(state.order.begin() + static_cast<std::ptrdiff_t>(begin),
                      state.order.begin() + static_cast<std::ptrdiff_t>(end));

    // Dropout masks for the whole batch, layer by layer, drawn before the forward pass so every
    // execution path consumes the generator in the same order.
    const bool dropout = !transforms.empty();
    if (dropout) {
      for (std::size_t l = 0; l < hidden_layers; ++l) {
        const std::size_t units = model.layers()[l].outputs();
        masks[l].assign(batch_rows.size() * units, 1.0);
        scratch.resize(units);
        for (std::size_t r = 0; r < batch_rows.size(); ++r)
          for (const Regularizer* t : transforms) {
            t->draw_scale(scratch.data(), units, dropout_rng);
            for (std::size_t j = 0; j < units; ++j) masks[l][r * units + j] *= scratch[j];
          }
      }
    }

    model.zero_grad();
    std::size_t correct = 0;
    double data_loss = 0.0;
    if (options.engine == Engine::Graph) {
      tape_.clear();
      model.bind(tape_, params);
      const std::uint32_t root =
          build_loss(tape_, model, params, data, batch_rows, dropout ? &masks : nullptr, &correct);
      tape_.backward(root);
      model.accumulate_grads(tape_, params);
      data_loss = tape_.node(root).data;
    } else {
      data_loss = kernels_.loss_and_gradients(model, model.gradients().data(), data, batch_rows,
                                              loss_, dropout ? &masks : nullptr, &correct);
    }

    double penalty = 0.0;
    for (const auto& r : regularizers_)
      penalty += r->penalty(model.parameters().data(), model.gradients().data(),
                            model.bias_mask().data(), model.parameters().size());

    const double grad_norm = std::sqrt(sum_of_squares(model.gradients()));
    if (!std::isfinite(data_loss + penalty) || !std::isfinite(grad_norm)) {
      // Stop before the step: the weights stay the last finite ones.
      result.stop = FitResult::Stop::NonFinite;
      result.failed_step = step + 1;
      std::size_t layer = first_nonfinite_layer(model, model.parameters());
      if (layer) {
        result.failure = "the weights of layer " + std::to_string(layer) + " are not finite";
      } else if ((layer = first_nonfinite_layer(model, model.gradients()))) {
        result.failure = "the gradients of layer " + std::to_string(layer) + " are not finite";
      } else {
        layer = kernels_.first_nonfinite_output(model, data, batch_rows);
        result.failure = layer ? "the outputs of layer " + std::to_string(layer) + " are not finite"
                               : "the loss is not finite";
      }
      result.failed_layer = layer;
      if (layer && model.layers()[layer - 1].activation)
        result.failure += " (layer " + std::to_string(layer) + " uses activation '" +
                          model.layers()[layer - 1].activation_name + "')";
      save_rngs();
      tape_.clear();
      return result;
    }
    if (options.clip_norm > 0.0 && grad_norm > options.clip_norm) {
      const double scale = options.clip_norm / grad_norm;
      for (double& g : model.gradients()) g *= scale;
    }

    const double lr = options.schedule.lr(optimizer.base_lr(), step, options.steps);
    optimizer.step(model.parameters().data(), model.gradients().data(), model.parameters().size(),
                   lr);
    state.step = step + 1;
    save_rngs();

    StepMetrics& metrics = result.last;
    metrics = StepMetrics{};
    metrics.step = step + 1;
    metrics.epoch = epoch + 1;
    metrics.data_loss = data_loss;
    metrics.loss = data_loss + penalty;
    metrics.accuracy = loss_is_classification(loss_)
                           ? static_cast<double>(correct) / static_cast<double>(batch_rows.size())
                           : std::numeric_limits<double>::quiet_NaN();
    metrics.lr = lr;
    metrics.grad_norm = grad_norm;
    metrics.epoch_end = position + 1 == per_epoch || state.step == options.steps;
    bool early_stop = false;
    if (metrics.epoch_end && validate) {
      const Evaluation v = evaluate(model, *validation);
      metrics.validation_loss = v.loss;
      metrics.validation_accuracy = v.accuracy;
      if (v.loss < state.best_validation_loss - options.min_delta) {
        state.best_validation_loss = v.loss;
        state.best_step = state.step;
        state.epochs_without_improvement = 0;
      } else {
        ++state.epochs_without_improvement;
        early_stop = options.patience > 0 && state.epochs_without_improvement >= options.patience;
      }
    }
    if (on_step && !on_step(metrics)) {
      result.stop = FitResult::Stop::Requested;
      break;
    }
    if (early_stop) {
      result.stop = FitResult::Stop::EarlyStopped;
      break;
    }
  }
  tape_.clear();
  return result;
}

Evaluation Trainer::evaluate(const MLP& model, const Dataset& data) {
  Evaluation result;
  if (data.rows == 0)
    return {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::quiet_NaN()};
  // A large split goes through in chunks, so its activations never outgrow memory; a split of
  // one chunk or less is one pass, as it always was (the same sums, to the last bit).
  std::size_t correct = 0;
  if (data.rows <= kEvaluationChunk) {
    std::vector<std::size_t> rows(data.rows);
    std::iota(rows.begin(), rows.end(), std::size_t{0});
    result.loss = kernels_.loss_and_gradients(model, nullptr, data, rows, loss_, nullptr, &correct);
  } else {
    double loss_sum = 0;
    std::vector<std::size_t> rows;
    for (std::size_t start = 0; start < data.rows; start += kEvaluationChunk) {
      rows.resize(std::min(kEvaluationChunk, data.rows - start));
      std::iota(rows.begin(), rows.end(), start);
      std::size_t chunk_correct = 0;
      loss_sum +=
          kernels_.loss_and_gradients(model, nullptr, data, rows, loss_, nullptr, &chunk_correct) *
          static_cast<double>(rows.size());
      correct += chunk_correct;
    }
    result.loss = loss_sum / static_cast<double>(data.rows);
  }
  result.accuracy = loss_is_classification(loss_)
                        ? static_cast<double>(correct) / static_cast<double>(data.rows)
                        : std::numeric_limits<double>::quiet_NaN();
  return result;
}

}  // namespace gradplug
