// The plugin registry: loading the built-in plugins, skipping broken libraries with a reason that
// names the problem and the file, refusing duplicate names, and keeping a plugin's library loaded
// for as long as an object it made is alive.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "gradplug/error.hpp"
#include "gradplug/registry.hpp"
#include "gradplug/schema.hpp"
#include "temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using gradplug::Error;
using gradplug::Registry;

const fs::path kBuiltin = GRADPLUG_TEST_PLUGIN_DIR;
const fs::path kBroken = GRADPLUG_TEST_BROKEN_DIR;

// Whether `text` contains `part`, with both shown when it does not.
::testing::AssertionResult contains_format(const char* text_expr, const char* part_expr,
                                           const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << text_expr << " does not contain " << part_expr
                                       << "\n  text: " << text << "\n  part: " << part;
}
#define EXPECT_CONTAINS(text, part) EXPECT_PRED_FORMAT2(contains_format, text, part)

fs::path broken_file(const std::string& stem) { return kBroken / stem / (stem + ".so"); }

using gradplug::testing::TempDir;

// The message of the Error that f throws (fails the test if it throws nothing or something else).
template <class F>
std::string error_message(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected gradplug::Error, got another exception: " << e.what();
    return {};
  }
  ADD_FAILURE() << "expected gradplug::Error, nothing was thrown";
  return {};
}

// Whether a file is mapped into this process (by its path, as the dynamic loader records it).
bool is_mapped(const fs::path& file) {
  std::ifstream maps("/proc/self/maps");
  const std::string text((std::istreambuf_iterator<char>(maps)), std::istreambuf_iterator<char>());
  return text.find(fs::canonical(file).string()) != std::string::npos;
}

// Scans the directory of one broken plugin and returns the registry.
Registry scan_broken(const std::string& stem) {
  Registry registry;
  registry.scan_directory(kBroken / stem);
  return registry;
}

TEST(Registry, LoadsEveryBuiltInPlugin) {
  Registry registry;
  registry.scan_directory(kBuiltin);
  EXPECT_EQ(registry.plugins().size(), 27u);
  EXPECT_TRUE(registry.skipped().empty());
  EXPECT_EQ(
      registry.names(GP_KIND_ACTIVATION),
      (std::vector<std::string>{"celu", "elu", "gelu", "hardswish", "leaky_relu", "mish", "relu",
                                "selu", "sigmoid", "softplus", "softsign", "swish", "tanh"}));
  EXPECT_EQ(registry.names(GP_KIND_OPTIMIZER),
            (std::vector<std::string>{"adadelta", "adagrad", "adam", "adamax", "adamw", "lion",
                                      "nadam", "radam", "rmsprop", "rprop", "sgd"}));
  EXPECT_EQ(registry.names(GP_KIND_REGULARIZER), (std::vector<std::string>{"dropout", "l1", "l2"}));
  for (const auto& plugin : registry.plugins()) {
    EXPECT_EQ(plugin.descriptor->abi_version, GRADPLUG_ABI_VERSION) << plugin.file;
    EXPECT_EQ(plugin.file.parent_path(), kBuiltin);
    EXPECT_TRUE(plugin.library) << plugin.file;
  }
}

TEST(Registry, CreatesEveryBuiltInPluginWithItsDefaults) {
  Registry registry;
  registry.scan_directory(kBuiltin);
  for (const auto& name : registry.names(GP_KIND_ACTIVATION)) {
    const auto activation = registry.create_activation(name);
    ASSERT_TRUE(activation) << name;
    EXPECT_TRUE(std::isfinite(activation->f(0.5))) << name;
  }
  for (const auto& name : registry.names(GP_KIND_OPTIMIZER))
    EXPECT_TRUE(registry.create_optimizer(name)) << name;
  for (const auto& name : registry.names(GP_KIND_REGULARIZER))
    EXPECT_TRUE(registry.create_regularizer(name)) << name;
}

TEST(Registry, MissingDirectoryIsAnErrorUnlessOptional) {
  TempDir temp;
  const fs::path missing = temp.path() / "no-such-dir";
  Registry registry;
  EXPECT_NO_THROW(registry.scan_directory(missing, true));
  EXPECT_CONTAINS(error_message([&] { registry.scan_directory(missing); }), missing.string());
  EXPECT_TRUE(registry.plugins().empty());
}

