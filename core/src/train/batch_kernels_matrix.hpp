// The small matrix kernels of BatchKernels: register-blocked products and column sums for
// micrograd-sized layers, where Eigen's general product spends more time packing than multiplying.
// They follow the Value graph's order of operations (see batch_kernels_matrix.cpp).
#pragma once

#include <Eigen/Core>

namespace gradplug::kernels {

// An operand whose element (i, k) is at p[i * row + k * depth]: i indexes output rows, k the
// summed dimension. Strides let one kernel read a matrix, its transpose, or a layer's weights
// inside the flat parameter array (rows (inputs + 1) apart because of the interleaved bias).
struct Strided {
  const double* p;
  Eigen::Index row, depth;
};

enum class Write { Store, Add };  // C = A M (+ bias), or C += A M

// C (rows x cols, ldc apart) = A (rows x depth) M (depth x cols, contiguous rows ldm apart),
// plus bias[j] after the sum when given; or C += A M (write == Add, bias unused).
void small_product(const Strided& a, const double* m, Eigen::Index ldm, Eigen::Index rows,
                   Eigen::Index depth, Eigen::Index cols, double* c, Eigen::Index ldc,
                   const double* bias, Write write);

// out[j * out_stride] += sum over r < rows of g[r][j] (rows ld apart): a layer's bias gradient.
void add_column_sums(const double* g, Eigen::Index rows, Eigen::Index cols, Eigen::Index ld,
                     double* out, Eigen::Index out_stride);

// Whether a layer's products (rows x inputs x units multiply-adds each) are small enough for
// small_product rather than Eigen's. Measured on whole runs: every moons layer (at most
// 100 x 16 x 16) is faster here; digits (64 x 64 x 10 the smallest) and wide are as fast or
// faster with Eigen, whose packing pays off from a few tens of thousands of multiply-adds.
inline bool use_small_product(Eigen::Index rows, Eigen::Index in, Eigen::Index units) {
  return rows * in * units <= 32 * 32 * 32;
}

}  // namespace gradplug::kernels
