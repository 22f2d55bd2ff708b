#include "train/batch_kernels_matrix.hpp"

namespace gradplug::kernels {

// Small products without packing. Micrograd-sized layers (moons: 100 rows x 16 units) are far
// below the sizes Eigen's general matrix product is built for: at 100x16x16 it spent more time
// packing its operands, zero-filling and choosing block sizes than multiplying. These
// register-blocked loops multiply straight from the operands. They also follow the Value graph's
// order of operations: each output is ((0 + a0 m0) + a1 m1) + ..., a multiply and an add per term
// (no fused multiply-add, as -ffp-contract=off everywhere), then the bias, which is how a dot node
// computes a neuron. Large layers (digits, wide) stay with Eigen's cache-blocked product (see
// use_small_product).

namespace {

// Four doubles: one AVX register with -march=x86-64-v3, two SSE2 registers without. Only ever a
// local of the functions below (never passed by value, which would change with the ISA's ABI).
// Vec4u loads and stores four doubles at any double's address: aligned(8), and may_alias so it
// can read and write double arrays (as the compilers' own __m256d_u does).
using Vec4 = double __attribute__((vector_size(32)));
using Vec4u = double __attribute__((vector_size(32), aligned(8), may_alias));

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

}  // namespace

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

namespace {

// Column sums of 4 V columns from j. The sums stay in registers, several side by side so several
// additions are in flight at once: Eigen's colwise().sum() of a row-major matrix is a chain of
// dependent scalar adds, and accumulating a row vector in memory waits on a store and a reload per
// row.
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

}  // namespace

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

}  // namespace gradplug::kernels