TEST(Registry, SkipsWrongAbiVersionNamingBothVersions) {
  const Registry registry = scan_broken("wrong_abi");
  EXPECT_TRUE(registry.plugins().empty());
  EXPECT_EQ(registry.find(GP_KIND_ACTIVATION, "wrong_abi"), nullptr);
  ASSERT_EQ(registry.skipped().size(), 1u);
  const auto& skip = registry.skipped()[0];
  EXPECT_EQ(skip.file, broken_file("wrong_abi"));
  EXPECT_CONTAINS(skip.reason, "ABI");
  EXPECT_CONTAINS(skip.reason, "version " + std::to_string(GRADPLUG_ABI_VERSION + 1));
  EXPECT_CONTAINS(skip.reason, "version " + std::to_string(GRADPLUG_ABI_VERSION));
}

TEST(Registry, LoadFileReturnsFalseForWrongAbi) {
  Registry registry;
  EXPECT_FALSE(registry.load_file(broken_file("wrong_abi")));
  ASSERT_EQ(registry.skipped().size(), 1u);
  EXPECT_EQ(registry.skipped()[0].file, broken_file("wrong_abi"));
}

TEST(Registry, SkipsLibraryWithoutDescriptor) {
  const Registry registry = scan_broken("no_descriptor");
  EXPECT_TRUE(registry.plugins().empty());
  ASSERT_EQ(registry.skipped().size(), 1u);
  EXPECT_EQ(registry.skipped()[0].file, broken_file("no_descriptor"));
  EXPECT_CONTAINS(registry.skipped()[0].reason, "descriptor");
  EXPECT_CONTAINS(registry.skipped()[0].reason, GRADPLUG_DESCRIPTOR_SYMBOL);
}

TEST(Registry, SkipsAFileThatIsNotALibrary) {
  TempDir temp;
  const fs::path fake = temp.path() / "fake.so";
  std::ofstream(fake) << std::string(256, 'x') << "\nthis is a text file, not a shared library\n";
  Registry registry;
  registry.scan_directory(temp.path());
  EXPECT_TRUE(registry.plugins().empty());
  ASSERT_EQ(registry.skipped().size(), 1u);
  EXPECT_EQ(registry.skipped()[0].file, fake);
  EXPECT_CONTAINS(registry.skipped()[0].reason, "is not a shared library");
}

TEST(Registry, IgnoresFilesThatDoNotEndInSo) {
  TempDir temp;
  std::ofstream(temp.path() / "README.txt") << "not a plugin\n";
  fs::create_directory(temp.path() / "sub.so");  // a directory, not a regular file
  Registry registry;
  registry.scan_directory(temp.path());
  EXPECT_TRUE(registry.plugins().empty());
  EXPECT_TRUE(registry.skipped().empty());
}

TEST(Registry, SkipsALibraryWithAnUnresolvedSymbolNamingIt) {
  const Registry registry = scan_broken("missing_symbol");
  EXPECT_TRUE(registry.plugins().empty());
  ASSERT_EQ(registry.skipped().size(), 1u);
  EXPECT_EQ(registry.skipped()[0].file, broken_file("missing_symbol"));
  // The user must learn which symbol is missing, not just that loading failed.
  EXPECT_CONTAINS(registry.skipped()[0].reason, "undefined symbol");
  EXPECT_CONTAINS(registry.skipped()[0].reason, "gradplug_test_symbol_defined_nowhere");
}

TEST(Registry, GetNamesSkippedFilesAndTheirReasons) {
  Registry registry;
  registry.scan_directory(kBuiltin);
  registry.scan_directory(kBroken / "wrong_abi");
  const std::string message =
      error_message([&] { (void)registry.get(GP_KIND_ACTIVATION, "wrong_abi"); });
  EXPECT_CONTAINS(message, broken_file("wrong_abi").string());
  EXPECT_CONTAINS(message, "version " + std::to_string(GRADPLUG_ABI_VERSION + 1));
}

TEST(Registry, CreateThatThrowsBecomesErrorWithThePluginsMessage) {
  Registry registry;
  registry.scan_directory(kBroken / "throws_on_create");
  ASSERT_NE(registry.find(GP_KIND_ACTIVATION, "throws_on_create"), nullptr);
  const std::string message =
      error_message([&] { (void)registry.create_activation("throws_on_create"); });
  EXPECT_CONTAINS(message, "deliberate failure in create");
  EXPECT_CONTAINS(message, "throws_on_create");
}

