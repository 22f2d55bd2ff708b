#include "gradplug/batch_kernels.hpp"

#include <Eigen/Core>
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>

#include "engine/ops.hpp"

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
      // s = +1 for class 1, -1 for class 0, so s o and -s scale are sign flips, and the slope is
      // -s scale or 0: all done on the bits, as the compiler turns a select of s into a branch,
      // which mispredicts half the time with the classes in random order (once per row).
      using Bits = std::uint64_t;
      const Bits flip = static_cast<Bits>(!(t[0] > 0)) << 63;
      const double gap = 1.0 - std::bit_cast<double>(std::bit_cast<Bits>(o[0]) ^ flip);
      const Bits keep = -static_cast<Bits>(gap > 0.0);  // all ones when the hinge is active
      if (g) g[0] = std::bit_cast<double>((std::bit_cast<Bits>(-scale) ^ flip) & keep);
      return std::max(0.0, gap);  // gap > 0 ? gap : 0, NaN included
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

// ---- Small products without packing.
//
// Micrograd-sized layers (moons: 100 rows x 16 units) are far below the sizes Eigen's general
// matrix product is built for: at 100x16x16 it spent more time packing its operands, zero-filling
// and choosing block sizes than multiplying. These register-blocked loops multiply straight from
// the operands. They also follow the Value graph's order of operations: each output is
// ((0 + a0 m0) + a1 m1) + ..., a multiply and an add per term (no fused multiply-add, as
// -ffp-contract=off everywhere), then the bias, which is how a dot node computes a neuron.
// Large layers (digits, wide) stay with Eigen's cache-blocked product (see use_small_product).

// Four doubles: one AVX register with -march=x86-64-v3, two SSE2 registers without. Only ever a
// local of the functions below (never passed by value, which would change with the ISA's ABI).
// Vec4u loads and stores four doubles at any double's address: aligned(8), and may_alias so it
// can read and write double arrays (as the compilers' own __m256d_u does).
using Vec4 = double __attribute__((vector_size(32)));
using Vec4u = double __attribute__((vector_size(32), aligned(8), may_alias));

// An operand whose element (i, k) is at p[i * row + k * depth]: i indexes output rows, k the
// summed dimension. Strides let one kernel read a matrix, its transpose, or a layer's weights
// inside the flat parameter array (rows (inputs + 1) apart because of the interleaved bias).
struct Strided {
  const double* p;
  Eigen::Index row, depth;
};

enum class Write { Store, Add };  // C = A M (+ bias), or C += A M

// C[i][j] (ldc apart) for R rows from i0 and 4 V columns from j0: the sum over k < depth of
// A(i, k) M[k][j] (M's rows ldm apart, contiguous), accumulated in R x V registers.
template <int R, int V>
void product_block(const Strided& a, const double* m, Eigen::Index ldm, Eigen::Index depth,
                   double* c, Eigen::Index ldc, const double* bias, Write write, Eigen::Index i0,
                   Eigen::Index j0) {
  Vec4 acc[R][V];
  for (auto& row : acc)
    for (Vec4& v : row) v = Vec4{0.0, 0.0, 0.0, 0.0};  // not `= {}`: that became a rep stos
  const double* ap = a.p + i0 * a.row;
  const double* mp = m + j0;
  for (Eigen::Index k = 0; k < depth; ++k, ap += a.depth, mp += ldm) {
    Vec4 mk[V];
    for (int v = 0; v < V; ++v) mk[v] = *reinterpret_cast<const Vec4u*>(mp + 4 * v);
    for (int i = 0; i < R; ++i) {
      const double x = ap[i * a.row];
      const Vec4 xs = {x, x, x, x};
      for (int v = 0; v < V; ++v) acc[i][v] += xs * mk[v];
    }
  }
  for (int i = 0; i < R; ++i)
    for (int v = 0; v < V; ++v) {
      auto* out = reinterpret_cast<Vec4u*>(c + (i0 + i) * ldc + j0 + 4 * v);
      if (write == Write::Add)
        *out = *out + acc[i][v];
      else if (bias)
        *out = acc[i][v] + *reinterpret_cast<const Vec4u*>(bias + j0 + 4 * v);
      else
        *out = acc[i][v];
    }
}

