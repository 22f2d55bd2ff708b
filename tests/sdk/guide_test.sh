#!/usr/bin/env bash
# What a new plugin author does, end to end, against an installed gradplug (ctest: sdk.guide):
#  1. installs the build tree to a temporary prefix (cmake --install) and checks the CMake package;
#  2. for each kind, runs `gradplug new-plugin` outside the source tree, builds the project against
#     the installed package (find_package(gradplug), gradplug_add_plugin), runs `check-plugin` on
#     it and trains with it from its YAML through --plugin-dir (the optimizer once more through
#     GRADPLUG_PLUGIN_PATH);
#  3. runs docs/writing-plugins.md: its files (fenced blocks with file=PATH) and its commands
#     (```sh blocks), in order, as one bash script in a fresh HOME, so the guide cannot drift
#     from what works; then checks what the guide's commands should have produced, and that the
#     check-plugin output the guide shows is the real one.
# Comparing against the built-in optimizers is left for `gradplug compare`, which does not exist
# yet. Plugins are compiled with -Wall -Wextra -Wpedantic -Werror: what new-plugin writes and the
# guide shows must compile cleanly.
#
# usage: guide_test.sh SOURCE_DIR BUILD_DIR [CMAKE] [CXX]
set -euo pipefail

source_dir=$(cd "$1" && pwd)
build_dir=$(cd "$2" && pwd)
cmake_bin=${3:-cmake}
if [ -n "${4:-}" ]; then export CXX="$4"; fi
guide="$source_dir/docs/writing-plugins.md"

work=$(mktemp -d "${TMPDIR:-/tmp}/gradplug-guide-XXXXXX")
cleanup() { rm -rf "$work"; }
trap cleanup EXIT

# The same cmake as the build, first on PATH, and nothing from the developer's environment.
mkdir -p "$work/tools"
ln -s "$(command -v "$cmake_bin")" "$work/tools/cmake"
export PATH="$work/tools:$PATH"
unset GRADPLUG_PLUGIN_PATH CMAKE_PREFIX_PATH CMAKE_BUILD_TYPE CMAKE_GENERATOR MAKEFLAGS
export CXXFLAGS="-Wall -Wextra -Wpedantic -Werror"
export NO_COLOR=1

log="$work/log"
fail() {
  echo "guide_test: FAILED: $*" >&2
  if [ -f "$log" ]; then
    echo "--- last output ---" >&2
    tail -n 60 "$log" >&2
  fi
  exit 1
}
# Runs a command with its output in $log; fails the test, showing the output, when it fails.
run() {
  echo "+ $*" >> "$log"
  "$@" >> "$log" 2>&1 || fail "exit code $? from: $*"
}

# ---------------------------------------------------------------------------------------------
# 1. Install.
prefix="$work/prefix"
run cmake --install "$build_dir" --prefix "$prefix"
gradplug="$prefix/bin/gradplug"
for f in gradplugConfig.cmake gradplugConfigVersion.cmake gradplugTargets.cmake GradplugPlugin.cmake; do
  [ -f "$prefix/lib/cmake/gradplug/$f" ] || fail "the install lacks lib/cmake/gradplug/$f"
done
for f in plugin.hpp abi.h params.hpp param_schema.hpp optimizer_base.hpp optimizer_state.hpp activation.hpp optimizer.hpp regularizer.hpp random.hpp; do
  [ -f "$prefix/include/gradplug/$f" ] || fail "the install lacks include/gradplug/$f"
done
ls "$prefix/lib/gradplug/plugins/"*.so > /dev/null || fail "the install has no built-in plugins"
if grep -q "$source_dir" "$prefix/lib/cmake/gradplug/"*.cmake; then
  fail "the installed CMake package refers to the source tree"
fi

# ---------------------------------------------------------------------------------------------
# 2. new-plugin, outside the source tree, for each kind.
authors="$work/author"
mkdir -p "$authors"
cd "$authors"
for kind in optimizer activation regularizer; do
  name="my_$kind"
  run "$gradplug" new-plugin "$kind" "$name" --dir "$authors/$name"
  grep -q "CMAKE_PREFIX_PATH=$(cd "$prefix" && pwd -P)" "$authors/$name/README.md" ||
    fail "the README of $name does not give the install prefix"
  run cmake -S "$authors/$name" -B "$authors/$name/build" -DCMAKE_PREFIX_PATH="$prefix"
  run cmake --build "$authors/$name/build"
  [ -f "$authors/$name/build/$name.so" ] || fail "no $name.so after the build"
  run "$gradplug" check-plugin "$authors/$name/build/$name.so"
  tail -n 1 "$log" | grep -q "^all [0-9]* checks passed" || fail "check-plugin on $name did not pass"
  (cd "$authors/$name" && "$gradplug" train "$name.yaml" --plugin-dir build --quiet --out "$work/runs/$name") \
    >> "$log" 2>&1 || fail "training with $name from $name.yaml failed"
  [ -f "$work/runs/$name/summary.json" ] || fail "training with $name wrote no summary.json"
  grep -q "\"build/$name.so\"" "$work/runs/$name/summary.json" ||
    fail "the summary of the $name run does not name the plugin's file"
