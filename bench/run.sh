#!/usr/bin/env bash
# The benchmark, one command:
#   bench/run.sh [--sizes 1000000,10000000] [--sessions 1000000,10000000]
#                [--seconds 10] [--queries 200] [--inflight 64,256,1024]
#                [--rounds 3] [--only sessions|responses] [--small]
#                [--large] [--build DIR]
# Builds a release build, then in one run measures:
#   1. a bare gRPC echo server (bench/echo_server), ~100-byte unary calls,
#      served with the callback API (as SubmitResponse is), and mittarid
#      ingesting survey responses the same way (SubmitResponse, each
#      acknowledged once durable, into a server of its own), at each
#      number of calls in flight in --inflight. Each response is dated in
#      the minute before it is sent, as an app sends it. The two alternate,
#      --rounds times, and each figure is the median of its rounds: single
#      runs on a shared two-core machine spread by +-20 %. The echo's best
#      level is the transport's ceiling, which every ingest ratio is taken
#      against; the synchronous API's echo is printed for reference. Then
#      unary ingest again at its best level, --rounds times, with responses
#      dated at random over a year, as a backfill sends them; and unary
#      sessions, purchases, tickets and registrations at that level;
#   2. mittarid ingesting in batches of 100 (64 in flight), and RocksDB's
#      db_bench fillrandom with synced batches of 100 on the same machine
#      (the store's own ceiling);
#   3. for each size: the stored responses are topped up to that size, then
#      a one-year weekly NPS query grouped by channel is timed (p50, p99)
#      and the server's RSS read; at the last size once more while unary
#      responses arrive at half their peak rate (a flood);
#   4. sessions: ingested unary (RecordSession) and in batches of 100, then
#      for each size in --sessions: topped up to that many stored sessions,
#      and a 30-day daily DAU series and a one-year monthly retention series
#      timed (p50 also as a ratio to the first size's); the DAU series
#      once more during a flood of unary sessions at half their peak.
# --only sessions runs part 4's series alone (on a server of its own);
# --only responses leaves part 4 out.
# --large is the run at scale: 1 M, 10 M and 100 M responses and
# sessions (hours on two cores, and ~60 GB of disk with PostgreSQL).
# --small is the test command's check that the harness works (100 k
# responses and sessions, one short round; timings mean nothing there);
# --build DIR uses the binaries already built in DIR (with
# MITTARI_BUILD_BENCH=ON) instead of making the release build.
#   5. with PostgreSQL 15 installed: the same rows copied into tables with
#      the schema and indexes a team would write, and at each size the
#      same series queries in SQL (weekly NPS by channel, monthly CSAT by
#      touchpoint, 30-day DAU, monthly retention, monthly conversion by
#      source) and one event's report (its registrations, lines, NPS, and
#      its attendees' purchases 90 days around it), with mittarid's p50
#      against PostgreSQL's median of three; and bytes on disk per stored
#      row on both sides.
# Prints a report with the ratios the targets are stated in.
set -euo pipefail
cd "$(dirname "$0")/.."

sizes=1000000,10000000
sessions=1000000,10000000
only=""
build=""
seconds=10
queries=200
inflight=64,256,1024
rounds=3
while [ $# -gt 0 ]; do
  case "$1" in
    --sizes) sizes=$2; shift 2 ;;
    --sessions) sessions=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --queries) queries=$2; shift 2 ;;
    --inflight) inflight=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --small) sizes=100000; sessions=100000; seconds=2; queries=20; inflight=64; rounds=1; shift ;;
    --large) sizes=1000000,10000000,100000000; sessions=1000000,10000000,100000000; shift ;;
    --build) build=$2; shift 2 ;;
    *) echo "usage: bench/run.sh [--sizes N,M] [--sessions N,M] [--seconds S] [--queries Q] [--inflight A,B,...] [--rounds R] [--only sessions|responses] [--small] [--large] [--build DIR]" >&2; exit 2 ;;
  esac
done

if [ -z "$build" ]; then
  build=build-bench
  MITTARI_SKIP_NPM=1 MITTARI_BENCH_DEPS=1 scripts/deps.sh
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DMITTARI_BUILD_TESTS=OFF -DMITTARI_BUILD_BENCH=ON >/dev/null
  cmake --build "$build" -j "$(nproc)" --target mittarid mittari_bench echo_server
fi

