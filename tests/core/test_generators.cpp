// The seeded data generators beside make_moons: shapes, exact class counts, geometry with no
// noise, the documented draw order (replayed with a second Random), determinism and the errors
// for arguments a config can get wrong.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <functional>
#include <limits>
#include <numbers>
#include <set>
#include <string>
#include <vector>

#include "gradplug/dataset.hpp"
#include "gradplug/error.hpp"
#include "gradplug/generators.hpp"
#include "gradplug/random.hpp"

namespace gradplug {
namespace {

constexpr double kTwoPi = 2.0 * std::numbers::pi;

std::vector<std::size_t> class_counts(const Dataset& d) {
  std::vector<std::size_t> counts(d.classes(), 0);
  for (std::size_t i = 0; i < d.rows; ++i) {
    const double c = d.y[i];
    EXPECT_EQ(c, std::floor(c)) << "row " << i;
    EXPECT_GE(c, 0.0);
    EXPECT_LT(c, static_cast<double>(d.classes()));
    ++counts.at(static_cast<std::size_t>(c));
  }
  return counts;
}

void expect_shape(const Dataset& d, std::size_t rows, std::size_t features, std::size_t classes) {
  EXPECT_EQ(d.rows, rows);
  EXPECT_EQ(d.features, features);
  EXPECT_EQ(d.target_columns, 1u);
  EXPECT_EQ(d.x.size(), rows * features);
  EXPECT_EQ(d.y.size(), rows);
  ASSERT_EQ(d.classes(), classes);
  for (std::size_t c = 0; c < classes; ++c) EXPECT_EQ(d.class_names[c], std::to_string(c));
}

bool same_bytes(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

// The undone Fisher-Yates shuffle: replays rng.below(i) for i = rows down to 2 on `d`.
void replay_shuffle(Dataset& d, Random& rng) {
  for (std::size_t i = d.rows; i > 1; --i) {
    const std::size_t j = rng.below(i);
    for (std::size_t f = 0; f < d.features; ++f)
      std::swap(d.x[(i - 1) * d.features + f], d.x[j * d.features + f]);
    std::swap(d.y[i - 1], d.y[j]);
  }
}

// The message of the Error `make` throws, or a note that it threw none.
std::string error_of(const std::function<void()>& make) {
  try {
    make();
  } catch (const Error& e) {
    return e.what();
  }
  return "<no gradplug::Error>";
}

// Difference of two angles, wrapped into [-pi, pi].
double angle_gap(double a, double b) { return std::remainder(a - b, kTwoPi); }

// ---- seed4 ----

TEST(Seed4Generator, IsTheSeedsRegressionSet) {
  const Dataset d = make_seed4();
  EXPECT_EQ(d.rows, 4u);
  EXPECT_EQ(d.features, 3u);
  EXPECT_EQ(d.target_columns, 1u);
  EXPECT_FALSE(d.is_classification());
  EXPECT_EQ(d.x, (std::vector<double>{2, 3, -1, 3, -1, 0.5, 0.5, 1, 1, 1, 1, -1}));
  EXPECT_EQ(d.y, (std::vector<double>{10, -15, -15, 8}));
}

// ---- xor ----

TEST(XorGenerator, FourSamplesAreTheTruthTable) {
  Random rng(3);
  const auto before = rng.state();
  const Dataset d = make_xor(4, 0.0, rng);
  expect_shape(d, 4, 2, 2);
  EXPECT_EQ(d.x, (std::vector<double>{-1, -1, -1, 1, 1, -1, 1, 1}));
  EXPECT_EQ(d.y, (std::vector<double>{0, 1, 1, 0}));
  EXPECT_EQ(rng.state(), before) << "the truth table draws nothing";
}

TEST(XorGenerator, LabelsMatchQuadrants) {
  Random rng(11);
  const Dataset d = make_xor(1000, 0.0, rng);
  expect_shape(d, 1000, 2, 2);
  std::size_t quadrant[2][2] = {{0, 0}, {0, 0}};
  for (std::size_t i = 0; i < d.rows; ++i) {
    const double x = d.row(i)[0], y = d.row(i)[1];
    ASSERT_GE(x, -1.0);
    ASSERT_LT(x, 1.0);
    ASSERT_GE(y, -1.0);
    ASSERT_LT(y, 1.0);
    EXPECT_EQ(d.y[i], ((x > 0) != (y > 0)) ? 1.0 : 0.0) << "row " << i;
    ++quadrant[x > 0][y > 0];
  }
  for (auto& half : quadrant)
    for (std::size_t count : half) {
      EXPECT_GT(count, 150u);  // 250 expected, standard deviation about 14
      EXPECT_LT(count, 350u);
    }
}

TEST(XorGenerator, DrawOrderUniformsThenNoiseAfterLabelling) {
  const std::size_t n = 50;
  const double noise = 0.3;
  Random rng(5);
  const Dataset d = make_xor(n, noise, rng);
  Random replay(5);
  std::vector<double> clean(2 * n);
  for (double& v : clean) v = replay.uniform(-1.0, 1.0);
  for (std::size_t i = 0; i < n; ++i) {
    EXPECT_EQ(d.y[i], ((clean[2 * i] > 0) != (clean[2 * i + 1] > 0)) ? 1.0 : 0.0) << "row " << i;
    for (std::size_t f = 0; f < 2; ++f)
      EXPECT_EQ(d.x[2 * i + f], clean[2 * i + f] + noise * replay.normal()) << "row " << i;
  }
  EXPECT_EQ(rng.state(), replay.state());
}

TEST(XorGenerator, NoisyTruthTableKeepsItsLabels) {
  Random rng(9), replay(9);
  const Dataset d = make_xor(4, 0.1, rng);
  const std::vector<double> corners{-1, -1, -1, 1, 1, -1, 1, 1};
  EXPECT_EQ(d.y, (std::vector<double>{0, 1, 1, 0}));
  for (std::size_t k = 0; k < 8; ++k) EXPECT_EQ(d.x[k], corners[k] + 0.1 * replay.normal());
}

// ---- circles ----

TEST(CirclesGenerator, ShapeAndExactClassCounts) {
  Random rng(1);
  const Dataset odd = make_circles(101, 0.05, 0.5, rng);
  expect_shape(odd, 101, 2, 2);
  EXPECT_EQ(class_counts(odd), (std::vector<std::size_t>{50, 51}));
  const Dataset even = make_circles(2, 0.0, 0.5, rng);
  EXPECT_EQ(class_counts(even), (std::vector<std::size_t>{1, 1}));
}

TEST(CirclesGenerator, NoNoiseRadiiAndAnglesAreExact) {
  const std::size_t samples = 37;
  const double factor = 0.3;
  Random rng(2);
  const Dataset d = make_circles(samples, 0.0, factor, rng);
  const std::size_t n[2] = {samples / 2, samples - samples / 2};
  std::set<std::size_t> seen[2];
  for (std::size_t i = 0; i < d.rows; ++i) {
    const int c = static_cast<int>(d.y[i]);
    const double radius = c == 0 ? 1.0 : factor;
    const double x = d.row(i)[0], y = d.row(i)[1];
    EXPECT_NEAR(std::hypot(x, y), radius, 1e-15) << "row " << i;
    // Which of linspace(0, 2 pi, n, endpoint=False) this point sits at.
    const double step = kTwoPi / static_cast<double>(n[c]);
    double a = std::atan2(y, x);
    if (a < -step / 2) a += kTwoPi;
    const auto k = static_cast<std::size_t>(std::llround(a / step));
    EXPECT_TRUE(seen[c].insert(k).second) << "angle index " << k << " twice in class " << c;
    EXPECT_DOUBLE_EQ(x, std::cos(static_cast<double>(k) * step) * radius);
    EXPECT_DOUBLE_EQ(y, std::sin(static_cast<double>(k) * step) * radius);
  }
  for (int c = 0; c < 2; ++c) {
    ASSERT_EQ(seen[c].size(), n[c]);
    EXPECT_EQ(*seen[c].rbegin(), n[c] - 1);
  }
}

TEST(CirclesGenerator, DrawOrderShuffleThenNoise) {
  const std::size_t samples = 40;
  Random rng(21);
  const Dataset clean = make_circles(samples, 0.0, 0.6, rng);
  // The shuffle is Fisher-Yates with rng.below: undoing it by replay sorts the classes.
  {
    Dataset unshuffled = clean;
    Random replay(21);
    std::vector<std::size_t> swaps;
    for (std::size_t i = samples; i > 1; --i) swaps.push_back(replay.below(i));
    for (std::size_t s = swaps.size(); s-- > 0;) {
      const std::size_t i = samples - s, j = swaps[s];
      std::swap(unshuffled.x[2 * (i - 1)], unshuffled.x[2 * j]);
      std::swap(unshuffled.x[2 * (i - 1) + 1], unshuffled.x[2 * j + 1]);
      std::swap(unshuffled.y[i - 1], unshuffled.y[j]);
    }
    EXPECT_TRUE(std::is_sorted(unshuffled.y.begin(), unshuffled.y.end()));
    EXPECT_FALSE(std::is_sorted(clean.y.begin(), clean.y.end())) << "rows are shuffled";
    for (std::size_t i = 0; i < samples / 2; ++i)  // outer circle in angle order
      EXPECT_DOUBLE_EQ(unshuffled.x[2 * i], std::cos(static_cast<double>(i) * (kTwoPi / 20.0)));
    EXPECT_EQ(rng.state(), replay.state());
  }
  // The same shuffle, then one normal per coordinate, row-major.
  Random noisy_rng(21);
  const Dataset noisy = make_circles(samples, 0.2, 0.6, noisy_rng);
  EXPECT_EQ(noisy.y, clean.y);
  Random after_shuffle = rng;
  for (std::size_t k = 0; k < noisy.x.size(); ++k)
    EXPECT_EQ(noisy.x[k], clean.x[k] + 0.2 * after_shuffle.normal()) << "coordinate " << k;
  EXPECT_EQ(noisy_rng.state(), after_shuffle.state());
}

// ---- spirals ----

TEST(SpiralsGenerator, ShapeAndExactClassCountsInClassOrder) {
  Random rng(4);
  const Dataset d = make_spirals(3, 100, 0.2, rng);
  expect_shape(d, 300, 2, 3);
  EXPECT_EQ(class_counts(d), (std::vector<std::size_t>{100, 100, 100}));
  for (std::size_t i = 0; i < d.rows; ++i) EXPECT_EQ(d.y[i], static_cast<double>(i / 100));
}

TEST(SpiralsGenerator, NoNoiseRadiusAndAngleAsDefined) {
  const std::size_t classes = 4, n = 25;
  Random rng(6);
  const auto before = rng.state();
  const Dataset d = make_spirals(classes, n, 0.0, rng);
  EXPECT_EQ(rng.state(), before) << "noise 0 draws nothing";
  for (std::size_t j = 0; j < classes; ++j)
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t row = j * n + i;
      const double r = static_cast<double>(i) / static_cast<double>(n - 1);
      const double t = 4.0 * static_cast<double>(j) + 4.0 * r;
      const double x = d.row(row)[0], y = d.row(row)[1];
      EXPECT_NEAR(x, r * std::sin(t), 1e-14) << "row " << row;
      EXPECT_NEAR(y, r * std::cos(t), 1e-14) << "row " << row;
      EXPECT_NEAR(std::hypot(x, y), r, 1e-15) << "row " << row;
      if (i > 0) {
        EXPECT_NEAR(angle_gap(std::atan2(x, y), t), 0.0, 1e-13) << "row " << row;
      }
    }
  for (std::size_t j = 0; j < classes;
       ++j) {  // linspace ends: the origin and radius 1 at t = 4(j+1)
    EXPECT_EQ(d.row(j * n)[0], 0.0);
    EXPECT_EQ(d.row(j * n)[1], 0.0);
    const double t_end = 4.0 * static_cast<double>(j + 1);
    EXPECT_EQ(d.row(j * n + n - 1)[0], std::sin(t_end));
    EXPECT_EQ(d.row(j * n + n - 1)[1], std::cos(t_end));
  }
}

TEST(SpiralsGenerator, NoiseMovesOnlyTheAngleOneNormalPerRow) {
  const std::size_t classes = 3, n = 30;
  const double noise = 0.25;
  Random rng(8), replay(8);
  const Dataset d = make_spirals(classes, n, noise, rng);
  for (std::size_t j = 0; j < classes; ++j)
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t row = j * n + i;
      const double r = static_cast<double>(i) / static_cast<double>(n - 1);
      const double t = 4.0 * static_cast<double>(j) + 4.0 * r + noise * replay.normal();
      EXPECT_NEAR(d.row(row)[0], r * std::sin(t), 1e-13) << "row " << row;
      EXPECT_NEAR(d.row(row)[1], r * std::cos(t), 1e-13) << "row " << row;
      EXPECT_NEAR(std::hypot(d.row(row)[0], d.row(row)[1]), r, 1e-15) << "row " << row;
    }
  EXPECT_EQ(rng.state(), replay.state());
}

// ---- blobs ----

TEST(BlobsGenerator, ShapeAndExactClassCounts) {
  Random rng(10);
  const Dataset d = make_blobs(10, 3, 4, 1.0, 10.0, rng);
  expect_shape(d, 10, 4, 3);
  EXPECT_EQ(class_counts(d), (std::vector<std::size_t>{4, 3, 3}));
  const Dataset even = make_blobs(300, 3, 2, 1.0, 10.0, rng);
  EXPECT_EQ(class_counts(even), (std::vector<std::size_t>{100, 100, 100}));
  const Dataset one = make_blobs(5, 5, 1, 1.0, 10.0, rng);
  EXPECT_EQ(class_counts(one), (std::vector<std::size_t>{1, 1, 1, 1, 1}));
}

TEST(BlobsGenerator, PointsAreNearestToTheirOwnCenter) {
  const std::size_t samples = 400, centers = 5, features = 3;
  const double box = 10.0;
  Random rng(12);
  const Dataset d = make_blobs(samples, centers, features, 0.05, box, rng);
  // The centers are the first draws, so a same-seeded Random gives them back.
  Random replay(12);
  std::vector<double> middle(centers * features);
  for (double& v : middle) {
    v = replay.uniform(-box, box);
    EXPECT_GE(v, -box);
    EXPECT_LT(v, box);
  }
  for (std::size_t i = 0; i < d.rows; ++i) {
    std::size_t nearest = 0;
    double best = std::numeric_limits<double>::infinity();
    for (std::size_t c = 0; c < centers; ++c) {
      double dist = 0;
      for (std::size_t f = 0; f < features; ++f) {
        const double diff = d.row(i)[f] - middle[c * features + f];
        dist += diff * diff;
      }
      if (dist < best) best = dist, nearest = c;
    }
    EXPECT_EQ(static_cast<double>(nearest), d.y[i]) << "row " << i;
    EXPECT_LT(std::sqrt(best), 0.05 * 6) << "row " << i;
  }
  EXPECT_FALSE(std::is_sorted(d.y.begin(), d.y.end())) << "rows are shuffled";
}

TEST(BlobsGenerator, DrawOrderCentersThenNormalsThenShuffle) {
  const std::size_t samples = 23, centers = 4, features = 2;
  const double sd = 0.7, box = 5.0;
  for (const double std_dev : {sd, 0.0}) {
    Random rng(14), replay(14);
    const Dataset d = make_blobs(samples, centers, features, std_dev, box, rng);
    std::vector<double> middle(centers * features);
    for (double& v : middle) v = replay.uniform(-box, box);
    Dataset expected = d;
    std::size_t row = 0;
    for (std::size_t c = 0; c < centers; ++c)
      for (std::size_t k = 0; k < samples / centers + (c < samples % centers); ++k, ++row) {
        for (std::size_t f = 0; f < features; ++f) {
          double v = middle[c * features + f];
          if (std_dev > 0) v += std_dev * replay.normal();
          expected.x[row * features + f] = v;
        }
        expected.y[row] = static_cast<double>(c);
      }
    ASSERT_EQ(row, samples);
    replay_shuffle(expected, replay);
    EXPECT_TRUE(same_bytes(d.x, expected.x)) << "cluster_std " << std_dev;
    EXPECT_EQ(d.y, expected.y) << "cluster_std " << std_dev;
    EXPECT_EQ(rng.state(), replay.state()) << "cluster_std " << std_dev;
  }
}

// ---- all generators ----

struct Named {
  const char* name;
  std::function<Dataset(Random&)> make;
};

const std::vector<Named>& all_generators() {
  static const std::vector<Named> generators = {
      {"xor", [](Random& r) { return make_xor(64, 0.1, r); }},
      {"circles", [](Random& r) { return make_circles(64, 0.1, 0.5, r); }},
      {"spirals", [](Random& r) { return make_spirals(3, 20, 0.2, r); }},
      {"blobs", [](Random& r) { return make_blobs(64, 3, 2, 1.0, 10.0, r); }},
      {"blobs no noise", [](Random& r) { return make_blobs(64, 3, 2, 0.0, 10.0, r); }},
      {"circles no noise", [](Random& r) { return make_circles(64, 0.0, 0.5, r); }},
  };
  return generators;
}

TEST(GeneratorDeterminism, SameSeedSameBytes) {
  for (const auto& g : all_generators()) {
    Random a(77), b(77);
    const Dataset first = g.make(a), second = g.make(b);
    EXPECT_TRUE(same_bytes(first.x, second.x)) << g.name;
    EXPECT_TRUE(same_bytes(first.y, second.y)) << g.name;
    EXPECT_EQ(a.state(), b.state()) << g.name;
  }
  EXPECT_EQ(make_seed4().x, make_seed4().x);
}

TEST(GeneratorDeterminism, DifferentSeedDiffers) {
  for (const auto& g : all_generators()) {
    Random a(77), b(78);
    EXPECT_FALSE(same_bytes(g.make(a).x, g.make(b).x)) << g.name;
  }
}

TEST(GeneratorDeterminism, ConsecutiveCallsContinueTheStream) {
  for (const auto& g : all_generators()) {
    Random rng(5);
    const Dataset first = g.make(rng), second = g.make(rng);
    EXPECT_FALSE(same_bytes(first.x, second.x)) << g.name;
  }
}

TEST(GeneratorArguments, ErrorsNameTheGeneratorAndParameter) {
  Random rng(1);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  const struct {
    std::function<void()> make;
    std::string message;
  } cases[] = {
      {[&] { make_xor(0, 0.1, rng); }, "xor: samples must be at least 1, got 0"},
      {[&] { make_xor(10, -0.1, rng); }, "xor: noise must be a finite number >= 0, got -0.1"},
      {[&] { make_xor(10, nan, rng); }, "xor: noise must be a finite number >= 0, got nan"},
      {[&] { make_circles(1, 0.1, 0.5, rng); }, "circles: samples must be at least 2, got 1"},
      {[&] { make_circles(10, 0.1, 1.5, rng); }, "circles: factor must be in (0, 1), got 1.5"},
      {[&] { make_circles(10, 0.1, 1.0, rng); }, "circles: factor must be in (0, 1), got 1"},
      {[&] { make_circles(10, 0.1, 0.0, rng); }, "circles: factor must be in (0, 1), got 0"},
      {[&] { make_circles(10, 0.1, nan, rng); }, "circles: factor must be in (0, 1), got nan"},
      {[&] { make_circles(10, -1, 0.5, rng); },
       "circles: noise must be a finite number >= 0, got -1"},
      {[&] { make_spirals(1, 10, 0.1, rng); }, "spirals: classes must be at least 2, got 1"},
      {[&] { make_spirals(3, 1, 0.1, rng); },
       "spirals: points_per_class must be at least 2, got 1"},
      {[&] { make_spirals(3, 10, inf, rng); },
       "spirals: noise must be a finite number >= 0, got inf"},
      {[&] { make_blobs(10, 0, 2, 1, 10, rng); }, "blobs: centers must be at least 1, got 0"},
      {[&] { make_blobs(10, 3, 0, 1, 10, rng); }, "blobs: features must be at least 1, got 0"},
      {[&] { make_blobs(1, 1, 2, 1, 10, rng); }, "blobs: samples must be at least 2, got 1"},
      {[&] { make_blobs(4, 5, 2, 1, 10, rng); },
       "blobs: samples must be at least centers (5) so that every center gets a point, got 4"},
      {[&] { make_blobs(10, 3, 2, -0.5, 10, rng); },
       "blobs: cluster_std must be a finite number >= 0, got -0.5"},
      {[&] { make_blobs(10, 3, 2, 1, -10, rng); },
       "blobs: center_box must be a finite number >= 0, got -10"},
      {[&] { make_blobs(10, 3, 2, 1, inf, rng); },
       "blobs: center_box must be a finite number >= 0, got inf"},
  };
  const auto before = rng.state();
  for (const auto& c : cases) EXPECT_EQ(error_of(c.make), c.message);
  EXPECT_EQ(rng.state(), before) << "arguments are checked before any draw";
}

TEST(GeneratorArguments, SmallestValidSizesWork) {
  Random rng(1);
  EXPECT_EQ(make_xor(1, 0.0, rng).rows, 1u);
  EXPECT_EQ(make_xor(5, 0.0, rng).rows, 5u);
  EXPECT_EQ(make_circles(2, 0.0, 0.5, rng).rows, 2u);
  EXPECT_EQ(make_spirals(2, 2, 0.0, rng).rows, 4u);
  EXPECT_EQ(make_blobs(2, 1, 1, 0.0, 0.0, rng).x, (std::vector<double>{0.0, 0.0}));
  EXPECT_NO_THROW(make_circles(3, 0.0, 1e-9, rng));
}

}  // namespace
}  // namespace gradplug
