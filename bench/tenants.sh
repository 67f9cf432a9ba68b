#!/usr/bin/env bash
# What one tenant's flood does to another's writes, one command:
#   bench/tenants.sh [--seconds 10] [--rounds 3] [--rate 200] [--small]
#                    [--build DIR]
# One mittarid with its default limits and two workspaces. The quiet one
# submits unary responses at --rate a second (a few apps); each round
# measures their latency (p50, p99) alone, then while the other workspace
# floods with batches of 100 (64 in flight), then while it floods with
# unary submits (256 in flight). Each figure is the median of its rounds;
# the report gives the quiet workspace's p99 during each flood against
# its p99 alone.
# --small checks that the harness works (timings mean nothing there).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=10
rounds=3
rate=200
build=""
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --small) seconds=2; rounds=1; rate=50; shift ;;
    --build) build=$2; shift 2 ;;
    *) echo "unknown flag $1" >&2; exit 2 ;;
  esac
done
if [ -z "$build" ]; then
  build=build-bench
  MITTARI_SKIP_NPM=1 scripts/deps.sh
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DMITTARI_BUILD_TESTS=OFF -DMITTARI_BUILD_BENCH=ON >/dev/null
  cmake --build "$build" -j "$(nproc)" --target mittarid mittari_bench mittari
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

# The server's own limits stay on: they are part of what keeps tenants
# apart.
start "$work/server.log" "$build/service/mittarid" --listen=127.0.0.1:0 \
  --metrics_listen= --data_dir="$work/data" \
  --admin_key_file="$work/admin.key" --operator_key_file="$work/operator.key"
addr="127.0.0.1:$port"
loud_key=$(cat "$work/admin.key")
$bench setup --addr "$addr" --key "$loud_key"
quiet_key=$("$build/clients/cli/mittari" --addr "$addr" \
  --key "$(cat "$work/operator.key")" --output json workspace create \
  --id quiet --display-name Quiet --time-zone UTC --currency EUR |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["admin_key"]["secret"])')
$bench setup --addr "$addr" --key "$quiet_key" --parent workspaces/quiet

# quiet ID: the quiet workspace's unary submits for --seconds; its output.
quiet() {
  $bench ingest --addr "$addr" --key "$quiet_key" --parent workspaces/quiet \
    --inflight 16 --rate "$rate" --seconds "$seconds" --times live \
    --id_prefix "q$1-"
}
declare -A p50 p99
for round in $(seq "$rounds"); do
  for mode in alone batches unary; do
    flood_pid=""
    case $mode in
      batches)
        $bench ingest --addr "$addr" --key "$loud_key" --batch 100 \
          --inflight 64 --seconds $((seconds + 2)) --times live \
          --id_prefix "lb$round-" >"$work/flood.out" 2>&1 &
        flood_pid=$! ;;
      unary)
        $bench ingest --addr "$addr" --key "$loud_key" --inflight 256 \
          --seconds $((seconds + 2)) --times live \
          --id_prefix "lu$round-" >"$work/flood.out" 2>&1 &
        flood_pid=$! ;;
    esac
    [ -n "$flood_pid" ] && sleep 1
    out=$(quiet "$round$mode")
    # Calls the server refused the flood (its limits) are counted, not
    # fatal.
    [ -n "$flood_pid" ] && { wait "$flood_pid" || true; }
    a=$(echo "$out" | value call_p50_ms)
    b=$(echo "$out" | value call_p99_ms)
    echo "round $round, $mode: quiet p50 $a ms, p99 $b ms ($(echo "$out" | value failures) failed)"
    p50[$mode]="${p50[$mode]:-} $a"
    p99[$mode]="${p99[$mode]:-} $b"
  done
done

echo
echo "== report"
alone=$(echo "${p99[alone]}" | median)
for mode in alone batches unary; do
  m50=$(echo "${p50[$mode]}" | median)
  m99=$(echo "${p99[$mode]}" | median)
  printf "quiet workspace, %-8s unary submits at %s/s: p50 %6.2f ms  p99 %6.2f ms  (p99 %.2f x alone)\n" \
    "$mode" "$rate" "$m50" "$m99" "$(echo "$m99 / $alone" | bc -l)"
done
