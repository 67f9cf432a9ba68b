# Helpers the benchmark scripts share (run.sh, alerts.sh). They expect
# $work (a scratch directory), $build, $bench (the load client) and a
# $pids array of processes to stop at exit.

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
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

# Starts mittarid (of build $2, default $build) on a new data directory
# under $work/$1; sets $server_pid, $addr and $key, and creates the
# benchmark's surveys and customers. The rate limits are set out of the
# way: the benchmark is one key flooding.
start_mittarid() {
  start "$work/$1.log" "${2:-$build}/service/mittarid" --listen=127.0.0.1:0 --metrics_listen= \
    --data_dir="$work/$1" --admin_key_file="$work/$1.admin.key" \
    --operator_key_file="$work/$1.operator.key" \
    --rate_limit_calls_per_key=0 --rate_limit_calls_per_workspace=0 \
    --rate_limit_rows_per_workspace=0
  server_pid=${pids[-1]}
  addr="127.0.0.1:$port"
  key=$(cat "$work/$1.admin.key")
  $bench setup --addr "$addr" --key "$key"
}

