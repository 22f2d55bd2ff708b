# gradplug_add_plugin(NAME SOURCES source.cpp... [OUTPUT_DIRECTORY dir])
#
# Builds one gradplug plugin: a MODULE library called NAME.so (no "lib" prefix) from SOURCES,
# against the SDK headers only (the target gradplug::sdk), in C++20, with
#  - hidden visibility, so the descriptor is the library's only export;
#  - -Wl,-z,now and -Wl,--no-undefined, so a missing symbol fails the link, not a training run;
#  - -ffp-contract=off, so the compiler never fuses a multiply and an add on its own and results
#    do not depend on its choice (write std::fma where a fused operation is meant);
#  - -fno-math-errno: std::sqrt and friends give the same IEEE results without setting errno,
#    which would otherwise keep every loop that calls them from being vectorized;
#  - -O2 when the project sets no CMAKE_BUILD_TYPE, so a plugin is never built unoptimised.
# The plugin lands in OUTPUT_DIRECTORY (default: the current binary directory), where
# `gradplug --plugin-dir DIR` or GRADPLUG_PLUGIN_PATH finds it. One definition serves the
# gradplug source tree (plugins/CMakeLists.txt) and the installed package (gradplugConfig.cmake).
include_guard(GLOBAL)

function(gradplug_add_plugin name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "OUTPUT_DIRECTORY" "SOURCES")
  if(NOT arg_SOURCES)
    message(FATAL_ERROR "gradplug_add_plugin(${name}): no SOURCES; "
                        "usage: gradplug_add_plugin(NAME SOURCES file.cpp...)")
  endif()
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "gradplug_add_plugin(${name}): unexpected arguments "
                        "'${arg_UNPARSED_ARGUMENTS}'; usage: gradplug_add_plugin(NAME SOURCES "
                        "file.cpp... [OUTPUT_DIRECTORY dir])")
  endif()
  if(NOT TARGET gradplug::sdk)
    message(FATAL_ERROR "gradplug_add_plugin(${name}): the target gradplug::sdk is missing; "
                        "call find_package(gradplug REQUIRED) first")
  endif()
  add_library(${name} MODULE ${arg_SOURCES})
  target_link_libraries(${name} PRIVATE gradplug::sdk)
  target_compile_features(${name} PRIVATE cxx_std_20)
  set_target_properties(${name} PROPERTIES
    PREFIX "" CXX_EXTENSIONS OFF CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON)
  target_compile_options(${name} PRIVATE -ffp-contract=off -fno-math-errno)
  # Without a build type CMake passes no optimisation flag, and a plugin from the guide would run
  # at half the speed of the built-ins: optimise unless the project chose otherwise.
  if(NOT CMAKE_BUILD_TYPE AND NOT CMAKE_CONFIGURATION_TYPES)
    target_compile_options(${name} PRIVATE -O2)
  endif()
  target_link_options(${name} PRIVATE -Wl,-z,now -Wl,--no-undefined)
  if(arg_OUTPUT_DIRECTORY)
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY "${arg_OUTPUT_DIRECTORY}")
  endif()
endfunction()
