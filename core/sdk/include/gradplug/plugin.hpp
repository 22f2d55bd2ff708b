// Writing a plugin: derive from Activation, Optimizer (or OptimizerBase, which keeps the state
// bookkeeping) or Regularizer, give the class a constructor taking `const gradplug::Params&` (a
// plugin without parameters may have a default constructor instead), declare a schema with the
// one-line helpers of param_schema.hpp, and end the file with one registration line:
//
//   constexpr gp_param kSchema[] = {gradplug::real("lr", 0.01, gradplug::at_least(0.0), "...")};
//   GRADPLUG_PLUGIN(MyOptimizer, "myopt", "1.0.0", "One line about it.", kSchema)
//
// (GRADPLUG_PLUGIN_NO_PARAMS for a plugin without hyperparameters.) The macro exports the one C
// descriptor the host reads, and turns any exception from the constructor into an error message.
// The values a constructor receives are already inside their schema ranges.
#pragma once

#include <boost/dll/alias.hpp>
#include <cmath>
#include <cstdio>
#include <exception>
#include <type_traits>

#include "gradplug/abi.h"
#include "gradplug/activation.hpp"
#include "gradplug/optimizer.hpp"
#include "gradplug/optimizer_base.hpp"
#include "gradplug/param_schema.hpp"
#include "gradplug/params.hpp"
#include "gradplug/regularizer.hpp"

// Not for plugin authors: what the registration macros below expand to.
namespace gradplug::detail {

// The interface (Base) a plugin class implements, and its gp_kind.
template <class T>
struct PluginKind {
  using Base = std::conditional_t<
      std::is_base_of_v<Activation, T>, Activation,
      std::conditional_t<std::is_base_of_v<Optimizer, T>, Optimizer, Regularizer>>;
  static_assert(std::is_base_of_v<Base, T>,
                "a plugin class derives from Activation, Optimizer or Regularizer");
  static constexpr gp_kind kind = std::is_same_v<Base, Activation>  ? GP_KIND_ACTIVATION
                                  : std::is_same_v<Base, Optimizer> ? GP_KIND_OPTIMIZER
                                                                    : GP_KIND_REGULARIZER;
};

// The host receives a pointer to the interface (Base*), never to the plugin's own class.
template <class T>
void* create(const gp_param* schema, std::size_t count, const gp_value* values, char* error,
             std::size_t error_size) noexcept {
  try {
    using Base = typename PluginKind<T>::Base;
    Base* instance = nullptr;
    if constexpr (std::is_constructible_v<T, const Params&>)
      instance = new T(Params(schema, count, values));
    else
      (void)schema, (void)count, (void)values, instance = new T();
    return static_cast<void*>(instance);
  } catch (const std::exception& e) {
    std::snprintf(error, error_size, "%s", e.what());
  } catch (...) {
    std::snprintf(error, error_size, "unknown exception from the plugin's constructor");
  }
  return nullptr;
}

template <class T>
void destroy(void* instance) noexcept {
  delete static_cast<typename PluginKind<T>::Base*>(instance);
}

}  // namespace gradplug::detail

#define GRADPLUG_PLUGIN_IMPL_(Class, Name, Version, Description, SchemaPtr, SchemaCount)         \
  namespace {                                                                                    \
  void* gradplug_create_(const gp_value* values, char* error, size_t error_size) {               \
    return ::gradplug::detail::create<Class>(SchemaPtr, SchemaCount, values, error, error_size); \
  }                                                                                              \
  }                                                                                              \
  extern "C" const gp_descriptor gradplug_descriptor_ = {                                        \
      GRADPLUG_ABI_VERSION,                                                                      \
      static_cast<uint32_t>(::gradplug::detail::PluginKind<Class>::kind),                        \
      Name,                                                                                      \
      Version,                                                                                   \
      Description,                                                                               \
      SchemaPtr,                                                                                 \
      SchemaCount,                                                                               \
      &gradplug_create_,                                                                         \
      &::gradplug::detail::destroy<Class>};                                                      \
  BOOST_DLL_ALIAS(gradplug_descriptor_, gradplug_plugin)

// The registration line of a plugin with parameters: Class derives from Activation, Optimizer or
// Regularizer and has a constructor taking const gradplug::Params&; Name is the name configs use
// (an identifier, unique within the kind); Version and Description are string literals; Schema is
// a constexpr array of gp_param. Use once, at namespace scope, as the file's last line.
#define GRADPLUG_PLUGIN(Class, Name, Version, Description, Schema) \
  GRADPLUG_PLUGIN_IMPL_(Class, Name, Version, Description, Schema, \
                        sizeof(Schema) / sizeof(Schema[0]))

// The registration line of a plugin without parameters (its constructor may take no arguments).
#define GRADPLUG_PLUGIN_NO_PARAMS(Class, Name, Version, Description) \
  GRADPLUG_PLUGIN_IMPL_(Class, Name, Version, Description, nullptr, 0)
