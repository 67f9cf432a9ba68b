#!/usr/bin/env bash
# The run command: installs what is missing, builds a release build and the
# web clients, and starts mittarid on 127.0.0.1:50051 with its embedded
# RocksDB under ./data, and the gateway with the dashboard on
# http://127.0.0.1:8080.
# On the first start the server creates the default workspace (UTC, EUR)
# and its keys; this script then loads the demo workspace into it
# (scripts/load_demo.sh: a year of data up to today with a story, targets,
# alert rules and alerts, in Europe/Helsinki) and prints the admin and
# operator keys, once. Extra arguments go to mittarid.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DMITTARI_BUILD_TESTS=OFF >/dev/null
cmake --build build -j "$(nproc)" --target mittarid mittari
npm --prefix clients/web run --silent build >/dev/null

listen=${MITTARI_LISTEN:-127.0.0.1:50051}
data=${MITTARI_DATA_DIR:-./data}
first_start=0
[ -d "$data/rocksdb" ] || first_start=1
keys=$(mktemp -d)
trap 'rm -rf "$keys"' EXIT

build/service/mittarid --listen="$listen" --data_dir="$data" \
  --admin_key_file="$keys/admin" --operator_key_file="$keys/operator" "$@" &
server=$!
gateway_listen=${MITTARI_GATEWAY_LISTEN:-127.0.0.1:8080}
node clients/web/dist/gateway/main.js --listen="$gateway_listen" \
  --upstream="$listen" --static=clients/web/dashboard/dist &
gateway=$!
trap 'kill -TERM $gateway $server 2>/dev/null; wait $server; exit $?' INT TERM

if [ "$first_start" = 1 ]; then
  for _ in $(seq 100); do [ -s "$keys/operator" ] && break; sleep 0.1; done
  admin=$(cat "$keys/admin")
  operator=$(cat "$keys/operator")
  rm -f "$keys/admin" "$keys/operator"
  export MITTARI_ADDR=$listen MITTARI_KEY=$admin
  scripts/load_demo.sh
  echo "Admin key of workspace 'default' (shown once): $admin"
  echo "Operator key (shown once): $operator"
fi
echo "Dashboard: http://$gateway_listen/ (paste a read or admin key)"
wait $server
