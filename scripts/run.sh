#!/usr/bin/env bash
# The run command: installs what is missing, builds a release build and the
# web clients, and starts mittarid on 127.0.0.1:50051 with its embedded
# RocksDB under ./data, and the gateway with the dashboard on
# http://127.0.0.1:8080.
# On the first start the server creates the default workspace (UTC, EUR)
# and its keys; this script then loads the demo data set (tests/golden:
# customers, surveys, events with their costs, revenue and registrations,
# responses, purchases, sessions and tickets in Europe/Helsinki) into it and prints
# the admin and operator keys, once. Extra arguments go to mittarid.
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
  build/clients/cli/mittari workspace update --display-name "Demo" \
    --time-zone Europe/Helsinki --currency EUR >/dev/null
  for kind in customers surveys events event_costs event_revenues \
      registrations responses purchases sessions tickets; do
    build/clients/cli/mittari import "$kind" "tests/golden/$kind.csv" \
      --output json | tr -d '\n' | sed 's/  */ /g'
    echo
  done
  echo "Demo data loaded into workspace 'default' (Europe/Helsinki, EUR)."
  echo "Admin key of workspace 'default' (shown once): $admin"
  echo "Operator key (shown once): $operator"
fi
echo "Dashboard: http://$gateway_listen/?from=2025-07-01&to=2026-07-01&granularity=month (paste a read or admin key)"
wait $server
