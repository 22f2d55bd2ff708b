#include "commands/plugin_templates.hpp"

#include <cctype>

#include "gradplug/registry.hpp"

namespace gradplug::host {

namespace {

// Replaces every @KEY@ in text.
std::string fill(std::string text, const std::vector<std::pair<std::string, std::string>>& keys) {
  for (const auto& [key, value] : keys) {
    const std::string token = "@" + key + "@";
    for (std::size_t at = text.find(token); at != std::string::npos;
         at = text.find(token, at + value.size()))
      text.replace(at, token.size(), value);
  }
  return text;
}

constexpr const char* kCmake =
    R"(# Builds the gradplug @KIND@ plugin '@NAME@' into build/@NAME@.so against an installed gradplug:
#   cmake -S . -B build -DCMAKE_PREFIX_PATH=<the prefix gradplug was installed to>
#   cmake --build build
cmake_minimum_required(VERSION 3.25)
project(@NAME@ LANGUAGES CXX)
if(NOT CMAKE_BUILD_TYPE AND NOT CMAKE_CONFIGURATION_TYPES)
  set(CMAKE_BUILD_TYPE Release CACHE STRING "Build type" FORCE)
endif()

# The SDK headers (gradplug::sdk) and gradplug_add_plugin().
find_package(gradplug REQUIRED)

# A MODULE library named @NAME@.so: C++20, hidden visibility, immediate binding.
gradplug_add_plugin(@NAME@ SOURCES @NAME@.cpp)
)";

constexpr const char* kOptimizer =
    R"(// @NAME@: stochastic gradient descent with momentum, as a gradplug optimizer plugin.
//
// Written by `gradplug new-plugin optimizer @NAME@` as a working starting point: it builds, passes
// `gradplug check-plugin`, and trains. Change the update rule in update() and the state with it.
//
//   parameter  default  meaning
//   lr         0.01     learning rate, in [0, inf); a schedule may change it per step
//   momentum   0.9      momentum factor mu, in [0, 1)
//
// For every parameter theta with gradient g, at learning rate lr:
//   b = mu * b + g          (b: the momentum buffer, 0 after reset())
//   theta = theta - lr * b
//
// State: "step" and "momentum_buffer" (one value per parameter). OptimizerBase resets, saves and
// restores them, so a run resumed from a checkpoint continues bit for bit.
#include <cstddef>
#include <vector>

#include "gradplug/plugin.hpp"

namespace {

class @CLASS@ final : public gradplug::OptimizerBase {
 public:
  // The values arrive inside the ranges of kSchema (below).
  explicit @CLASS@(const gradplug::Params& p)
      : OptimizerBase("@NAME@", p.real("lr")), momentum_(p.real("momentum")) {
    track("momentum_buffer", buffer_);  // n zeros after reset(n); saved and loaded by name
  }

 private:
  void update(double* values, const double* grads, std::size_t n, double lr) override {
    for (std::size_t i = 0; i < n; ++i) {
      buffer_[i] = momentum_ * buffer_[i] + grads[i];
      values[i] -= lr * buffer_[i];
    }
  }

  const double momentum_;       // a hyperparameter: fixed at creation
  std::vector<double> buffer_;  // state: one value per parameter
};

// One line per hyperparameter: name, default, accepted range, doc (gradplug/param_schema.hpp).
using namespace gradplug::schema;
constexpr gp_param kSchema[] = {
    real("lr", 0.01, at_least(0.0), "learning rate"),
    real("momentum", 0.9, in_closed_open(0.0, 1.0), "momentum factor"),
};

}  // namespace

GRADPLUG_PLUGIN(@CLASS@, "@NAME@", "0.1.0", "SGD with momentum (from gradplug new-plugin).", kSchema)
)";

constexpr const char* kActivation =
    R"(// @NAME@: a softsign activation, as a gradplug activation plugin.
//
// Written by `gradplug new-plugin activation @NAME@` as a working starting point: it builds,
// passes `gradplug check-plugin`, and trains. Change f and df together.
//
//   f(x)  = x / (1 + alpha |x|)        saturates at +-1/alpha; alpha = 1 is the softsign
//   f'(x) = 1 / (1 + alpha |x|)^2
//
// Both are finite for every finite x: at |x| = 1e300 the square overflows to inf and f' is 0.
//
//   parameter  default  meaning
//   alpha      1        sharpness, in (0, inf): f saturates at +-1/alpha
#include <cmath>
#include <cstddef>