// The same for one column j (the last cols % 4), R rows at a time for R independent sums.
template <int R>
void product_column(const Strided& a, const double* m, Eigen::Index ldm, Eigen::Index depth,
                    double* c, Eigen::Index ldc, const double* bias, Write write, Eigen::Index i0,
                    Eigen::Index j) {
  double acc[R] = {};
  for (Eigen::Index k = 0; k < depth; ++k)
    for (int i = 0; i < R; ++i) acc[i] += a.p[(i0 + i) * a.row + k * a.depth] * m[k * ldm + j];
  for (int i = 0; i < R; ++i) {
    double& out = c[(i0 + i) * ldc + j];
    out = write == Write::Add ? out + acc[i] : bias ? acc[i] + bias[j] : acc[i];
  }
}

// The same for a single column (cols == 1) when A's rows are contiguous, as in a one-output
// layer's forward pass: each output a dot product vectorized along depth. The one place where the
// sum is not in the graph's order (two four-lane partial sums), well inside the 1e-12 the test
// holds; the scalar product_column was three times slower here.
void product_dot(const Strided& a, const double* m, Eigen::Index rows, Eigen::Index depth,
                 double* c, Eigen::Index ldc, const double* bias, Write write) {
  for (Eigen::Index i = 0; i < rows; ++i) {
    const double* ai = a.p + i * a.row;
    Vec4 s0 = {0.0, 0.0, 0.0, 0.0}, s1 = s0;
    Eigen::Index k = 0;
    for (; k + 8 <= depth; k += 8) {
      s0 += *reinterpret_cast<const Vec4u*>(ai + k) * *reinterpret_cast<const Vec4u*>(m + k);
      s1 +=
          *reinterpret_cast<const Vec4u*>(ai + k + 4) * *reinterpret_cast<const Vec4u*>(m + k + 4);
    }
    const Vec4 s = s0 + s1;
    double sum = (s[0] + s[1]) + (s[2] + s[3]);
    for (; k < depth; ++k) sum += ai[k] * m[k];
    double& out = c[i * ldc];
    out = write == Write::Add ? out + sum : bias ? sum + bias[0] : sum;
  }
}

// C (rows x cols, ldc apart) = A (rows x depth) M (depth x cols, contiguous rows ldm apart),
// plus bias[j] after the sum when given; or C += A M (write == Add, bias unused).
void small_product(const Strided& a, const double* m, Eigen::Index ldm, Eigen::Index rows,
                   Eigen::Index depth, Eigen::Index cols, double* c, Eigen::Index ldc,
                   const double* bias, Write write) {
  if (cols == 1 && a.depth == 1 && ldm == 1)
    return product_dot(a, m, rows, depth, c, ldc, bias, write);
  const Eigen::Index rows4 = rows - rows % 4;
  Eigen::Index j = 0;
  // Column panels of 8 outside, rows inside: a panel of M (depth x 8) stays in L1 for all rows.
  // 6 x 8 blocks: 12 accumulators, 2 panel loads and 6 broadcasts per 12 vector multiply-adds,
  // within AVX2's 16 registers (measured a little faster than 4 x 8, and 2 x 16 slower).
  for (; j + 8 <= cols; j += 8) {
    Eigen::Index i = 0;
    for (; i + 6 <= rows; i += 6) product_block<6, 2>(a, m, ldm, depth, c, ldc, bias, write, i, j);
    for (; i + 4 <= rows; i += 4) product_block<4, 2>(a, m, ldm, depth, c, ldc, bias, write, i, j);
    if (i + 2 <= rows) product_block<2, 2>(a, m, ldm, depth, c, ldc, bias, write, i, j), i += 2;
    if (i < rows) product_block<1, 2>(a, m, ldm, depth, c, ldc, bias, write, i, j);
  }
  if (j + 4 <= cols) {
    Eigen::Index i = 0;
    for (; i < rows4; i += 4) product_block<4, 1>(a, m, ldm, depth, c, ldc, bias, write, i, j);
    if (i + 2 <= rows) product_block<2, 1>(a, m, ldm, depth, c, ldc, bias, write, i, j), i += 2;
    if (i < rows) product_block<1, 1>(a, m, ldm, depth, c, ldc, bias, write, i, j);
    j += 4;
  }
  for (; j < cols; ++j) {  // e.g. a one-output layer: 8 rows at once to keep the adders busy
    Eigen::Index i = 0;
    for (; i + 8 <= rows; i += 8) product_column<8>(a, m, ldm, depth, c, ldc, bias, write, i, j);
    if (i + 4 <= rows) product_column<4>(a, m, ldm, depth, c, ldc, bias, write, i, j), i += 4;
    for (; i < rows; ++i) product_column<1>(a, m, ldm, depth, c, ldc, bias, write, i, j);
  }
}

