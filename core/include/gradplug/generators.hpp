// Generators: the seeded toy data sets beside make_moons (dataset.hpp). Each draws randomness only
// from the Random it is given, in the order written below, so one seed gives the same rows on
// every platform. A noise or standard deviation of 0 consumes no normal draws at all.
//
// Classification sets name their classes "0", "1", ... and store the class index in y.
// Arguments a user can get wrong (they come from a config) throw gradplug::Error naming the
// generator and the parameter, e.g. "circles: factor must be in (0, 1), got 1.5".
#pragma once

#include <cstddef>

#include "gradplug/dataset.hpp"
#include "gradplug/random.hpp"

namespace gradplug {

// The seed's four samples as a regression set (class_names empty): 4 rows of 3 features,
// x = [[2, 3, -1], [3, -1, 0.5], [0.5, 1, 1], [1, 1, -1]], y = [10, -15, -15, 8]. No randomness.
Dataset make_seed4();

// XOR: class = (x > 0) xor (y > 0), labelled before any noise.
// samples == 4 is the truth table: the corners (-1, -1), (-1, 1), (1, -1), (1, 1) in that order
// (classes 0, 1, 1, 0), with no uniform draws. Otherwise each row draws x then y from
// rng.uniform(-1, 1), i.e. in [-1, 1). Then, if noise > 0, rng.normal() for every coordinate,
// row-major (x0, y0, x1, y1, ...), scaled by noise. Rows are not shuffled.
// samples >= 1: the labels come from the draws, so no count short of the truth table guarantees
// both classes anyway, and any non-empty sample of the distribution is a valid data set.
Dataset make_xor(std::size_t samples, double noise, Random& rng);

// scikit-learn's make_circles: class 0 is the unit circle with samples / 2 points at angles
// linspace(0, 2 pi, n, endpoint=False); class 1 the rest, on a circle of radius factor.
// Draws: a Fisher-Yates shuffle of the rows (rng.below(i) for i = samples down to 2, swapping rows
// i - 1 and the draw), then, if noise > 0, rng.normal() per coordinate, row-major, times noise.
// samples >= 2 (so both circles have a point), 0 < factor < 1, noise >= 0.
Dataset make_circles(std::size_t samples, double noise, double factor, Random& rng);

// CS231n's spirals: for class j (0 <= j < classes) and point i (0 <= i < N = points_per_class),
// r = linspace(0, 1, N)[i], t = linspace(4 j, 4 (j + 1), N)[i] + noise * rng.normal(),
// row j * N + i = (r sin t, r cos t). Rows stay in that class-major order (not shuffled); the one
// normal per row is drawn in row order, and only if noise > 0. linspace is numpy's
// (start + i * step, the last value exactly stop).
// classes >= 2, points_per_class >= 2 (so the radius runs from 0 to 1), noise >= 0.
Dataset make_spirals(std::size_t classes, std::size_t points_per_class, double noise, Random& rng);

// scikit-learn's make_blobs: `centers` centers uniform in [-center_box, center_box)^features,
// samples split as evenly as possible (the first samples % centers centers get one more), each
// point a Gaussian of standard deviation cluster_std around its center; class = center index.
// Draws: the centers' coordinates, rng.uniform(-center_box, center_box) row-major (center 0's
// features first); then, if cluster_std > 0, rng.normal() per coordinate of every point, center
// by center, row-major; then a Fisher-Yates shuffle of the rows as in make_circles.
// centers >= 1, features >= 1, samples >= 2 and >= centers (every class appears),
// cluster_std >= 0, center_box >= 0.
Dataset make_blobs(std::size_t samples, std::size_t centers, std::size_t features,
                   double cluster_std, double center_box, Random& rng);

}  // namespace gradplug