#include "gradplug/plugin.hpp"

namespace {

class @CLASS@ final : public gradplug::Activation {
 public:
  // The values arrive inside the ranges of kSchema (below).
  explicit @CLASS@(const gradplug::Params& p) : alpha_(p.real("alpha")) {}

  double f(double x) const override { return x / (1.0 + alpha_ * std::fabs(x)); }

  // Given x and y = f(x); this one is simplest from x.
  double df(double x, double /*y*/) const override {
    const double d = 1.0 + alpha_ * std::fabs(x);
    return 1.0 / (d * d);
  }

  // f_array and df_array (whole layers in one call) default to loops over f and df; override them
  // only for speed, and keep them equal to the scalar forms.

 private:
  const double alpha_;
};

// One line per hyperparameter: name, default, accepted range, doc (gradplug/param_schema.hpp).
constexpr gp_param kSchema[] = {
    gradplug::real("alpha", 1.0, gradplug::positive(), "sharpness: f saturates at +-1/alpha"),
};

}  // namespace

GRADPLUG_PLUGIN(@CLASS@, "@NAME@", "0.1.0", "Softsign: x / (1 + alpha |x|) (from gradplug new-plugin).",
                kSchema)
)";

constexpr const char* kRegularizer =
    R"(// @NAME@: an elastic-net penalty, as a gradplug regularizer plugin.
//
// Written by `gradplug new-plugin regularizer @NAME@` as a working starting point: it builds,
// passes `gradplug check-plugin`, and trains. Change the penalty and its gradient together.
//
//   penalty(w) = l1 * sum |w_i| + l2 * sum w_i^2
//   d/dw_i     = l1 * sign(w_i) + 2 * l2 * w_i        (sign(0) = 0)
//
// Biases (is_bias[i] == 1) are left out unless include_bias is set; a null is_bias means there are
// none. The gradient is added into grads when grads is not null.
//
// A regularizer may instead (or also) transform hidden activations while training, as dropout
// does: override transforms_activations() and draw_scale() (see gradplug/regularizer.hpp).
//
//   parameter     default  meaning
//   l1            0.001    strength of the L1 term, in [0, inf)
//   l2            0.001    strength of the L2 term, in [0, inf)
//   include_bias  false    penalise biases too
#include <cmath>
#include <cstddef>

#include "gradplug/plugin.hpp"

namespace {

class @CLASS@ final : public gradplug::Regularizer {
 public:
  // The values arrive inside the ranges of kSchema (below).
  explicit @CLASS@(const gradplug::Params& p)
      : l1_(p.real("l1")), l2_(p.real("l2")), include_bias_(p.flag("include_bias")) {}

  double penalty(const double* values, double* grads, const unsigned char* is_bias,
                 std::size_t n) const override {
    const bool skip_bias = !include_bias_ && is_bias != nullptr;
    double abs_sum = 0.0, square_sum = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      if (skip_bias && is_bias[i]) continue;
      const double w = values[i];
      abs_sum += std::fabs(w);
      square_sum += w * w;
      if (grads) grads[i] += l1_ * static_cast<double>((w > 0.0) - (w < 0.0)) + 2.0 * l2_ * w;
    }
    return l1_ * abs_sum + l2_ * square_sum;
  }

 private:
  const double l1_;
  const double l2_;
  const bool include_bias_;
};

// One line per hyperparameter: name, default, accepted range, doc (gradplug/param_schema.hpp).
using namespace gradplug::schema;
constexpr gp_param kSchema[] = {
    real("l1", 0.001, at_least(0.0), "strength of l1 * sum |w|"),
    real("l2", 0.001, at_least(0.0), "strength of l2 * sum w^2"),
    flag("include_bias", false, "penalise biases as well"),
};

}  // namespace

GRADPLUG_PLUGIN(@CLASS@, "@NAME@", "0.1.0",
                "Elastic net: l1 * sum |w| + l2 * sum w^2 (from gradplug new-plugin).", kSchema)
)";

// The experiment: micrograd's two moons (configs/moons.yaml) with the new plugin in its place.
constexpr const char* kConfigHead =
    R"(# micrograd's two-moons demo, trained with the @KIND@ plugin '@NAME@' (built from @NAME@.cpp):
#   @GRADPLUG@ train @NAME@.yaml --plugin-dir build
name: @NAME@-moons
seed: 1
data:
  source: moons
  samples: 100
  noise: 0.1