// Two plugins of one kind and name: that name is an error naming both files, in either load
// order, and every other plugin stays usable.
TEST(Registry, ADuplicateNameIsAnErrorNamingBothFilesOnlyWhereItIsUsed) {
  for (const bool builtin_first : {true, false}) {
    SCOPED_TRACE(builtin_first ? "built-ins first" : "duplicate first");
    Registry registry;
    if (builtin_first) registry.scan_directory(kBuiltin);
    registry.scan_directory(kBroken / "duplicate_tanh");
    if (!builtin_first) registry.scan_directory(kBuiltin);
    const std::string message = error_message([&] { (void)registry.create_activation("tanh"); });
    EXPECT_CONTAINS(message, "two activation plugins are named 'tanh'");
    EXPECT_CONTAINS(message, (kBuiltin / "activation_tanh.so").string());
    EXPECT_CONTAINS(message, broken_file("duplicate_tanh").string());
    ASSERT_EQ(registry.clashes().size(), 1u);
    EXPECT_NE(registry.create_activation("relu"), nullptr);
  }
}

TEST(Registry, SameNameInAnotherKindIsNoDuplicate) {
  // bad_default is an optimizer; loading it beside the built-ins adds one optimizer.
  Registry registry;
  registry.scan_directory(kBuiltin);
  registry.scan_directory(kBroken / "bad_default");
  EXPECT_EQ(
      registry.names(GP_KIND_OPTIMIZER),
      (std::vector<std::string>{"adadelta", "adagrad", "adam", "adamax", "adamw", "bad_default",
                                "lion", "nadam", "radam", "rmsprop", "rprop", "sgd"}));
  EXPECT_EQ(registry.find(GP_KIND_ACTIVATION, "bad_default"), nullptr);
}

TEST(Registry, BadDefaultPluginLoads) {
  Registry registry;
  EXPECT_TRUE(registry.load_file(broken_file("bad_default")));
  const auto* plugin = registry.find(GP_KIND_OPTIMIZER, "bad_default");
  ASSERT_NE(plugin, nullptr);
  ASSERT_EQ(plugin->descriptor->param_count, 1u);
  EXPECT_LT(plugin->descriptor->params[0].default_value[0], plugin->descriptor->params[0].min);
}

TEST(Registry, GetOnAnUnknownNameListsTheKnownNames) {
  Registry registry;
  registry.scan_directory(kBuiltin);
  const std::string message =
      error_message([&] { (void)registry.get(GP_KIND_OPTIMIZER, "adamq"); });
  EXPECT_CONTAINS(message, "unknown optimizer 'adamq'");
  EXPECT_CONTAINS(message, "adam, adamax, adamw, lion, nadam, radam, rmsprop, rprop, sgd");
  const std::string activation = error_message([&] { (void)registry.create_activation("sigmod"); });
  EXPECT_CONTAINS(activation, "unknown activation 'sigmod'");
  EXPECT_CONTAINS(activation, "selu, sigmoid, softplus, softsign, swish, tanh");
}

TEST(Registry, GetWithNothingLoadedSaysSo) {
  const Registry registry;
  const std::string message = error_message([&] { (void)registry.get(GP_KIND_REGULARIZER, "l2"); });
  EXPECT_CONTAINS(message, "unknown regularizer 'l2'");
  EXPECT_CONTAINS(message, "no regularizer plugins are loaded");
}

TEST(Registry, ObjectsOutliveTheRegistryThatMadeThem) {
  std::shared_ptr<gradplug::Activation> activation;
  std::shared_ptr<gradplug::Optimizer> optimizer;
  {
    Registry registry;
    registry.scan_directory(kBuiltin);
    activation = registry.create_activation("tanh");
    optimizer = registry.create_optimizer("sgd");
  }
  // The registry and its library handles are gone; the deleters still hold the libraries.
  EXPECT_TRUE(is_mapped(kBuiltin / "activation_tanh.so"));
  EXPECT_TRUE(is_mapped(kBuiltin / "optimizer_sgd.so"));
  EXPECT_DOUBLE_EQ(activation->f(0.5), std::tanh(0.5));
  EXPECT_DOUBLE_EQ(activation->df(0.5, std::tanh(0.5)), 1.0 - std::tanh(0.5) * std::tanh(0.5));
  optimizer->reset(2);
  double values[2] = {1.0, -1.0};
  const double grads[2] = {1.0, 2.0};
  optimizer->step(values, grads, 2, 0.5);
  EXPECT_DOUBLE_EQ(values[0], 0.5);
  EXPECT_DOUBLE_EQ(values[1], -2.0);
  EXPECT_DOUBLE_EQ(optimizer->base_lr(), 0.01);
  activation.reset();  // destroy() runs while the library is still mapped
  optimizer.reset();
}

