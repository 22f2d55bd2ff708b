#include "gradplug/batch_kernels.hpp"

#include <Eigen/Core>
#include <algorithm>
#include <cmath>

#include "ops.hpp"

namespace gradplug {

namespace {

using Matrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
// A layer's weights inside the flat parameter array: row j is neuron j's weights, followed by
// its bias, so rows are (inputs + 1) apart.
using WeightMap = Eigen::Map<Matrix, 0, Eigen::OuterStride<>>;
using ConstWeightMap = Eigen::Map<const Matrix, 0, Eigen::OuterStride<>>;
using BiasMap = Eigen::Map<Eigen::RowVectorXd, 0, Eigen::InnerStride<>>;
using ConstBiasMap = Eigen::Map<const Eigen::RowVectorXd, 0, Eigen::InnerStride<>>;

// The loss of one row's outputs o[0..n) and d(loss)/d(o) scaled by `scale` into g.
// Each formula is the Value-graph loss of loss.cpp, differentiated by hand.
double row_loss(LossKind kind, const double* o, std::size_t n, const double* t, double scale,
                double* g) {
  switch (kind) {
    case LossKind::MSE: {
      double sum = 0;
      const double inv_n = 1.0 / static_cast<double>(n);
      for (std::size_t k = 0; k < n; ++k) {
        const double diff = o[k] - t[k];
        sum += diff * diff;
        if (g) g[k] = 2.0 * diff * (n == 1 ? 1.0 : inv_n) * scale;
      }
      return n == 1 ? sum : sum * inv_n;
    }
    case LossKind::Hinge: {
      const double s = t[0] > 0 ? 1.0 : -1.0;
      const double gap = 1.0 - s * o[0];
      if (g) g[0] = gap > 0.0 ? -s * scale : 0.0;
      return gap > 0.0 ? gap : 0.0;
    }
    case LossKind::BCE: {
      if (g) g[0] = (ops::Sigmoid::forward(o[0]) - t[0]) * scale;
      return ops::Softplus::forward(o[0]) - t[0] * o[0];
    }
    case LossKind::SoftmaxCE: {
      const double m = *std::max_element(o, o + n);
      double total = 0;
      for (std::size_t k = 0; k < n; ++k) total += std::exp(o[k] - m);
      const auto y = static_cast<std::size_t>(t[0]);
      if (g)
        for (std::size_t k = 0; k < n; ++k)
          g[k] = (std::exp(o[k] - m) / total - (k == y ? 1.0 : 0.0)) * scale;
      return std::log(total) - (o[y] - m);
    }
  }
  return 0;
}

}  // namespace

struct BatchKernels::Workspace {
  Matrix input;                    // B x inputs
  std::vector<Matrix> pre;         // per layer: B x units, before the activation
  std::vector<Matrix> act;         // per layer: f(pre) (before dropout); unused for linear layers
  std::vector<Matrix> masked;      // per layer: act * mask, when dropout applies
  std::vector<const Matrix*> f;    // per layer: f(pre), i.e. &act or &pre
  std::vector<const Matrix*> out;  // per layer: what the next layer sees
  Eigen::RowVectorXd bias;
  Matrix grad_out, grad_pre, derivative;
};

BatchKernels::BatchKernels() : work_(std::make_unique<Workspace>()) {}
BatchKernels::~BatchKernels() = default;
BatchKernels::BatchKernels(BatchKernels&&) noexcept = default;
BatchKernels& BatchKernels::operator=(BatchKernels&&) noexcept = default;

void BatchKernels::forward(const MLP& model, const Dataset& data,
                           const std::vector<std::size_t>& rows,
                           const std::vector<std::vector<double>>* masks) {
  Workspace& w = *work_;
  const auto batch = static_cast<Eigen::Index>(rows.size());
  const auto& layers = model.layers();
  const std::size_t depth = layers.size();
  w.pre.resize(depth);
  w.act.resize(depth);
  w.masked.resize(depth);
  w.f.resize(depth);
  w.out.resize(depth);

  w.input.resize(batch, static_cast<Eigen::Index>(model.inputs()));
  for (Eigen::Index r = 0; r < batch; ++r)
    std::copy(data.row(rows[static_cast<std::size_t>(r)]),
              data.row(rows[static_cast<std::size_t>(r)]) + model.inputs(), w.input.row(r).data());

  const double* params = model.parameters().data();
  // Forward. Buffers are reused across calls; no copies where a layer is linear or unmasked.
  for (std::size_t l = 0; l < depth; ++l) {
    const Layer& layer = layers[l];
    const auto in = static_cast<Eigen::Index>(layer.inputs()),
               units = static_cast<Eigen::Index>(layer.outputs());
    const double* base = params + layer.neurons.front().offset;
    ConstWeightMap weights(base, units, in, Eigen::OuterStride<>(in + 1));
    const Matrix& x = l == 0 ? w.input : *w.out[l - 1];
    // pre = bias (broadcast) + x W^T: starting from the bias spares the product a zero fill.
    w.bias = ConstBiasMap(base + in, units, Eigen::InnerStride<>(in + 1));
    w.pre[l].resize(batch, units);
    w.pre[l].rowwise() = w.bias;
    w.pre[l].noalias() += x * weights.transpose();
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
  const auto& layers = model.layers();
  const std::size_t depth = layers.size();
  const double* params = model.parameters().data();

  // Loss and its gradient with respect to the outputs.
  const Matrix& outputs = *w.out[depth - 1];
  const auto n_out = static_cast<std::size_t>(outputs.cols());
  w.grad_out.resize(batch, outputs.cols());
  const double scale = 1.0 / static_cast<double>(batch);
  double total = 0;
  if (correct) *correct = 0;
  for (Eigen::Index r = 0; r < batch; ++r) {
    const double* target = data.target(rows[static_cast<std::size_t>(r)]);
    total += row_loss(loss, outputs.row(r).data(), n_out, target, scale,
                      grads ? w.grad_out.row(r).data() : nullptr);
    if (correct && loss_is_classification(loss))
      *correct += is_correct(loss, outputs.row(r).data(), n_out, target);
  }
  const double mean = total * scale;
  if (!grads) return mean;

  // Backward: grad_out holds d(loss)/d(out[l]) and becomes d(loss)/d(pre[l]) in place.
  for (std::size_t l = depth; l-- > 0;) {
    const Layer& layer = layers[l];
    const auto in = static_cast<Eigen::Index>(layer.inputs()),
               units = static_cast<Eigen::Index>(layer.outputs());
    const std::size_t offset = layer.neurons.front().offset;
    if (masks && l + 1 < depth && !(*masks)[l].empty())
      w.grad_out.array() *= Eigen::Map<const Matrix>((*masks)[l].data(), batch, units).array();
    if (layer.activation) {
      w.derivative.resize(batch, units);
      layer.activation->df_array(w.pre[l].data(), w.act[l].data(), w.derivative.data(),
                                 static_cast<std::size_t>(batch * units));
      w.grad_out.array() *= w.derivative.array();
    }
    const Matrix& x = l == 0 ? w.input : *w.out[l - 1];
    WeightMap grad_weights(grads + offset, units, in, Eigen::OuterStride<>(in + 1));
    BiasMap grad_bias(grads + offset + static_cast<std::size_t>(in), units,
                      Eigen::InnerStride<>(in + 1));
    grad_weights.noalias() += w.grad_out.transpose() * x;
    grad_bias += w.grad_out.colwise().sum();
    if (l > 0) {
      ConstWeightMap weights(params + offset, units, in, Eigen::OuterStride<>(in + 1));
      w.grad_pre.resize(batch, in);
      w.grad_pre.noalias() = w.grad_out * weights;
      w.grad_out.swap(w.grad_pre);
    }
  }
  return mean;
}

std::size_t BatchKernels::first_nonfinite_output(const MLP& model, const Dataset& data,
                                                 const std::vector<std::size_t>& rows) {
  forward(model, data, rows, nullptr);
  for (std::size_t l = 0; l < work_->out.size(); ++l)
    if (!work_->out[l]->allFinite()) return l + 1;
  return 0;
}

}  // namespace gradplug
