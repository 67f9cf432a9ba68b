#!/usr/bin/env bash
# The benchmark, one command:
#   bench/run.sh [--sizes 1000000,10000000] [--sessions 10000000]
#                [--seconds 10] [--queries 200]
# Builds a release build, then in one run measures:
#   1. a bare gRPC echo server (bench/echo_server), ~100-byte unary calls,
#      64 in flight, served with the callback API (as SubmitResponse is):
#      the transport's ceiling on this machine, which the ingest ratios
#      are taken against; and, for reference, the same with the
#      synchronous API;
#   2. mittarid ingesting survey responses the same way (SubmitResponse,
#      64 in flight, each acknowledged once durable), and in batches of 100;
#   3. for each size: the stored responses are topped up to that size, then
#      a one-year weekly NPS query grouped by channel is timed (p50, p99)
#      and the server's RSS read;
#   4. sessions: ingested unary (RecordSession) and in batches of 100, then
#      topped up to --sessions stored sessions, and a 30-day daily DAU
#      series and a one-year monthly retention series timed.
# Prints a report with the ratios the targets are stated in.
set -euo pipefail
cd "$(dirname "$0")/.."

sizes=1000000,10000000
sessions=10000000
seconds=10
queries=200
while [ $# -gt 0 ]; do
  case "$1" in
    --sizes) sizes=$2; shift 2 ;;
    --sessions) sessions=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --queries) queries=$2; shift 2 ;;
    *) echo "usage: bench/run.sh [--sizes N,M] [--sessions N] [--seconds S] [--queries Q]" >&2; exit 2 ;;
  esac
done

MITTARI_SKIP_NPM=1 scripts/deps.sh
cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DMITTARI_BUILD_TESTS=OFF -DMITTARI_BUILD_BENCH=ON >/dev/null
cmake --build build-bench -j "$(nproc)" --target mittarid mittari_bench echo_server

bench=build-bench/bench/mittari_bench
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

# Starts a server whose first output line names its port; sets $port.
start() {
  local log=$1; shift
  "$@" >"$log" 2>&1 &
  pids+=($!)
  for _ in $(seq 300); do
    port=$(grep -oE '(port |127\.0\.0\.1:)[0-9]+' "$log" | grep -oE '[0-9]+$' | head -1 || true)
    [ -n "$port" ] && return 0
    sleep 0.1
  done
  echo "server did not start: $(cat "$log")" >&2
  exit 1
}
value() { grep "^$1 " | awk '{print $2}'; }
rss_mib() { awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$1/status"; }

# Sets $rate to the echo rate of one API of the echo server.
measure_echo() {
  start "$work/echo-$1.log" build-bench/bench/echo_server --listen=127.0.0.1:0 --api="$1"
  local pid=${pids[-1]}
  rate=$($bench echo --addr "127.0.0.1:$port" --seconds "$seconds" | value echo_calls_per_s)
  kill "$pid"
}
echo "== echo baselines"
measure_echo callback
echo_rate=$rate
measure_echo sync
sync_echo_rate=$rate

echo "== mittarid"
start "$work/mittarid.log" build-bench/service/mittarid --listen=127.0.0.1:0 \
  --data_dir="$work/data" --admin_key_file="$work/admin.key" \
  --operator_key_file="$work/operator.key"
server_pid=${pids[-1]}
addr="127.0.0.1:$port"
key=$(cat "$work/admin.key")
$bench setup --addr "$addr" --key "$key"

unary=$($bench ingest --addr "$addr" --key "$key" --seconds "$seconds" --batch 1 --id_prefix u)
unary_rate=$(echo "$unary" | value records_per_s)
stored=$(echo "$unary" | value next_id)
batched=$($bench ingest --addr "$addr" --key "$key" --seconds "$seconds" --batch 100 --id_prefix m)
batch_rate=$(echo "$batched" | value records_per_s)
stored=$((stored + $(echo "$batched" | value next_id)))

report="$work/report"
{
  printf "echo (bare gRPC, 100 B, 64 in flight)     %10.0f calls/s   (callback API: the ceiling)\n" "$echo_rate"
  printf "echo, synchronous API (reference)         %10.0f calls/s   = %.2f x echo\n" \
    "$sync_echo_rate" "$(echo "$sync_echo_rate / $echo_rate" | bc -l)"
  printf "ingest, unary SubmitResponse (durable)    %10.0f responses/s  = %.2f x echo\n" \
    "$unary_rate" "$(echo "$unary_rate / $echo_rate" | bc -l)"
  printf "ingest, batches of 100 (durable)          %10.0f responses/s  = %.2f x echo\n" \
    "$batch_rate" "$(echo "$batch_rate / $echo_rate" | bc -l)"
} >"$report"

loaded=0
first_p50=""
for size in ${sizes//,/ }; do
  echo "== topping up to $size responses"
  if [ "$size" -gt "$stored" ]; then
    load=$($bench load --addr "$addr" --key "$key" --id_prefix l \
      --start_id "$loaded" --total $((loaded + size - stored)))
    echo "$load"
    loaded=$((loaded + size - stored))
    stored=$size
  fi
  q=$($bench query --addr "$addr" --key "$key" --count "$queries")
  p50=$(echo "$q" | value query_p50_ms)
  p99=$(echo "$q" | value query_p99_ms)
  [ -n "$first_p50" ] || first_p50=$p50
  printf "NPS 1 year weekly by channel @ %9d   p50 %7.2f ms  p99 %7.2f ms  (p50 %.2f x first size)  RSS %s MiB\n" \
    "$stored" "$p50" "$p99" "$(echo "$p50 / $first_p50" | bc -l)" "$(rss_mib "$server_pid")" >>"$report"
done
echo "== sessions"
s_unary=$($bench ingest --kind sessions --addr "$addr" --key "$key" \
  --seconds "$seconds" --batch 1 --id_prefix su)
s_unary_rate=$(echo "$s_unary" | value records_per_s)
s_stored=$(echo "$s_unary" | value next_id)
s_batched=$($bench ingest --kind sessions --addr "$addr" --key "$key" \
  --seconds "$seconds" --batch 100 --id_prefix sm)
s_batch_rate=$(echo "$s_batched" | value records_per_s)
s_stored=$((s_stored + $(echo "$s_batched" | value next_id)))
{
  printf "sessions, unary RecordSession (durable)   %10.0f sessions/s   = %.2f x echo\n" \
    "$s_unary_rate" "$(echo "$s_unary_rate / $echo_rate" | bc -l)"
  printf "sessions, batches of 100 (durable)        %10.0f sessions/s   = %.2f x echo\n" \
    "$s_batch_rate" "$(echo "$s_batch_rate / $echo_rate" | bc -l)"
} >>"$report"
if [ "$sessions" -gt "$s_stored" ]; then
  echo "== topping up to $sessions sessions"
  $bench load --kind sessions --addr "$addr" --key "$key" --id_prefix sl \
    --total $((sessions - s_stored))
  s_stored=$sessions
fi
for which in dau retention; do
  q=$($bench query --query "$which" --addr "$addr" --key "$key" --count "$queries")
  printf "%-9s series @ %9d sessions     p50 %7.2f ms  p99 %7.2f ms  RSS %s MiB\n" \
    "$which" "$s_stored" "$(echo "$q" | value query_p50_ms)" \
    "$(echo "$q" | value query_p99_ms)" "$(rss_mib "$server_pid")" >>"$report"
done
echo
cat "$report"
