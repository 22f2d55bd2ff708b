#include "gradplug/batch_kernels.hpp"

#include <Eigen/Core>
#include <algorithm>

#include "train/batch_kernels_loss.hpp"
#include "train/batch_kernels_matrix.hpp"

// The orchestration: buffers, the forward pass layer by layer and the backward pass, each product
// through Eigen or, for small layers, the kernels of batch_kernels_matrix.hpp; the loss through
// batch_kernels_loss.hpp.
namespace gradplug {

namespace {

using kernels::add_column_sums;
using kernels::small_product;
using kernels::use_small_product;
using kernels::Write;

using Matrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
// A layer's weights inside the flat parameter array: row j is neuron j's weights, followed by
// its bias, so rows are (inputs + 1) apart.
using WeightMap = Eigen::Map<Matrix, 0, Eigen::OuterStride<>>;
using ConstWeightMap = Eigen::Map<const Matrix, 0, Eigen::OuterStride<>>;
using BiasMap = Eigen::Map<Eigen::RowVectorXd, 0, Eigen::InnerStride<>>;
using ConstBiasMap = Eigen::Map<const Eigen::RowVectorXd, 0, Eigen::InnerStride<>>;

}  // namespace

struct BatchKernels::Workspace {
  // Every buffer keeps its size from step to step (per layer, so no layer resizes another's):
  // a training step allocates nothing once the first one has run.
  Matrix input;                    // B x inputs
  std::vector<Matrix> pre;         // per layer: B x units, before the activation
  std::vector<Matrix> act;         // per layer: f(pre) (before dropout); unused for linear layers
  std::vector<Matrix> masked;      // per layer: act * mask, when dropout applies
  std::vector<const Matrix*> f;    // per layer: f(pre), i.e. &act or &pre
  std::vector<const Matrix*> out;  // per layer: what the next layer sees
  std::vector<Matrix> layer_t;     // per layer: (inputs + 1) x units, weights transposed, bias last
  std::vector<Matrix> weights;     // per layer: units x inputs, the weights alone (backward)
  std::vector<Matrix> grad;        // per layer: d(loss)/d(out), then in place d(loss)/d(pre)
  std::vector<double> derivative;  // f'(pre) of the layer at hand, batch x units

