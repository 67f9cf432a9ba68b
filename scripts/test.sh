#!/usr/bin/env bash
# The test command: installs what is missing, builds once with
# AddressSanitizer + UndefinedBehaviorSanitizer, and runs every test on that
# build (unit, service, end-to-end), plus the API lint, the format check,
# the fuzzers for a bounded time (scripts/fuzz.sh, a clang build of their
# own), and the benchmark harness in its small mode on the same build (a
# check that it works; its timings mean nothing under the sanitizers).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh

build=${MITTARI_TEST_BUILD_DIR:-build-asan}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
  -DMITTARI_SANITIZE=ON -DMITTARI_BUILD_TESTS=ON -DMITTARI_BUILD_BENCH=ON \
  -DMITTARI_WERROR=ON -DMITTARI_CLIENT_TESTS=ON >/dev/null
cmake --build "$build" -j "$(nproc)"

echo "== clients (TypeScript stubs, gateway, dashboard; Python stubs)"
npm --prefix clients/web run --silent build
/usr/bin/python3 clients/python/generate.py

echo "== API lint (buf)"
if [ -x node_modules/.bin/buf ]; then
  node_modules/.bin/buf lint
elif [ "${MITTARI_SKIP_NPM:-0}" = 1 ]; then
  echo "skipped: MITTARI_SKIP_NPM=1"
else
  echo "buf is missing: scripts/deps.sh should have installed it" >&2
  exit 1
fi

echo "== API compatibility (buf breaking)"
# Every generated client (TypeScript, Python, mobile) depends on the wire
# format: compare the protos with the last landed main (origin/main, or
# the commit before this one when working on main itself), or with
# MITTARI_BREAKING_AGAINST when set.
against=${MITTARI_BREAKING_AGAINST:-}
if [ -z "$against" ]; then
  head=$(git rev-parse HEAD)
  for ref in origin/main main HEAD~1; do
    sha=$(git rev-parse --verify -q "$ref^{commit}" || true)
    if [ -n "$sha" ] && [ "$sha" != "$head" ]; then against=$sha; break; fi
  done
fi
if [ ! -x node_modules/.bin/buf ]; then
  echo "skipped: MITTARI_SKIP_NPM=1"
elif [ -n "$against" ]; then
  echo "against $against"
  node_modules/.bin/buf breaking --against ".git#ref=$against"
else
  echo "buf breaking NOT RUN: this clone has no earlier commit to compare" \
    "with (set MITTARI_BREAKING_AGAINST)" >&2
fi

echo "== format (clang-format, Google style)"
# scripts/deps.sh installs clang-format: a missing one is a failure.
git ls-files '*.cc' '*.h' | xargs clang-format --dry-run --Werror

echo "== fuzz (libFuzzer, bounded)"
scripts/fuzz.sh

echo "== tests"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/lsan.supp}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
ctest --test-dir "$build" --output-on-failure -j "$(nproc)"

echo "== benchmark harness (small mode)"
bench/run.sh --small --build "$build"
bench/import.sh --rows 20000 --rounds 1 --build "$build"
bench/alerts.sh --small --build "$build"
bench/tenants.sh --small --build "$build"
