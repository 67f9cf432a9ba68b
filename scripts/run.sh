#!/usr/bin/env bash
# The run command: installs what is missing, builds a release build, and
# starts mittarid on 127.0.0.1:50051 with its embedded RocksDB under ./data.
# The first start creates the default workspace (UTC, EUR) and prints its
# admin key and the operator key, once. Extra arguments go to mittarid.
set -euo pipefail
cd "$(dirname "$0")/.."

MITTARI_SKIP_NPM=1 scripts/deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DMITTARI_BUILD_TESTS=OFF >/dev/null
cmake --build build -j "$(nproc)" --target mittarid mittari

exec build/service/mittarid --listen="${MITTARI_LISTEN:-127.0.0.1:50051}" \
  --data_dir="${MITTARI_DATA_DIR:-./data}" "$@"
