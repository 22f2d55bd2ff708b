// The Value engine: micrograd's own tests, finite-difference checks of every op, the accumulation
// rule, numerical limits and a deep graph.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include "gradplug/random.hpp"
#include "gradplug/value.hpp"

namespace gradplug {
namespace {

// Each test gets a fresh tape as the current one.
class ValueTest : public ::testing::Test {
 protected:
  Tape tape;
  Tape::Scope scope{tape};
};

TEST_F(ValueTest, MicrogradSanityCheck) {
  Value x = -4.0;
  auto z = 2 * x + 2 + x;
  auto q = z.relu() + z * x;
  auto h = (z * z).relu();
  auto y = h + q + q * x;
  y.backward();
  EXPECT_DOUBLE_EQ(y.data(), -20.0);
  EXPECT_DOUBLE_EQ(x.grad(), 46.0);
}

TEST_F(ValueTest, MicrogradMoreOps) {
  Value a = -4.0;
  Value b = 2.0;
  auto c = a + b;
  auto d = a * b + b.pow(3);
  c += c + 1;
  c += 1 + c + (-a);
  d += d * 2 + (b + a).relu();
  d += 3 * d + (b - a).relu();
  auto e = c - d;
  auto f = e.pow(2);
  auto g = f / 2.0;
  g += 10.0 / f;
  g.backward();
  EXPECT_NEAR(g.data(), 24.70408163265306, 1e-6);
  EXPECT_NEAR(a.grad(), 138.83381924198252, 1e-6);
  EXPECT_NEAR(b.grad(), 645.5772594752186, 1e-6);
}

// Central difference of f at x, with a step scaled to x.
double numeric_derivative(const std::function<double(double)>& f, double x) {
  const double h = 1e-6 * std::max(1.0, std::fabs(x));
  return (f(x + h) - f(x - h)) / (2 * h);
}

struct UnaryCase {
  const char* name;
  std::function<Value(const Value&)> op;
  std::function<double(double)> reference;
  std::vector<double> points;
};

TEST_F(ValueTest, UnaryOpsMatchFiniteDifferences) {
  Random rng(7);
  std::vector<double> generic;
  for (int i = 0; i < 50; ++i) generic.push_back(rng.uniform(-3.0, 3.0));
  std::vector<double> positive;
  for (int i = 0; i < 50; ++i) positive.push_back(rng.uniform(0.05, 5.0));
  const std::vector<UnaryCase> cases = {
      {"neg", [](const Value& v) { return -v; }, [](double x) { return -x; }, generic},
      {"exp", [](const Value& v) { return v.exp(); }, [](double x) { return std::exp(x); },
       generic},
      {"log", [](const Value& v) { return v.log(); }, [](double x) { return std::log(x); },
       positive},
      {"tanh", [](const Value& v) { return v.tanh(); }, [](double x) { return std::tanh(x); },
       generic},
      {"sin", [](const Value& v) { return v.sin(); }, [](double x) { return std::sin(x); },
       generic},
      {"cos", [](const Value& v) { return v.cos(); }, [](double x) { return std::cos(x); },
       generic},
      {"sigmoid", [](const Value& v) { return v.sigmoid(); },
       [](double x) { return 1 / (1 + std::exp(-x)); }, generic},
      {"relu", [](const Value& v) { return v.relu(); }, [](double x) { return x > 0 ? x : 0; },
       generic},
      {"softplus", [](const Value& v) { return v.softplus(); },
       [](double x) { return std::log1p(std::exp(x)); }, generic},
      {"pow 3", [](const Value& v) { return v.pow(3.0); }, [](double x) { return x * x * x; },
       generic},
      {"pow -1.5", [](const Value& v) { return v.pow(-1.5); },
       [](double x) { return std::pow(x, -1.5); }, positive},
      {"pow 0.5", [](const Value& v) { return v.pow(0.5); }, [](double x) { return std::sqrt(x); },
       positive},
      {"add const", [](const Value& v) { return v + 2.5; }, [](double x) { return x + 2.5; },
       generic},
      {"const sub", [](const Value& v) { return 2.5 - v; }, [](double x) { return 2.5 - x; },
       generic},
      {"mul const", [](const Value& v) { return 3.0 * v; }, [](double x) { return 3 * x; },
       generic},
      {"const div", [](const Value& v) { return 3.0 / v; }, [](double x) { return 3 / x; },
       positive},
      {"self mul", [](const Value& v) { return v * v; }, [](double x) { return x * x; }, generic},
  };
  for (const auto& c : cases) {
    for (double x0 : c.points) {
      tape.clear();
      Value x = x0;
      Value y = c.op(x);
      EXPECT_NEAR(y.data(), c.reference(x0), 1e-12 * std::max(1.0, std::fabs(y.data()))) << c.name;
      y.backward();
      const double expected = numeric_derivative(c.reference, x0);
      EXPECT_NEAR(x.grad(), expected, 1e-6 * std::max(1.0, std::fabs(expected)))
          << c.name << " at " << x0;
    }
  }
}

TEST_F(ValueTest, BinaryOpsMatchFiniteDifferences) {
  using F = std::function<double(double, double)>;
  using G = std::function<Value(const Value&, const Value&)>;
  const std::vector<std::tuple<const char*, G, F>> cases = {
      {"add", [](const Value& a, const Value& b) { return a + b; },
       [](double a, double b) { return a + b; }},
      {"sub", [](const Value& a, const Value& b) { return a - b; },
       [](double a, double b) { return a - b; }},
      {"mul", [](const Value& a, const Value& b) { return a * b; },
       [](double a, double b) { return a * b; }},
      {"div", [](const Value& a, const Value& b) { return a / b; },
       [](double a, double b) { return a / b; }},
      {"pow", [](const Value& a, const Value& b) { return a.pow(b); },
       [](double a, double b) { return std::pow(a, b); }},
  };
  Random rng(11);
  for (const auto& [name, op, reference] : cases) {
    for (int i = 0; i < 40; ++i) {
      const double a0 = rng.uniform(0.2, 3.0), b0 = rng.uniform(-2.0, 2.0);
      tape.clear();
      Value a = a0, b = b0;
      Value y = op(a, b);
      y.backward();
      const double da = numeric_derivative([&](double x) { return reference(x, b0); }, a0);
      const double db = numeric_derivative([&](double x) { return reference(a0, x); }, b0);
      EXPECT_NEAR(a.grad(), da, 1e-6 * std::max(1.0, std::fabs(da))) << name;
      EXPECT_NEAR(b.grad(), db, 1e-6 * std::max(1.0, std::fabs(db))) << name;
    }
  }
}

TEST_F(ValueTest, FusedSumAndDotMatchTheirExpansion) {
  Random rng(3);
  std::vector<Value> w, x;
  for (int i = 0; i < 5; ++i) {
    w.emplace_back(rng.uniform(-1, 1));
    x.emplace_back(rng.uniform(-1, 1));
  }
  Value bias = 0.3;
  Value y = dot(w, x, bias).tanh() * sum(x);
  y.backward();
  std::vector<double> fused_w, fused_x;
  for (int i = 0; i < 5; ++i) {
    fused_w.push_back(w[i].grad());
    fused_x.push_back(x[i].grad());
  }
  const double fused_bias = bias.grad();
  tape.zero_grad();
  Value expanded = bias;
  for (int i = 0; i < 5; ++i) expanded = expanded + w[i] * x[i];
  Value total = x[0];
  for (int i = 1; i < 5; ++i) total = total + x[i];
  Value y2 = expanded.tanh() * total;
  y2.backward();
  EXPECT_NEAR(y.data(), y2.data(), 1e-15);
  for (int i = 0; i < 5; ++i) {
    EXPECT_NEAR(w[i].grad(), fused_w[i], 1e-14);
    EXPECT_NEAR(x[i].grad(), fused_x[i], 1e-14);
  }
  EXPECT_NEAR(bias.grad(), fused_bias, 1e-14);
}

// GRADPLUG_OPS is the one list of ops: each entry sits at its own enumerator's index and has a
// name of its own (what `gradplug graph` prints), and a constant op's name marks where k goes.
TEST(OpTable, EveryOpHasADistinctNameAtItsOwnIndex) {
  std::set<std::string> names;
  for (std::size_t i = 0; i < std::size(kOps); ++i) {
    const OpInfo& info = kOps[i];
    EXPECT_EQ(static_cast<std::size_t>(info.op), i);
    ASSERT_NE(info.name, nullptr);
    EXPECT_STRNE(info.name, "") << "op " << i;
    EXPECT_TRUE(names.insert(info.name).second) << "op name '" << info.name << "' used twice";
    EXPECT_EQ(op_name(info.op), std::string(info.name));
    if (info.operands == Operands::Constant) {
      EXPECT_NE(std::string(info.name).find('k'), std::string::npos) << info.name;
    }
  }
  EXPECT_EQ(op_name(Op::Tanh), std::string("tanh"));
  EXPECT_EQ(op_info(Op::Dot).operands, Operands::Dot);
}

// Tape::inputs decodes each operand layout of the table.
TEST_F(ValueTest, InputsFollowTheOperandLayoutOfEachOp) {
  Value a = 1.5, b = -2.0, c = 0.25;
  using Inputs = std::vector<std::uint32_t>;
  EXPECT_EQ(tape.inputs(a.index()), Inputs{});
  EXPECT_EQ(tape.inputs((a * b).index()), (Inputs{a.index(), b.index()}));
  EXPECT_EQ(tape.inputs((a * 3.0).index()), Inputs{a.index()});
  EXPECT_EQ(tape.inputs(a.tanh().index()), Inputs{a.index()});
  const std::vector<Value> all = {a, b, c};
  EXPECT_EQ(tape.inputs(sum(all).index()), (Inputs{a.index(), b.index(), c.index()}));
  const std::vector<Value> w = {a, b}, x = {b, c};
  EXPECT_EQ(tape.inputs(dot(w, x).index()), (Inputs{a.index(), b.index(), b.index(), c.index()}));
  EXPECT_EQ(tape.inputs(dot(w, x, a).index()),
            (Inputs{a.index(), b.index(), b.index(), c.index(), a.index()}));
}

TEST_F(ValueTest, LeafGradientsAccumulateAcrossBackwardCalls) {
  Value a = 3.0;
  Value b = a * a + a;  // db/da = 2a + 1 = 7
  b.backward();
  EXPECT_DOUBLE_EQ(a.grad(), 7.0);
  b.backward();  // as PyTorch: leaves accumulate, intermediate nodes do not double count
  EXPECT_DOUBLE_EQ(a.grad(), 14.0);
  Value c = a.exp();  // a second graph sharing the leaf
  c.backward();
  EXPECT_DOUBLE_EQ(a.grad(), 14.0 + std::exp(3.0));
  tape.zero_grad();
  EXPECT_DOUBLE_EQ(a.grad(), 0.0);
  b.backward();
  EXPECT_DOUBLE_EQ(a.grad(), 7.0);
}

TEST_F(ValueTest, TanhAndSigmoidSaturateExactlyWithoutNaN) {
  for (double x : {1e300, -1e300, 800.0, -800.0, 40.0, -40.0}) {
    tape.clear();
    Value v = x;
    Value t = v.tanh();
    Value s = v.sigmoid();
    Value out = t + s;
    out.backward();
    EXPECT_EQ(t.data(), x > 0 ? 1.0 : -1.0) << x;
    if (std::fabs(x) > 800) {
      EXPECT_EQ(s.data(), x > 0 ? 1.0 : 0.0) << x;
    }
    EXPECT_TRUE(std::isfinite(v.grad())) << x;
    EXPECT_GE(v.grad(), 0.0);
  }
  Value big = 1e300;
  EXPECT_EQ(big.softplus().data(), 1e300);
  EXPECT_EQ(Value(-1e300).softplus().data(), 0.0);
}

TEST_F(ValueTest, DocumentedEdgeCases) {
  Value zero = 0.0;
  Value r = zero.relu();
  r.backward();
  EXPECT_EQ(zero.grad(), 0.0);  // relu'(0) = 0
  EXPECT_EQ(Value(0.0).log().data(), -std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isnan(Value(-1.0).log().data()));
  EXPECT_TRUE(std::isnan(Value(-8.0).pow(1.0 / 3.0).data()));  // negative base, fractional power
  EXPECT_EQ(Value(-2.0).pow(2.0).data(), 4.0);                 // integral powers are fine
  // 0^0 = 1 with gradient 0 for a constant exponent 0.
  Value z = 0.0;
  Value p = z.pow(0.0);
  p.backward();
  EXPECT_EQ(p.data(), 1.0);
  EXPECT_EQ(z.grad(), 0.0);
}

TEST_F(ValueTest, TenMillionNodeChainBackpropagatesWithoutRecursion) {
  constexpr int kNodes = 10'000'000;
  tape.reserve(kNodes + 2);
  Value x = 1.0;
  Value y = x;
  for (int i = 0; i < kNodes; ++i) y = y * 1.0;  // alternating leaf constants and products
  y.backward();
  EXPECT_EQ(x.grad(), 1.0);
  EXPECT_GE(tape.size(), static_cast<std::uint32_t>(kNodes));
}

TEST_F(ValueTest, RewindReleasesNodesButKeepsEarlierOnes) {
  Value a = 2.0;
  const auto mark = tape.mark();
  for (int step = 0; step < 3; ++step) {
    Value y = a * a;
    y.backward();
    tape.rewind(mark);
    EXPECT_EQ(tape.size(), mark.nodes);
  }
  EXPECT_DOUBLE_EQ(a.grad(), 12.0);  // 3 backward calls of 2a
  EXPECT_EQ(sizeof(Node), 32u);
}

}  // namespace
}  // namespace gradplug