// out[j] += sum over r < rows of g[r][j] (rows ld apart): a layer's bias gradient. The sums stay
// in registers, several side by side so several additions are in flight at once: Eigen's
// colwise().sum() of a row-major matrix is a chain of dependent scalar adds, and accumulating a
// row vector in memory waits on a store and a reload per row.
template <int V>
void column_sums_block(const double* g, Eigen::Index rows, Eigen::Index ld, double* out,
                       Eigen::Index out_stride, Eigen::Index j) {
  Vec4 even[V], odd[V];  // two interleaved partial sums: twice the additions in flight
  for (int v = 0; v < V; ++v) even[v] = odd[v] = Vec4{0.0, 0.0, 0.0, 0.0};
  Eigen::Index r = 0;
  for (; r + 2 <= rows; r += 2)
    for (int v = 0; v < V; ++v) {
      even[v] += *reinterpret_cast<const Vec4u*>(g + r * ld + j + 4 * v);
      odd[v] += *reinterpret_cast<const Vec4u*>(g + (r + 1) * ld + j + 4 * v);
    }
  if (r < rows)
    for (int v = 0; v < V; ++v) even[v] += *reinterpret_cast<const Vec4u*>(g + r * ld + j + 4 * v);
  for (int v = 0; v < V; ++v) {
    const Vec4 sum = even[v] + odd[v];
    for (int e = 0; e < 4; ++e) out[(j + 4 * v + e) * out_stride] += sum[e];
  }
}

void add_column_sums(const double* g, Eigen::Index rows, Eigen::Index cols, Eigen::Index ld,
                     double* out, Eigen::Index out_stride) {
  Eigen::Index j = 0;
  for (; j + 16 <= cols; j += 16) column_sums_block<4>(g, rows, ld, out, out_stride, j);
  for (; j + 4 <= cols; j += 4) column_sums_block<1>(g, rows, ld, out, out_stride, j);
  for (; j < cols; ++j) {
    double part[4] = {0.0, 0.0, 0.0, 0.0};  // four chains of additions, not one
    Eigen::Index r = 0;
    for (; r + 4 <= rows; r += 4)
      for (int e = 0; e < 4; ++e) part[e] += g[(r + e) * ld + j];
    for (; r < rows; ++r) part[0] += g[r * ld + j];
    out[j * out_stride] += (part[0] + part[1]) + (part[2] + part[3]);
  }
}

// Whether a layer's products (rows x inputs x units multiply-adds each) are small enough for
// small_product rather than Eigen's. Measured on whole runs: every moons layer (at most
// 100 x 16 x 16) is faster here; digits (64 x 64 x 10 the smallest) and wide are as fast or
// faster with Eigen, whose packing pays off from a few tens of thousands of multiply-adds.
bool use_small_product(Eigen::Index rows, Eigen::Index in, Eigen::Index units) {
  return rows * in * units <= 32 * 32 * 32;
}

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
  const auto& layers = model.layers();
  const std::size_t depth = layers.size();
  const double* params = model.parameters().data();  // forward() sized every per-layer list

  // Loss and its gradient with respect to the outputs.
  const Matrix& outputs = *w.out[depth - 1];
  const auto n_out = static_cast<std::size_t>(outputs.cols());
  Matrix& grad_out = w.grad[depth - 1];
  grad_out.resize(batch, outputs.cols());
  const double scale = 1.0 / static_cast<double>(batch);
  const bool count = correct && loss_is_classification(loss);
  double total = 0;
  if (correct) *correct = 0;
  for (Eigen::Index r = 0; r < batch; ++r) {
    const double* target = data.target(rows[static_cast<std::size_t>(r)]);
    total += row_loss(loss, outputs.row(r).data(), n_out, target, scale,
                      grads ? grad_out.row(r).data() : nullptr);
    if (count) *correct += is_correct(loss, outputs.row(r).data(), n_out, target);
  }
  const double mean = total * scale;
  if (!grads) return mean;

  // Backward: grad[l] holds d(loss)/d(out[l]) and becomes d(loss)/d(pre[l]) in place; the input
  // gradient goes into grad[l - 1].
  for (std::size_t l = depth; l-- > 0;) {
    const Layer& layer = layers[l];
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
      WeightMap(grads + offset, units, in, Eigen::OuterStride<>(in + 1)) +=
          t.topRows(in).transpose();
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
        small_product({g.data(), units, 1}, weights.data(), in, batch, units, in, grad_in.data(),
                      in, nullptr, Write::Store);
      } else {
        grad_in.noalias() =
            g * ConstWeightMap(params + offset, units, in, Eigen::OuterStride<>(in + 1));
      }
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
