#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz (clang, AddressSanitizer + UndefinedBehaviorSanitizer)
# in build-fuzz/ and runs each for a bounded time from its seed corpus in tests/fuzz/corpus/.
# Prints the executions of each target; exits 1 when a target finds a crash (an exception other
# than gradplug::Error, a sanitizer report, a timeout or running out of memory), after saving the
# input under build-fuzz/crashes/ and printing it.
#
#   GRADPLUG_FUZZ_SECONDS   seconds per target (default 60)
#   GRADPLUG_FUZZ_TARGETS   targets to run (default "config csv model")
#   GRADPLUG_FUZZ_TIMEOUT   seconds one input may take before it counts as a hang (default 20)
#   GRADPLUG_FUZZ_BUILD     build directory (default build-fuzz)
#   CXX_FUZZ                the clang++ to build with (default clang++-14, else clang++)
#
# Needs clang and its libFuzzer runtime: `GRADPLUG_SETUP_FUZZ=1 bash .ci/setup` installs them
# (Debian 12: clang-14 libclang-rt-14-dev). Extra libFuzzer flags can follow on the command line,
# e.g. `tests/fuzz/run.sh -jobs=2`.
set -euo pipefail
cd "$(dirname "$0")/../.."

seconds=${GRADPLUG_FUZZ_SECONDS:-60}
timeout=${GRADPLUG_FUZZ_TIMEOUT:-20}
build=${GRADPLUG_FUZZ_BUILD:-build-fuzz}
read -r -a targets <<< "${GRADPLUG_FUZZ_TARGETS:-config csv model}"
cxx=${CXX_FUZZ:-}
if [ -z "$cxx" ]; then
  if command -v clang++-14 > /dev/null; then cxx=clang++-14; else cxx=clang++; fi
fi
command -v "$cxx" > /dev/null ||
  { echo "fuzz: $cxx not found; install clang: GRADPLUG_SETUP_FUZZ=1 bash .ci/setup" >&2; exit 1; }

# libFuzzer's runtime is a separate Debian package from the compiler; say so before a long build.
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
printf 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }\n' > "$probe/p.cpp"
"$cxx" -fsanitize=fuzzer,address,undefined "$probe/p.cpp" -o "$probe/p" 2> "$probe/err" || {
  cat "$probe/err" >&2
  echo "fuzz: $cxx cannot link libFuzzer; install its runtime: GRADPLUG_SETUP_FUZZ=1 bash .ci/setup" >&2
  exit 1
}

echo "fuzz: building ${targets[*]/#/fuzz_} with $cxx in $build/"
mkdir -p "$build"
start=$SECONDS
cmake -S . -B "$build" -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGRADPLUG_FUZZ=ON \
      -DGRADPLUG_BUILD_TESTS=OFF -DGRADPLUG_BUILD_BENCH=OFF -DGRADPLUG_SANITIZE=OFF -DGRADPLUG_WERROR=OFF \
      > "$build/configure.log" 2>&1 || { cat "$build/configure.log"; echo "fuzz: cmake failed"; exit 1; }
# All at once (the fastest way); if that fails, one by one, so one target that does not build does
# not keep the others from running.
failed=()
summary=()
built=("${targets[@]}")
if ! cmake --build "$build" -j"$(nproc)" --target "${targets[@]/#/fuzz_}" > "$build/build.log" 2>&1; then
  built=()
  for t in "${targets[@]}"; do
    if cmake --build "$build" -j"$(nproc)" --target "fuzz_$t" > "$build/build_$t.log" 2>&1; then
      built+=("$t")
    else
      echo "fuzz: fuzz_$t does not build; the first errors ($build/build_$t.log):"
      grep -m 20 -E 'error|Error' "$build/build_$t.log" || tail -n 40 "$build/build_$t.log"
      failed+=("$t")
      summary+=("$(printf '  fuzz_%-7s %10s executions  %5s corpus inputs  BUILD FAILED' "$t" - -)")
    fi
  done
fi
echo "fuzz: built in $((SECONDS - start)) s; running each target for ${seconds} s"

export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
mkdir -p "$build/crashes"
for t in "${built[@]}"; do
  work="$build/corpus/$t"  # what the fuzzer finds; the committed seeds stay as they are
  log="$build/fuzz_$t.log"
  mkdir -p "$work"
  rm -f "$build/crashes/$t-"*
  status=0
  "$build/bin/fuzz_$t" "$work" "tests/fuzz/corpus/$t" -dict="tests/fuzz/$t.dict" \
      -max_total_time="$seconds" -timeout="$timeout" -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$build/crashes/$t-" "$@" > "$log" 2>&1 || status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  [ -n "$runs" ] || runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log" | tail -n 1)
  [ -n "$runs" ] || runs="?"
  corpus=$(find "$work" -type f | wc -l)
  if [ "$status" -eq 0 ]; then
    summary+=("$(printf '  fuzz_%-7s %10s executions  %5s corpus inputs  ok' "$t" "$runs" "$corpus")")
    continue
  fi
  failed+=("$t")
  summary+=("$(printf '  fuzz_%-7s %10s executions  %5s corpus inputs  FAILED (exit %s)' "$t" "$runs" "$corpus" "$status")")
  echo "fuzz: fuzz_$t failed; the end of its log ($log):"
  # From the first report line (the harness's own, a sanitizer's or libFuzzer's) on.
  awk '/^fuzz: |==ERROR|runtime error:|ERROR: libFuzzer/ { found = 1 } found' "$log" | grep -v '^#[0-9]' | head -n 60
  for crash in "$build/crashes/$t-"*; do
    [ -e "$crash" ] || continue
    echo "fuzz: input saved as $crash ($(wc -c < "$crash") bytes), base64:"
    base64 -w 76 "$crash" | head -n 40
    echo "fuzz: reproduce: $build/bin/fuzz_$t $crash"
    echo "fuzz: minimize: $build/bin/fuzz_$t -minimize_crash=1 -max_total_time=60 -exact_artifact_path=$crash.min $crash"
  done
done

echo "fuzz: results (${seconds} s per target)"
printf '%s\n' "${summary[@]}"
if ((${#failed[@]})); then
  echo "fuzz: failed: ${failed[*]/#/fuzz_}"
  exit 1
fi