bench=$build/bench/mittari_bench
work=$(mktemp -d)
pids=()
source bench/pg.sh
source bench/lib.sh
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  pg_stop
  # A run that stopped early still shows what it measured.
  if [ -z "${reported:-}" ] && [ -s "${report:-}" ]; then
    echo "(stopped early; measured so far:)"
    cat "$report"
  fi
  rm -rf "$work"
}
trap cleanup EXIT

rss_mib() { awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$1/status"; }

# PostgreSQL side by side (when installed): the same rows, with the
# schema and indexes a team would write, and the same KPI queries in SQL.
pg_on=""
flood_rows=0
# What setup stores: customers, events, registrations, event lines,
# purchases (bench/mittari_bench.cc).
setup_rows=$((20000 + 20 + 20000 + 100 + 100000))
pg_setup() {
  local started=0
  pg_start "$work/pg" || started=$?
  if [ "$started" = 1 ]; then
    echo "PostgreSQL 15 is not installed: no side-by-side figures"
    return 0
  elif [ "$started" != 0 ]; then
    echo "PostgreSQL did not start: $(cat "$work/pg/log" 2>/dev/null)" >&2
    return 1
  fi
  pg_on=1
  pg_sql <<'SQL'
CREATE TABLE customers (id text PRIMARY KEY, segment text, region text,
  acquire_time timestamptz, churn_time timestamptz);
CREATE TABLE responses (id text PRIMARY KEY, survey_id text NOT NULL,
  customer_id text, submitted_at timestamptz NOT NULL, score int,
  channel text, touchpoint text, tagged boolean, event_id text);
CREATE INDEX responses_by_survey_time ON responses (survey_id, submitted_at);
CREATE INDEX responses_by_event ON responses (event_id);
CREATE TABLE events (id text PRIMARY KEY, start_time timestamptz NOT NULL,
  end_time timestamptz NOT NULL, budget bigint);
CREATE TABLE registrations (event_id text, customer_id text,
  register_time timestamptz, attended boolean, check_in_time timestamptz,
  minutes int, converted boolean, PRIMARY KEY (event_id, customer_id));
CREATE TABLE event_lines (event_id text, line_id text, revenue boolean,
  category text, amount bigint, PRIMARY KEY (event_id, line_id));
CREATE TABLE purchases (id text PRIMARY KEY, customer_id text NOT NULL,
  occur_time timestamptz NOT NULL, amount bigint, channel text);
CREATE INDEX purchases_by_customer_time ON purchases (customer_id, occur_time);
CREATE TABLE sessions (id text PRIMARY KEY, visitor_id text NOT NULL,
  customer_id text, start_time timestamptz NOT NULL, duration_seconds int,
  page_views int, source text, device text, landing_page text,
  converted boolean);
CREATE INDEX sessions_by_time ON sessions (start_time);
SQL
  local table
  for table in customers events registrations event_lines purchases; do
    pg_copy "$table" x 0 0
  done
}
# pg_copy TABLE PREFIX START END: the records mittari_bench made with that
# id prefix and numbers (TABLE is also the --kind).
pg_copy() {
  [ -n "$pg_on" ] || return 0
  $bench csv --kind "$1" --id_prefix "$2" --start_id "$3" --total "$4" |
    pg_sql -c "\\copy $1 FROM pstdin WITH (FORMAT csv)"
  pg_sql -c "ANALYZE $1"
}
year_from="2025-07-01 00:00:00+00"
year_to="2026-07-01 00:00:00+00"
declare -A pg_queries=(
  [nps]="SELECT date_trunc('week', submitted_at, 'UTC') AS w, channel, count(*),
    100.0 * (count(*) FILTER (WHERE score >= 9) - count(*) FILTER (WHERE score <= 6)) / count(*)
    FROM responses WHERE survey_id = 'bench-nps' AND submitted_at >= '$year_from'
    AND submitted_at < '$year_to' GROUP BY 1, 2"
  [csat]="SELECT date_trunc('month', submitted_at, 'UTC') AS m, touchpoint, count(*),
    100.0 * count(*) FILTER (WHERE score >= 4) / count(*)
    FROM responses WHERE survey_id = 'bench-csat' AND submitted_at >= '$year_from'
    AND submitted_at < '$year_to' GROUP BY 1, 2"
  [dau]="SELECT date_trunc('day', start_time, 'UTC') AS d, count(DISTINCT visitor_id)
    FROM sessions WHERE start_time >= timestamptz '$year_to' - interval '30 days'
    AND start_time < '$year_to' GROUP BY 1"
  [dau_by_source]="SELECT date_trunc('day', start_time, 'UTC') AS d, source, count(DISTINCT visitor_id)
    FROM sessions WHERE start_time >= timestamptz '$year_to' - interval '30 days'
    AND start_time < '$year_to' GROUP BY 1, 2"
  [retention]="SELECT a, count(*) FILTER (WHERE acquire_time < a AND (churn_time IS NULL OR churn_time >= a)) AS s,
    count(*) FILTER (WHERE acquire_time < a + interval '1 month' AND (churn_time IS NULL OR churn_time >= a + interval '1 month')) AS e,
    count(*) FILTER (WHERE acquire_time >= a AND acquire_time < a + interval '1 month') AS n
    FROM generate_series(timestamptz '$year_from', timestamptz '$year_to' - interval '1 month', interval '1 month') AS a
    CROSS JOIN customers GROUP BY a"
  [event]="WITH e AS (SELECT * FROM events WHERE id = 'bench-event-10'),
    r AS (SELECT * FROM registrations WHERE event_id = 'bench-event-10'),
    a AS (SELECT customer_id FROM r WHERE attended)
    SELECT (SELECT count(*) FROM r), (SELECT count(*) FROM a),
      (SELECT count(*) FROM r WHERE attended AND converted),
      (SELECT avg(minutes) FROM r WHERE attended),
      (SELECT sum(amount) FILTER (WHERE revenue) FROM event_lines WHERE event_id = 'bench-event-10'),
      (SELECT sum(amount) FILTER (WHERE NOT revenue) FROM event_lines WHERE event_id = 'bench-event-10'),
      (SELECT count(*) FILTER (WHERE score >= 9) - count(*) FILTER (WHERE score <= 6)
         FROM responses WHERE event_id = 'bench-event-10' AND survey_id = 'bench-nps'),
      (SELECT count(*) FILTER (WHERE p.occur_time < e.start_time)
         FROM purchases p JOIN a USING (customer_id), e
         WHERE p.occur_time >= e.start_time - interval '90 days' AND p.occur_time < e.start_time),
      (SELECT count(*) FROM purchases p JOIN a USING (customer_id), e
         WHERE p.occur_time >= e.end_time AND p.occur_time < e.end_time + interval '90 days')"
  [conversion]="SELECT date_trunc('month', start_time, 'UTC') AS m, source, count(DISTINCT visitor_id),
    100.0 * count(DISTINCT visitor_id) FILTER (WHERE converted) / count(DISTINCT visitor_id)
    FROM sessions WHERE start_time >= '$year_from' AND start_time < '$year_to' GROUP BY 1, 2"
)
# pg_time QUERY COUNT: the median of COUNT runs of a named query, in ms.
pg_time() {
  local f="$work/q.sql"
  { echo '\timing on'; echo '\o /dev/null'; for _ in $(seq "$2"); do echo "${pg_queries[$1]};"; done; } >"$f"
  pg_sql -f "$f" | grep -oE '^Time: [0-9.]+' | awk '{print $2}' | median
}
# side_by_side WHICH ROWS LABEL [P50]: the query on mittarid (--queries
# times, fewer for a slow one, unless its p50 is given) and on PostgreSQL
# (3 times), and the ratio; appends a report line.
side_by_side() {
  local which=$1 rows=$2 label=$3 m=${4:-}
  if [ -z "$m" ]; then
    # A slow query runs fewer times: about 20 s of it, at least 3 times.
    local probe count
    probe=$($bench query --query "$which" --addr "$addr" --key "$key" --count 1 | value query_p50_ms)
    count=$(echo "c = 20000 / ($probe + 1); if (c < 3) c = 3; if (c > $queries) c = $queries; c" | bc)
    m=$($bench query --query "$which" --addr "$addr" --key "$key" --count "$count" | value query_p50_ms)
  fi
  if [ -n "$pg_on" ]; then
    local p
    p=$(pg_time "$which" 3)
    printf "%-11s @ %9d rows   mittari p50 %8.2f ms   PostgreSQL %9.1f ms   = %7.1f x faster\n" \
      "$label" "$rows" "$m" "$p" "$(echo "$p / $m" | bc -l)" >>"$report"
  else
    printf "%-11s @ %9d rows   mittari p50 %8.2f ms\n" "$label" "$rows" "$m" >>"$report"
  fi
}
# disk_per_row ROWS: bytes on disk per stored row, mittarid's data directory
# against PostgreSQL's tables and indexes, and mittarid's RSS.
disk_per_row() {
  local rows=$1 m
  m=$(du -sb "$work/data" | cut -f1)
  if [ -n "$pg_on" ]; then
    local p
    p=$(pg_sql -At -c "SELECT sum(pg_total_relation_size(c)) FROM unnest(ARRAY['responses', 'sessions', 'customers', 'events', 'registrations', 'event_lines', 'purchases']) AS c")
    printf "disk @ %9d rows            mittari %6.0f B/row   PostgreSQL %6.0f B/row (tables + indexes)   mittarid RSS %s MiB\n" \
      "$rows" "$(echo "$m / $rows" | bc -l)" "$(echo "$p / $rows" | bc -l)" "$(rss_mib "$server_pid")" >>"$report"
  else
    printf "disk @ %9d rows            mittari %6.0f B/row   mittarid RSS %s MiB\n" \
      "$rows" "$(echo "$m / $rows" | bc -l)" "$(rss_mib "$server_pid")" >>"$report"
  fi
}

# Times a query (nps, dau) while unary ingest of a kind (responses,
# sessions) runs at a set rate (calls/s) on $addr; appends a report line
# comparing its p99 with the idle p99 given.
flooded() {
  local kind=$1 rate=$2 which=$3 idle_p99=$4 label=$5
  $bench ingest --kind "$kind" --addr "$addr" --key "$key" --inflight 64 \
    --seconds $((seconds * 2)) --rate "$rate" --times live \
    --id_prefix "f$kind$rate-" >"$work/flood.out" &
  local flood_pid=$!
  sleep 1
  local q
  q=$($bench query --query "$which" --addr "$addr" --key "$key" --count "$queries")
  # Calls the server refused (its limits) are counted, not fatal.
  wait "$flood_pid" || true
  flood_rows=$((flood_rows + $(value next_id <"$work/flood.out")))
  local p99
  p99=$(echo "$q" | value query_p99_ms)
  printf "%-32s p50 %7.2f ms  p99 %7.2f ms  (p99 %.2f x idle) during %s unary %s at %.0f/s (half the peak; %s refused)\n" \
    "$label" "$(echo "$q" | value query_p50_ms)" "$p99" \
    "$(echo "$p99 / $idle_p99" | bc -l)" "$(value records_per_s <"$work/flood.out" | xargs printf '%.0f')" \
    "$kind" "$rate" "$(value failures <"$work/flood.out")" >>"$report"
}
report="$work/report"
: >"$report"
s_stored=0
if [ "$only" != sessions ]; then
echo "== echo and unary ingest at ${inflight} calls in flight, ${rounds} rounds"
start "$work/echo-sync.log" $build/bench/echo_server --listen=127.0.0.1:0 --api=sync
sync_echo_rate=$($bench echo --addr "127.0.0.1:$port" --seconds "$seconds" | value echo_calls_per_s)
kill "${pids[-1]}"
start "$work/echo.log" $build/bench/echo_server --listen=127.0.0.1:0 --api=callback
echo_addr="127.0.0.1:$port"
echo_pid=${pids[-1]}
start_mittarid sweep
declare -A echo_runs unary_runs
for round in $(seq "$rounds"); do
  for n in ${inflight//,/ }; do
    e=$($bench echo --addr "$echo_addr" --inflight "$n" --seconds "$seconds" | value echo_calls_per_s)
    u=$($bench ingest --addr "$addr" --key "$key" --inflight "$n" \
      --seconds "$seconds" --batch 1 --times live --id_prefix "u$round-$n-" | value records_per_s)
    echo "round $round, $n in flight: echo $e calls/s, unary ingest $u responses/s"
    echo_runs[$n]="${echo_runs[$n]:-} $e"
    unary_runs[$n]="${unary_runs[$n]:-} $u"
  done
done
kill "$echo_pid"

echo_rate=0
unary_rate=0
sweep="$work/sweep.txt"
for n in ${inflight//,/ }; do
  e=$(echo "${echo_runs[$n]}" | median)
  u=$(echo "${unary_runs[$n]}" | median)
  printf "  %6d in flight   echo %8.0f calls/s   unary ingest %8.0f responses/s   = %.3f x echo at this level\n" \
    "$n" "$e" "$u" "$(echo "$u / $e" | bc -l)" >>"$sweep"
  if [ "$(echo "$e > $echo_rate" | bc)" = 1 ]; then echo_rate=$e; echo_at=$n; fi
  if [ "$(echo "$u > $unary_rate" | bc)" = 1 ]; then unary_rate=$u; unary_at=$n; fi
done

echo "== unary ingest of a backfill (dated over a year) at $unary_at in flight"
backfill_runs=""
for round in $(seq "$rounds"); do
  b=$($bench ingest --addr "$addr" --key "$key" --inflight "$unary_at" \
    --seconds "$seconds" --batch 1 --times year --id_prefix "y$round-" | value records_per_s)
  echo "round $round: $b responses/s"
  backfill_runs="$backfill_runs $b"
done
backfill_rate=$(echo "$backfill_runs" | median)

echo "== the other unary writes at $unary_at in flight"
declare -A kind_rates
for kind in sessions purchases tickets registrations; do
  runs=""
  for round in $(seq "$rounds"); do
    r=$($bench ingest --kind "$kind" --addr "$addr" --key "$key" --inflight "$unary_at" \
      --seconds "$seconds" --batch 1 --times live --id_prefix "k$round-" | value records_per_s)
    echo "round $round: $r $kind/s"
    runs="$runs $r"
  done
  kind_rates[$kind]=$(echo "$runs" | median)
done
kill "$server_pid"
rm -rf "$work/sweep"

echo "== mittarid"
start_mittarid data
stored=0
batched=$($bench ingest --addr "$addr" --key "$key" --seconds "$seconds" --batch 100 --id_prefix m)
batch_rate=$(echo "$batched" | value records_per_s)
stored=$((stored + $(echo "$batched" | value next_id)))
pg_setup
pg_copy responses m 0 "$stored"

# RocksDB's own synced batch rate on the same machine: the ceiling of any
# store of keys written in batches of 100 (when db_bench is installed).
dbb_rate=""
if command -v db_bench >/dev/null; then
  echo "== db_bench fillrandom, synced batches of 100"
  dbb_rate=$(db_bench --benchmarks=fillrandom --sync=1 --batch_size=100 \
    --num=1000000000 --duration="$seconds" --db="$work/db_bench" \
    --key_size=16 --value_size=100 2>/dev/null | awk '$1 == "fillrandom" {print $5}')
  rm -rf "$work/db_bench"
fi

{
  echo "medians of $rounds rounds, by calls in flight:"
  cat "$sweep"
  printf "echo (bare gRPC, 100 B), best level       %10.0f calls/s   (%d in flight, callback API: the ceiling)\n" \
    "$echo_rate" "$echo_at"
  printf "echo, synchronous API (reference)         %10.0f calls/s   = %.2f x echo (64 in flight)\n" \
    "$sync_echo_rate" "$(echo "$sync_echo_rate / $echo_rate" | bc -l)"
  printf "ingest, unary SubmitResponse (durable)    %10.0f responses/s  = %.3f x echo (%d in flight, dated as sent)\n" \
    "$unary_rate" "$(echo "$unary_rate / $echo_rate" | bc -l)" "$unary_at"
  printf "ingest, unary, a backfill (durable)       %10.0f responses/s  = %.3f x echo (%d in flight, dated over a year)\n" \
    "$backfill_rate" "$(echo "$backfill_rate / $echo_rate" | bc -l)" "$unary_at"
  for kind in sessions purchases tickets registrations; do
    printf "ingest, unary %-13s (durable)    %10.0f %s/s  = %.3f x echo (%d in flight)\n" \
      "$kind" "${kind_rates[$kind]}" "$kind" "$(echo "${kind_rates[$kind]} / $echo_rate" | bc -l)" "$unary_at"
  done
  printf "ingest, batches of 100 (durable)          %10.0f responses/s  = %.2f x echo (64 in flight)\n" \
    "$batch_rate" "$(echo "$batch_rate / $echo_rate" | bc -l)"
} >>"$report"

loaded=0
first_p50=""
for size in ${sizes//,/ }; do
  echo "== topping up to $size responses"
  if [ "$size" -gt "$stored" ]; then
    load=$($bench load --addr "$addr" --key "$key" --id_prefix l \
      --start_id "$loaded" --total $((loaded + size - stored)))
    echo "$load"
    pg_copy responses l "$loaded" $((loaded + size - stored))
    loaded=$((loaded + size - stored))
    stored=$size
  fi
  q=$($bench query --addr "$addr" --key "$key" --count "$queries")
  p50=$(echo "$q" | value query_p50_ms)
  p99=$(echo "$q" | value query_p99_ms)
  [ -n "$first_p50" ] || first_p50=$p50
  printf "NPS 1 year weekly by channel @ %9d   p50 %7.2f ms  p99 %7.2f ms  (p50 %.2f x first size)  RSS %s MiB\n" \
    "$stored" "$p50" "$p99" "$(echo "$p50 / $first_p50" | bc -l)" "$(rss_mib "$server_pid")" >>"$report"
  side_by_side nps "$stored" "NPS" "$p50"
  side_by_side csat "$stored" "CSAT"
  side_by_side event "$stored" "EVENT"
  disk_per_row $((stored + setup_rows))
done
# Dashboards during a flood: the NPS series again at the last size while
# responses arrive at half the unary peak.
flooded responses "$(echo "$unary_rate / 2" | bc)" nps "$p99" "NPS series, flood @ $stored"

fi
if [ "$only" != responses ]; then
if [ "$only" != sessions ]; then

echo "== sessions"
s_unary=$($bench ingest --kind sessions --addr "$addr" --key "$key" \
  --seconds "$seconds" --batch 1 --id_prefix su)
s_unary_rate=$(echo "$s_unary" | value records_per_s)
s_stored=$(echo "$s_unary" | value next_id)
pg_copy sessions su 0 "$s_stored"
s_batched=$($bench ingest --kind sessions --addr "$addr" --key "$key" \
  --seconds "$seconds" --batch 100 --id_prefix sm)
s_batch_rate=$(echo "$s_batched" | value records_per_s)
s_stored=$((s_stored + $(echo "$s_batched" | value next_id)))
pg_copy sessions sm 0 "$(echo "$s_batched" | value next_id)"
{
  printf "sessions, unary RecordSession (durable)   %10.0f sessions/s   = %.2f x echo\n" \
    "$s_unary_rate" "$(echo "$s_unary_rate / $echo_rate" | bc -l)"
  printf "sessions, batches of 100 (durable)        %10.0f sessions/s   = %.2f x echo\n" \
    "$s_batch_rate" "$(echo "$s_batch_rate / $echo_rate" | bc -l)"
  if [ -n "$dbb_rate" ]; then
    printf "db_bench fillrandom, synced batches of 100 %9.0f keys/s (16 B keys, 100 B values)\n" "$dbb_rate"
    printf "  responses in batches of 100 = %.3f x db_bench's keys/s; sessions = %.3f x (a record is several keys)\n" \
      "$(echo "$batch_rate / $dbb_rate" | bc -l)" "$(echo "$s_batch_rate / $dbb_rate" | bc -l)"
  fi
} >>"$report"
else
  start_mittarid data
  pg_setup
fi

s_loaded=0
declare -A first_series idle_p99
for size in ${sessions//,/ }; do
  if [ "$size" -gt "$s_stored" ]; then
    echo "== topping up to $size sessions"
    $bench load --kind sessions --addr "$addr" --key "$key" --id_prefix sl \
      --start_id "$s_loaded" --total $((s_loaded + size - s_stored))
    pg_copy sessions sl "$s_loaded" $((s_loaded + size - s_stored))
    s_loaded=$((s_loaded + size - s_stored))
    s_stored=$size
  fi
  for which in dau dau_by_source retention; do
    q=$($bench query --query "$which" --addr "$addr" --key "$key" --count "$queries")
    p50=$(echo "$q" | value query_p50_ms)
    [ -n "${first_series[$which]:-}" ] || first_series[$which]=$p50
    printf "%-9s series @ %9d sessions     p50 %7.2f ms  p99 %7.2f ms  (p50 %.2f x first size)  RSS %s MiB\n" \
      "$which" "$s_stored" "$p50" "$(echo "$q" | value query_p99_ms)" \
      "$(echo "$p50 / ${first_series[$which]}" | bc -l)" "$(rss_mib "$server_pid")" >>"$report"
    idle_p99[$which]=$(echo "$q" | value query_p99_ms)
    rows=$s_stored
    [ "$which" != retention ] || rows=20000  # it reads the customers
    side_by_side "$which" "$rows" "${which^^}" "$p50"
  done
  side_by_side conversion "$s_stored" "CONVERSION"
  disk_per_row $((${stored:-0} + s_stored + setup_rows + flood_rows))
done
if [ -n "${s_unary_rate:-}" ]; then
  flooded sessions "$(echo "$s_unary_rate / 2" | bc)" dau "${idle_p99[dau]}" "DAU series, flood @ $s_stored"
fi
fi
echo
cat "$report"
reported=1