model:
  layers: [16, 16, 1]
)";

constexpr const char* kConfigOptimizer = R"(  activation: relu
  init: uniform
loss: hinge
training:
  steps: 100
  batch_size: 0
optimizer: {name: @NAME@, lr: 0.05, momentum: 0.9}
regularizers:
  - {name: l2, lambda: 1.0e-4, include_bias: true}
)";

constexpr const char* kConfigActivation = R"(  activation: {name: @NAME@, alpha: 1.0}
  init: xavier
loss: hinge
training:
  steps: 100
  batch_size: 0
optimizer: {name: adam, lr: 0.05}
regularizers:
  - {name: l2, lambda: 1.0e-4, include_bias: true}
)";

constexpr const char* kConfigRegularizer = R"(  activation: relu
  init: uniform
loss: hinge
training:
  steps: 100
  batch_size: 0
optimizer: {name: sgd, lr: 0.1, momentum: 0.9}
regularizers:
  - {name: @NAME@, l1: 1.0e-4, l2: 1.0e-4}
)";

constexpr const char* kReadme = R"(# @NAME@: a gradplug @KIND@ plugin

Written by `gradplug new-plugin @KIND@ @NAME@`: a working plugin to change into your own.

| file | what |
| --- | --- |
| `@NAME@.cpp` | the plugin: its class, its parameter schema, and the registration line at the end |
| `CMakeLists.txt` | builds `build/@NAME@.so` against the installed gradplug SDK |
| `@NAME@.yaml` | an experiment (micrograd's two moons) that trains with it |

## Build and check

    cmake -S . -B build -DCMAKE_PREFIX_PATH=@PREFIX@
    cmake --build build
    @GRADPLUG@ check-plugin build/@NAME@.so

`CMAKE_PREFIX_PATH` is where gradplug is installed (`cmake --install BUILD --prefix PREFIX`).
`check-plugin` runs the conformance checks of the plugin's kind; it must end with
"all N checks passed" (exit code 0) before the plugin is used.

## Use

    @GRADPLUG@ train @NAME@.yaml --plugin-dir build

or, for every command, `export GRADPLUG_PLUGIN_PATH=$PWD/build` (a colon-separated list of
directories). Configs name plugins, never files: `@NAME@` is found by name in those directories.
`@GRADPLUG@ plugins --plugin-dir build` lists it with its parameters.

The guide to the interfaces, state, schemas and checks is `docs/writing-plugins.md` in the
gradplug sources.
)";

}  // namespace

std::string class_name_for(const std::string& name) {
  std::string out;
  bool upper = true;
  for (char c : name) {
    if (c == '_') {
      upper = true;
      continue;
    }
    if (out.empty() && std::isdigit(static_cast<unsigned char>(c))) out += 'P';
    out += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    upper = false;
  }
  // All capitals could be a macro (NULL, EOF): make it plainly a class name.
  bool capitals = true;
  for (char c : out) capitals = capitals && !std::islower(static_cast<unsigned char>(c));
  return out.empty() ? "Plugin" : capitals ? out + "Plugin" : out;
}

std::vector<ProjectFile> plugin_project(const ProjectOptions& options) {
  const std::string& name = options.name;
  const std::vector<std::pair<std::string, std::string>> keys = {
      {"NAME", name},
      {"CLASS", class_name_for(name)},
      {"KIND", kind_name(options.kind)},
      {"PREFIX", options.prefix.empty() ? "<gradplug install prefix>" : options.prefix},
      {"GRADPLUG", options.gradplug.empty() ? "gradplug" : options.gradplug},
  };
  const char* source = options.kind == GP_KIND_ACTIVATION    ? kActivation
                       : options.kind == GP_KIND_REGULARIZER ? kRegularizer
                                                             : kOptimizer;
  const char* config = options.kind == GP_KIND_ACTIVATION    ? kConfigActivation
                       : options.kind == GP_KIND_REGULARIZER ? kConfigRegularizer
                                                             : kConfigOptimizer;
  return {
      {"CMakeLists.txt", fill(kCmake, keys),
       "builds build/" + name + ".so with gradplug_add_plugin"},
      {name + ".cpp", fill(source, keys), "the plugin, a working example to change"},
      {name + ".yaml", fill(std::string(kConfigHead) + config, keys),
       "an experiment (two moons) that trains with it"},
      {"README.md", fill(kReadme, keys), "how to build, check and use it"},
  };
}

}  // namespace gradplug::host
