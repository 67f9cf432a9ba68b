#!/usr/bin/env bash
# Bulk history, Mittari against PostgreSQL, in one run:
#   bench/import.sh [--rows 1000000] [--rounds 3] [--build build-bench]
# Makes a responses CSV of --rows rows (the reference data's surveys and
# customers, times spread over a year), then, --rounds times, alternating:
#   - `mittari import responses FILE` into a new mittarid (rollups
#     included, durable when the command returns);
#   - PostgreSQL 15's `\copy` of the same file into a table with a primary
#     key and one index (survey, time), in a new cluster on loopback (when
#     PostgreSQL is installed; it runs as the `postgres` user when this
#     script runs as root).
# Prints rows/s of each round, the medians, and their ratio. Expects the
# release build of bench/run.sh (mittarid and mittari) in --build.
set -euo pipefail
cd "$(dirname "$0")/.."

rows=1000000
rounds=3
build=build-bench
while [ $# -gt 0 ]; do
  case "$1" in
    --rows) rows=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    *) echo "usage: bench/import.sh [--rows N] [--rounds R] [--build DIR]" >&2; exit 2 ;;
  esac
done

golden=../shared/golden
work=$(mktemp -d)
chmod 755 "$work"
pids=()
source bench/pg.sh
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  pg_stop
  rm -rf "$work"
}
trap cleanup EXIT

python3 - "$rows" "$work/responses.csv" "$golden" <<'EOF'
import csv, datetime, random, sys
n, out, golden = int(sys.argv[1]), sys.argv[2], sys.argv[3]
surveys = [(s["id"], s["kind"]) for s in csv.DictReader(open(f"{golden}/surveys.csv"))
           if s["kind"] in ("nps", "csat", "ces")]
customers = [c["id"] for c in csv.DictReader(open(f"{golden}/customers.csv"))]
scale = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}
channels, touchpoints = ["web", "email", "app", "sms"], ["checkout", "support", "onboarding", "delivery"]
rng = random.Random(1)
start = datetime.datetime(2025, 6, 1, tzinfo=datetime.timezone.utc).timestamp()
with open(out, "w") as f:
    f.write("id,survey_id,customer_id,submitted_at,score,channel,touchpoint,comment,tags,event_id\n")
    block = []
    for i in range(n):
        sid, kind = surveys[rng.randrange(len(surveys))]
        t = datetime.datetime.fromtimestamp(int(start + rng.random() * 360 * 86400),
                                            datetime.timezone.utc)
        block.append(f"b{i:09d},{sid},{customers[rng.randrange(len(customers))]},"
                     f"{t:%Y-%m-%dT%H:%M:%SZ},{rng.randint(*scale[kind])},"
                     f"{channels[i % 4]},{touchpoints[(i // 4) % 4]},,,\n")
        if len(block) == 100000:
            f.writelines(block)
            block = []
    f.writelines(block)
EOF
chmod 644 "$work/responses.csv"
echo "file: $rows responses, $(du -m "$work/responses.csv" | cut -f1) MiB"

mittari_round() {
  local dir="$work/m$1"
  "$build/service/mittarid" --listen=127.0.0.1:0 --metrics_listen= --data_dir="$dir" \
    --admin_key_file="$dir.key" --operator_key_file="$dir.op" \
    --rate_limit_calls_per_key=0 --rate_limit_calls_per_workspace=0 \
    --rate_limit_rows_per_workspace=0 >"$dir.log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  local port=""
  for _ in $(seq 300); do
    port=$(grep -oE '127\.0\.0\.1:[0-9]+' "$dir.log" | head -1 | cut -d: -f2 || true)
    [ -n "$port" ] && break
    sleep 0.1
  done
  export MITTARI_ADDR="127.0.0.1:$port" MITTARI_KEY
  MITTARI_KEY=$(cat "$dir.key")
  "$build/clients/cli/mittari" import customers "$golden/customers.csv" >/dev/null
  "$build/clients/cli/mittari" import surveys "$golden/surveys.csv" >/dev/null
  local t0 t1
  t0=$(date +%s.%N)
  "$build/clients/cli/mittari" import responses "$work/responses.csv" >"$dir.out"
  t1=$(date +%s.%N)
  grep -q "stored *$rows" "$dir.out" || { cat "$dir.out" >&2; exit 1; }
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -rf "$dir"
  python3 -c "print(int($rows / ($t1 - $t0)))"
}

pg_round() {
  local sql="$work/load.sql"
  cat >"$sql" <<EOF
DROP TABLE IF EXISTS responses;
CREATE TABLE responses (
  id text PRIMARY KEY, survey_id text NOT NULL, customer_id text,
  submitted_at timestamptz NOT NULL, score int, channel text,
  touchpoint text, comment text, tags text, event_id text);
CREATE INDEX responses_by_survey_time ON responses (survey_id, submitted_at);
\\timing on
\\copy responses FROM '$work/responses.csv' WITH (FORMAT csv, HEADER true)
EOF
  local ms
  ms=$(pg_sql -f "$sql" |
    grep -oE 'Time: [0-9.]+' | tail -1 | awk '{print $2}')
  python3 -c "print(int($rows / ($ms / 1000.0)))"
}

pg_start "$work/pg" || true

m_runs=() p_runs=()
for round in $(seq "$rounds"); do
  m=$(mittari_round "$round")
  m_runs+=("$m")
  line="round $round: mittari import $m rows/s"
  if [ -n "$pgbin" ]; then
    p=$(pg_round)
    p_runs+=("$p")
    line="$line, PostgreSQL \\copy $p rows/s"
  fi
  echo "$line"
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
m_med=$(median "${m_runs[@]}")
echo "mittari_import_rows_per_s $m_med (min $(printf '%s\n' "${m_runs[@]}" | sort -g | head -1), max $(printf '%s\n' "${m_runs[@]}" | sort -g | tail -1))"
if [ -n "$pgbin" ]; then
  p_med=$(median "${p_runs[@]}")
  echo "postgres_copy_rows_per_s $p_med (min $(printf '%s\n' "${p_runs[@]}" | sort -g | head -1), max $(printf '%s\n' "${p_runs[@]}" | sort -g | tail -1))"
  python3 -c "print('import_vs_copy %.2f' % ($m_med / $p_med))"
fi