done
# The optimizer once more, found through GRADPLUG_PLUGIN_PATH (with an empty entry and a second one).
(cd "$authors/my_optimizer" &&
  GRADPLUG_PLUGIN_PATH=":$authors/my_optimizer/build:$authors/my_activation/build" \
    "$gradplug" train my_optimizer.yaml --quiet --out "$work/runs/env") >> "$log" 2>&1 ||
  fail "training through GRADPLUG_PLUGIN_PATH failed"
[ -f "$work/runs/env/summary.json" ] || fail "training through GRADPLUG_PLUGIN_PATH wrote no summary.json"
# new-plugin refuses to write over the project it made.
if "$gradplug" new-plugin optimizer my_optimizer --dir "$authors/my_optimizer" > /dev/null 2>&1; then
  fail "new-plugin wrote into a non-empty directory"
fi

# ---------------------------------------------------------------------------------------------
# 3. The guide, as a new author reads it: files and commands in order.
script="$work/guide.sh"
awk -v out="$script" '
  BEGIN { print "set -euo pipefail" > out; block = "" }
  /^```/ {
    if (block != "") {                      # a closing fence
      if (block == "file") print "GRADPLUG_GUIDE_EOF" > out
      block = ""; next
    }
    if ($0 ~ /^```sh[[:space:]]*$/) { block = "sh"; next }
    if (match($0, /file=[^[:space:]]+/)) {
      path = substr($0, RSTART + 5, RLENGTH - 5)
      sub(/^~\//, "$HOME/", path)
      print "mkdir -p \"$(dirname \"" path "\")\"" > out
      print "cat > \"" path "\" <<'"'"'GRADPLUG_GUIDE_EOF'"'"'" > out
      block = "file"; next
    }
    block = "other"; next
  }
  block == "sh" || block == "file" { print > out }
' "$guide"

# The guide must keep showing every step of the path (a guide without them would pass vacuously).
for step in "cmake --install build --prefix" "gradplug new-plugin" "cmake -S . -B build" \
            "cmake --build build" "gradplug check-plugin build/my_adagrad.so" \
            "gradplug train my_adagrad.yaml --plugin-dir build" "GRADPLUG_PLUGIN_PATH=" \
            "cat > \"\$HOME/my_adagrad/my_adagrad.cpp\"" "cat > \"\$HOME/my_adagrad/CMakeLists.txt\"" \
            "cat > \"\$HOME/my_adagrad/my_adagrad.yaml\"" "gradplug check-plugin build/my_scaled_tanh.so"; do
  grep -qF -- "$step" "$script" || fail "the guide no longer has: $step"
done

# A checkout: the guide's first command installs from `build`, relative to it.
home="$work/home"
checkout="$work/checkout"
mkdir -p "$home" "$checkout"
ln -s "$build_dir" "$checkout/build"
echo "+ bash guide.sh (the guide's commands)" >> "$log"
(cd "$checkout" && HOME="$home" bash -x "$script") >> "$log" 2>&1 || fail "the guide's commands failed"

[ -x "$home/gradplug/bin/gradplug" ] || fail "the guide did not install gradplug to ~/gradplug"
[ -f "$home/my_sgd/build/my_sgd.so" ] || fail "the guide's new-plugin project was not built"
[ -f "$home/my_adagrad/build/my_adagrad.so" ] || fail "the guide's my_adagrad.so was not built"
[ -f "$home/my_act/build/my_scaled_tanh.so" ] || fail "the guide's activation example was not built"
# Built without a build type, as the guide does: gradplug_add_plugin still optimises.
grep -q -- "-O2" "$home/my_adagrad/build/CMakeFiles/my_adagrad.dir/flags.make" ||
  fail "gradplug_add_plugin built the guide's plugin without optimisation"
runs=$(find "$home/my_adagrad/runs" -name summary.json | wc -l)
[ "$runs" -ge 3 ] || fail "the guide's my_adagrad runs wrote $runs summaries, expected 3"

# The check-plugin output the guide shows is what check-plugin prints.
shown="$work/shown.txt"
awk '/^```text/ { inside = 1; next } /^```/ { if (inside && found) exit; inside = 0; next }
     inside && /^PASS  load: loaded optimizer .my_adagrad./ { found = 1 }
     inside && found { print }' "$guide" > "$shown"
[ -s "$shown" ] || fail "the guide no longer shows check-plugin's output for my_adagrad"
actual="$work/actual.txt"
(cd "$home/my_adagrad" && HOME="$home" "$home/gradplug/bin/gradplug" check-plugin build/my_adagrad.so > "$actual") ||
  fail "check-plugin on the guide's my_adagrad failed"
diff -u "$shown" "$actual" > "$log" || fail "the check-plugin output in the guide differs from the real one (update docs/writing-plugins.md)"

echo "guide_test: passed"