TEST(Registry, MovedRegistryKeepsItsPlugins) {
  Registry first;
  first.scan_directory(kBuiltin);
  Registry second(std::move(first));
  EXPECT_EQ(second.plugins().size(), 27u);
  const auto activation = second.create_activation("relu");
  EXPECT_DOUBLE_EQ(activation->f(-1.0), 0.0);
  EXPECT_DOUBLE_EQ(activation->f(2.0), 2.0);
}

TEST(Registry, SplitPathListSkipsEmptySegments) {
  using Paths = std::vector<fs::path>;
  EXPECT_EQ(Registry::split_path_list(""), Paths{});
  EXPECT_EQ(Registry::split_path_list(":"), Paths{});
  EXPECT_EQ(Registry::split_path_list("::"), Paths{});
  EXPECT_EQ(Registry::split_path_list("/a"), (Paths{"/a"}));
  EXPECT_EQ(Registry::split_path_list("/a:/b"), (Paths{"/a", "/b"}));
  EXPECT_EQ(Registry::split_path_list(":/a::/b:"), (Paths{"/a", "/b"}));
  EXPECT_EQ(Registry::split_path_list("relative/dir:"), (Paths{"relative/dir"}));
  EXPECT_EQ(Registry::split_path_list("/with space:/x"), (Paths{"/with space", "/x"}));
}

TEST(Registry, KindNames) {
  EXPECT_STREQ(gradplug::kind_name(GP_KIND_ACTIVATION), "activation");
  EXPECT_STREQ(gradplug::kind_name(GP_KIND_OPTIMIZER), "optimizer");
  EXPECT_STREQ(gradplug::kind_name(GP_KIND_REGULARIZER), "regularizer");
}

}  // namespace

namespace {

TEST(Registry, SkipsAPluginOfAbiVersionOneSayingSo) {
  Registry registry;
  registry.scan_directory(kBroken / "old_abi");  // a skip, not an Error
  EXPECT_TRUE(registry.plugins().empty());
  ASSERT_EQ(registry.skipped().size(), 1u);
  const std::string& reason = registry.skipped()[0].reason;
  EXPECT_CONTAINS(reason, "built for plugin ABI version 1,");
  EXPECT_CONTAINS(reason, "needs version " + std::to_string(GRADPLUG_ABI_VERSION));
  EXPECT_CONTAINS(reason, "rebuild");
}

TEST(Registry, ChoiceParameterDefaultsAndValuesReachThePlugin) {
  const Registry registry = scan_broken("choice_param");
  const auto* plugin = registry.find(GP_KIND_ACTIVATION, "choice_param");
  ASSERT_NE(plugin, nullptr);
  const gp_param& shape = plugin->descriptor->params[0];
  EXPECT_EQ(shape.type, GP_PARAM_CHOICE);
  EXPECT_STREQ(shape.choices, "identity|twice|half");
  EXPECT_EQ(shape.default_value[0], 1.0);  // "twice"
  EXPECT_EQ(gradplug::format_default(shape), "twice");
  EXPECT_EQ(gradplug::describe_accepted(shape), "one of identity, twice, half");
  EXPECT_STREQ(gradplug::type_name(shape.type), "choice");
  EXPECT_EQ(gradplug::choice_words(shape), (std::vector<std::string>{"identity", "twice", "half"}));
  EXPECT_EQ(registry.create_activation("choice_param")->f(3.0), 6.0);
  EXPECT_EQ(registry.create_activation("choice_param", {gp_value{{0.0, 0.0}}})->f(3.0), 3.0);
  EXPECT_EQ(registry.create_activation("choice_param", {gp_value{{2.0, 0.0}}})->f(3.0), 1.5);
  // An index that names no word never reaches the plugin.
  const std::string message = error_message([&] {
    (void)registry.create_activation("choice_param", {gp_value{{3.0, 0.0}}});
  });
  EXPECT_CONTAINS(message, "shape");
  EXPECT_CONTAINS(message, "one of identity, twice, half");
}

}  // namespace
