// `gradplug graph`'s drawing: a tape holding one node of every op in GRADPLUG_OPS (built from the
// table's operand layout, so a new op is covered as soon as it is listed) is drawn with the op's
// label and one edge from each of its inputs.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "commands/graph_dot.hpp"
#include "gradplug/tape.hpp"

namespace gradplug::host {
namespace {

class Square : public Activation {
 public:
  double f(double x) const override { return x * x; }
  double df(double x, double) const override { return 2.0 * x; }
};

// A node of the op, on inputs a and b (leaves), by the table's operand layout.
std::uint32_t push_op(Tape& tape, const OpInfo& info, std::uint32_t a, std::uint32_t b,
                      const Activation& activation) {
  const std::uint32_t two[] = {a, b};
  switch (info.operands) {
    case Operands::None:
      return tape.push(info.op, 1.0);
    case Operands::One:
      return tape.push(info.op, 1.0, a);
    case Operands::Two:
      return tape.push(info.op, 1.0, a, b);
    case Operands::Constant:
      return tape.push_constant_op(info.op, 1.0, a, 7.0);
    case Operands::List:
      return tape.sum(two, 2);
    case Operands::Dot:
      return tape.dot(two, two, 2, true, a);
    case Operands::Activation:
      return tape.primitive(activation, a);
  }
  ADD_FAILURE() << "operand layout of " << info.name << " not known";
  return 0;
}

std::string expected_label(const OpInfo& info) {
  std::string label = info.name;
  if (info.operands == Operands::Constant) label.replace(label.find('k'), 1, "7");
  if (info.operands == Operands::Activation) label = "square";
  return label;
}

std::size_t count(const std::string& text, const std::string& part) {
  std::size_t n = 0;
  for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

TEST(GraphDot, DrawsEveryOpOfTheTableWithItsLabelAndInputs) {
  const Square square;
  Tape tape;
  const std::uint32_t a = tape.leaf(2.0), b = tape.leaf(3.0);
  std::vector<std::pair<std::uint32_t, const OpInfo*>> drawn;
  for (const OpInfo& info : kOps) drawn.emplace_back(push_op(tape, info, a, b, square), &info);
  tape.backward(tape.size() - 1);

  const std::string dot = graph_dot(tape, {"a", "b"}, {{&square, "square"}}, "every op");
  EXPECT_EQ(dot.rfind("// gradplug graph of every op\ndigraph gradplug {", 0), 0u) << dot;
  EXPECT_NE(dot.find("label=\"{ a | data 2 | grad"), std::string::npos) << dot;
  for (const auto& [node, info] : drawn) {
    SCOPED_TRACE(info->name);
    const std::string op = "op" + std::to_string(node);
    const std::vector<std::uint32_t> inputs = tape.inputs(node);
    if (info->operands == Operands::None) {
      EXPECT_TRUE(inputs.empty());
      EXPECT_EQ(count(dot, "  " + op + " "), 0u);
      continue;
    }
    EXPECT_FALSE(inputs.empty());
    EXPECT_NE(dot.find("  " + op + " [shape=ellipse, label=\"" + expected_label(*info) + "\"];"),
              std::string::npos)
        << dot;
    EXPECT_EQ(count(dot, " -> " + op + ";\n"), inputs.size());
    for (std::uint32_t in : inputs)
      EXPECT_NE(dot.find("  v" + std::to_string(in) + " -> " + op + ";\n"), std::string::npos);
  }
}

}  // namespace
}  // namespace gradplug::host
