#!/usr/bin/env bash
# What alerting costs and how fast it tells, one command:
#   bench/alerts.sh [--seconds 10] [--rounds 3] [--inflight 256]
#                   [--count 300] [--rate 20] [--baseline-build DIR]
#                   [--small] [--build DIR]
# Builds a release build (or uses --build), then measures:
#   1. the write path's cost: unary SubmitResponse (dated as sent) at
#      --inflight calls in flight into three servers, --rounds times in
#      turn: one of this build whose workspace has no alert rules, one whose
#      workspace has the rules a team would keep (angry answers about price
#      at a touchpoint, a daily NPS deviation, an NPS target; about one
#      response in 400 raises an alert), and, with --baseline-build, one of
#      another build (the one before alerting: its write path has no
#      observers). Each figure is the median of its rounds.
#   2. alert delivery: a WatchAlerts subscriber on a server of its own
#      with those rules, and --count matching answers sent one at a time at
#      --rate a second; the time from each send to its alert's arrival,
#      p50, p99 and max.
# --small checks that the harness works (timings mean nothing there).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=10
rounds=3
inflight=256
count=300
rate=20
baseline=""
build=""
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --inflight) inflight=$2; shift 2 ;;
    --count) count=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --baseline-build) baseline=$2; shift 2 ;;
    --small) seconds=1; rounds=1; inflight=16; count=20; shift ;;
    --build) build=$2; shift 2 ;;
    *) echo "unknown flag $1" >&2; exit 2 ;;
  esac
done
if [ -z "$build" ]; then
  build=build-bench
  MITTARI_SKIP_NPM=1 scripts/deps.sh
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DMITTARI_BUILD_TESTS=OFF -DMITTARI_BUILD_BENCH=ON >/dev/null
  cmake --build "$build" -j "$(nproc)" --target mittarid mittari_bench
fi

bench=$build/bench/mittari_bench
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
source bench/lib.sh

start_mittarid plain
plain_addr=$addr plain_key=$key
start_mittarid rules
rules_addr=$addr rules_key=$key
$bench rules --addr "$rules_addr" --key "$rules_key"
servers="plain rules"
if [ -n "$baseline" ]; then
  start_mittarid baseline "$baseline"
  baseline_addr=$addr baseline_key=$key
  servers="baseline plain rules"
fi

echo "== unary ingest at $inflight in flight, $rounds rounds"
declare -A runs
for round in $(seq "$rounds"); do
  for s in $servers; do
    a_var="${s}_addr" k_var="${s}_key"
    r=$($bench ingest --addr "${!a_var}" --key "${!k_var}" --inflight "$inflight" \
      --seconds "$seconds" --batch 1 --times live --id_prefix "$s$round-" |
      value records_per_s)
    echo "round $round, $s: $r responses/s"
    runs[$s]="${runs[$s]:-} $r"
  done
done

echo "== alert delivery: $count matching answers at $rate/s"
for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
start_mittarid latency
# Alerts that never came are reported, not fatal.
latency=$($bench alerts --addr "$addr" --key "$key" \
  --count "$count" --rate "$rate" --id_prefix "lat-" || true)
echo "$latency"

plain=$(echo "${runs[plain]}" | median)
with_rules=$(echo "${runs[rules]}" | median)
echo
echo "== report"
printf "unary ingest, no rules      %8.0f responses/s\n" "$plain"
printf "unary ingest, with rules    %8.0f responses/s   = %.3f x no rules\n" \
  "$with_rules" "$(echo "$with_rules / $plain" | bc -l)"
if [ -n "$baseline" ]; then
  base=$(echo "${runs[baseline]}" | median)
  printf "unary ingest, baseline      %8.0f responses/s   (no rules: %.3f x, with rules: %.3f x baseline)\n" \
    "$base" "$(echo "$plain / $base" | bc -l)" "$(echo "$with_rules / $base" | bc -l)"
fi
printf "alert delivery              p50 %.1f ms   p99 %.1f ms   max %.1f ms   (%s missing)\n" \
  "$(echo "$latency" | value alert_delivery_p50_ms)" \
  "$(echo "$latency" | value alert_delivery_p99_ms)" \
  "$(echo "$latency" | value alert_delivery_max_ms)" \
  "$(echo "$latency" | value alerts_missing)"
