#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz) with clang, AddressSanitizer and
# UndefinedBehaviorSanitizer, and runs each on its corpus for a bounded
# time: MITTARI_FUZZ_SECONDS each (default 20; the test command's bounded
# variant). The committed corpus, which keeps every input that once crashed
# a target as a regression input, is read first; new inputs go to a scratch
# directory, and a crash stops the run with its input saved there.
#   scripts/fuzz.sh                         # every target, 20 s each
#   MITTARI_FUZZ_SECONDS=3600 scripts/fuzz.sh ingest   # one target, long
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${MITTARI_FUZZ_SECONDS:-20}
build=${MITTARI_FUZZ_BUILD_DIR:-build-fuzz}
targets=("$@")
((${#targets[@]})) || targets=(key_codec counters csv ingest)

CC=clang-14 CXX=clang++-14 cmake -S . -B "$build" -G Ninja \
  -DCMAKE_BUILD_TYPE=Debug -DMITTARI_FUZZ=ON >/dev/null
cmake --build "$build" -j "$(nproc)" \
  --target "${targets[@]/%/_fuzzer}"

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
for t in "${targets[@]}"; do
  mkdir -p "$scratch/$t"
  echo "== fuzz $t (${seconds} s)"
  if ! "$build/tests/fuzz/${t}_fuzzer" "$scratch/$t" "tests/fuzz/corpus/$t" \
      -max_total_time="$seconds" -print_final_stats=1 \
      -artifact_prefix="$scratch/$t/" >"$scratch/$t.log" 2>&1; then
    tail -n 60 "$scratch/$t.log"
    crash=$(ls "$scratch/$t"/crash-* "$scratch/$t"/leak-* \
      "$scratch/$t"/timeout-* 2>/dev/null | head -n 1 || true)
    echo "fuzz $t: FAILED; keep the input as a regression input:" \
      "cp $crash tests/fuzz/corpus/$t/" >&2
    exit 1
  fi
  grep -E 'stat::number_of_executed_units|stat::new_units_added' \
    "$scratch/$t.log" | sed "s/^/  /"
done
echo "fuzz: ${#targets[@]} passed, 0 failed"