  // One slot per layer in every per-layer list (a no-op once they have it).
  void resize_layers(std::size_t depth) {
    for (auto* list : {&pre, &act, &masked, &layer_t, &weights, &grad}) list->resize(depth);
    f.resize(depth);
    out.resize(depth);
  }
};

BatchKernels::BatchKernels() : work_(std::make_unique<Workspace>()) {}
BatchKernels::~BatchKernels() = default;
BatchKernels::BatchKernels(BatchKernels&&) noexcept = default;
BatchKernels& BatchKernels::operator=(BatchKernels&&) noexcept = default;

void BatchKernels::prepare(const MLP& model, std::size_t rows, bool dropout) {
  Workspace& w = *work_;
  const auto batch = static_cast<Eigen::Index>(rows);
  const auto& layers = model.layers();
  const std::size_t depth = layers.size();
  if (w.pre.size() == depth && w.input.rows() == batch) return;  // done for this shape
  w.resize_layers(depth);
  w.input.setZero(batch, static_cast<Eigen::Index>(model.inputs()));
  Eigen::Index widest = 0;
  for (std::size_t l = 0; l < depth; ++l) {
    const auto in = static_cast<Eigen::Index>(layers[l].inputs()),
               units = static_cast<Eigen::Index>(layers[l].outputs());
    w.pre[l].setZero(batch, units);
    if (layers[l].activation) w.act[l].setZero(batch, units), widest = std::max(widest, units);
    if (dropout && l + 1 < depth) w.masked[l].setZero(batch, units);
    if (use_small_product(batch, in, units)) {
      w.layer_t[l].setZero(in + 1, units);
      if (l > 0) w.weights[l].setZero(units, in);
    }
    w.grad[l].setZero(batch, units);
  }
  w.derivative.assign(static_cast<std::size_t>(batch * widest), 0.0);
}

void BatchKernels::forward(const MLP& model, const Dataset& data,
                           const std::vector<std::size_t>& rows,
                           const std::vector<std::vector<double>>* masks) {
  Workspace& w = *work_;
  const auto batch = static_cast<Eigen::Index>(rows.size());
  const auto& layers = model.layers();
  const std::size_t depth = layers.size();
  w.resize_layers(depth);

  const auto inputs = static_cast<Eigen::Index>(model.inputs());
  w.input.resize(batch, inputs);
  for (Eigen::Index r = 0; r < batch; ++r)  // an inline copy: std::copy calls memmove per row
    w.input.row(r) =
        Eigen::Map<const Eigen::RowVectorXd>(data.row(rows[static_cast<std::size_t>(r)]), inputs);

  const double* params = model.parameters().data();
  // Forward. Buffers are reused across calls; no copies where a layer is linear or unmasked.
  for (std::size_t l = 0; l < depth; ++l) {
    const Layer& layer = layers[l];
    const auto in = static_cast<Eigen::Index>(layer.inputs()),
               units = static_cast<Eigen::Index>(layer.outputs());
    const double* base = params + layer.neurons.front().offset;
    const Matrix& x = l == 0 ? w.input : *w.out[l - 1];
    w.pre[l].resize(batch, units);
    if (use_small_product(batch, in, units)) {
      // pre = x W^T + bias. The layer's block of the parameters is units x (inputs + 1), row j
      // neuron j's weights then its bias; transposed, M's rows are contiguous and the bias is
      // its last row.
      Matrix& t = w.layer_t[l];
      t = Eigen::Map<const Matrix>(base, units, in + 1).transpose();
      small_product({x.data(), in, 1}, t.data(), units, batch, in, units, w.pre[l].data(), units,
                    t.row(in).data(), Write::Store);
    } else {
      // pre = bias (broadcast) + x W^T: starting from the bias spares the product a zero fill.
      ConstWeightMap weights(base, units, in, Eigen::OuterStride<>(in + 1));
      w.pre[l].rowwise() = ConstBiasMap(base + in, units, Eigen::InnerStride<>(in + 1));
      w.pre[l].noalias() += x * weights.transpose();
    }
    if (layer.activation) {
      w.act[l].resize(batch, units);
      layer.activation->f_array(w.pre[l].data(), w.act[l].data(),
                                static_cast<std::size_t>(batch * units));
      w.f[l] = &w.act[l];
    } else {
      w.f[l] = &w.pre[l];
    }
    w.out[l] = w.f[l];
    if (masks && l + 1 < depth && !(*masks)[l].empty()) {
      w.masked[l] =
          w.f[l]->cwiseProduct(Eigen::Map<const Matrix>((*masks)[l].data(), batch, units));
      w.out[l] = &w.masked[l];
    }
  }
}

double BatchKernels::loss_and_gradients(const MLP& model, double* grads, const Dataset& data,
                                        const std::vector<std::size_t>& rows, LossKind loss,
                                        const std::vector<std::vector<double>>* masks,
                                        std::size_t* correct) {
  forward(model, data, rows, masks);
  Workspace& w = *work_;
  const auto batch = static_cast<Eigen::Index>(rows.size());
  const std::size_t depth = model.layers().size();  // forward() sized every per-layer list

  // Loss and its gradient with respect to the outputs.
  const Matrix& outputs = *w.out[depth - 1];
  Matrix& grad_out = w.grad[depth - 1];
  grad_out.resize(batch, outputs.cols());
  const double mean =
      kernels::batch_loss(loss, outputs.data(), static_cast<std::size_t>(outputs.cols()), data,
                          rows, grads ? grad_out.data() : nullptr, correct);
  if (!grads) return mean;
  // Backward: grad[l] holds d(loss)/d(out[l]) and becomes d(loss)/d(pre[l]) in place; the input
  // gradient goes into grad[l - 1].
  for (std::size_t l = depth; l-- > 0;) backward_layer(model, l, grads, rows.size(), masks);
  return mean;
}

void BatchKernels::backward_layer(const MLP& model, std::size_t l, double* grads, std::size_t rows,
                                  const std::vector<std::vector<double>>* masks) {
  Workspace& w = *work_;
  const auto batch = static_cast<Eigen::Index>(rows);
  const std::size_t depth = model.layers().size();
  const double* params = model.parameters().data();
  const Layer& layer = model.layers()[l];
  const auto in = static_cast<Eigen::Index>(layer.inputs()),
             units = static_cast<Eigen::Index>(layer.outputs());
  const std::size_t offset = layer.neurons.front().offset;
  Matrix& g = w.grad[l];
  if (masks && l + 1 < depth && !(*masks)[l].empty())
    g.array() *= Eigen::Map<const Matrix>((*masks)[l].data(), batch, units).array();
  if (layer.activation) {
    const auto n = static_cast<std::size_t>(batch * units);
    if (w.derivative.size() < n) w.derivative.resize(n);  // one buffer for every layer
    layer.activation->df_array(w.pre[l].data(), w.act[l].data(), w.derivative.data(), n);
    g.array() *= Eigen::Map<const Matrix>(w.derivative.data(), batch, units).array();
  }
  const Matrix& x = l == 0 ? w.input : *w.out[l - 1];
  const bool small = use_small_product(batch, in, units);
  if (small && in < 4 && units >= 4) {
    // Fewer inputs than a vector (moons' 2): (x^T g) has the units along the vectors; it goes
    // to a scratch block (inputs x units) and is added to the weights' gradient transposed.
    Matrix& t = w.layer_t[l];  // the forward pass is done with it
    small_product({x.data(), 1, in}, g.data(), units, in, batch, units, t.data(), units, nullptr,
                  Write::Store);
    WeightMap(grads + offset, units, in, Eigen::OuterStride<>(in + 1)) += t.topRows(in).transpose();
  } else if (small) {
    // grad_weights (units x inputs) += g^T x: A(j, r) = g[r][j].
    small_product({g.data(), 1, units}, x.data(), in, units, batch, in, grads + offset, in + 1,
                  nullptr, Write::Add);
  } else {
    WeightMap grad_weights(grads + offset, units, in, Eigen::OuterStride<>(in + 1));
    grad_weights.noalias() += g.transpose() * x;
  }
  // The bias gradient: g's rows summed.
  add_column_sums(g.data(), batch, units, units, grads + offset + in, in + 1);
  if (l > 0) {
    Matrix& grad_in = w.grad[l - 1];
    grad_in.resize(batch, in);
    if (small) {
      // grad_in = g W. W is copied out of the parameters first (rows (inputs + 1) apart
      // there, so most vector loads would straddle two cache lines).
      Matrix& weights = w.weights[l];
      weights = ConstWeightMap(params + offset, units, in, Eigen::OuterStride<>(in + 1));
      small_product({g.data(), units, 1}, weights.data(), in, batch, units, in, grad_in.data(), in,
                    nullptr, Write::Store);
    } else {
      grad_in.noalias() =
          g * ConstWeightMap(params + offset, units, in, Eigen::OuterStride<>(in + 1));
    }
  }
}

std::size_t BatchKernels::first_nonfinite_output(const MLP& model, const Dataset& data,
                                                 const std::vector<std::size_t>& rows) {
  forward(model, data, rows, nullptr);
  for (std::size_t l = 0; l < work_->out.size(); ++l)
    if (!work_->out[l]->allFinite()) return l + 1;
  return 0;
}

}  // namespace gradplug
