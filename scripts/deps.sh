#!/usr/bin/env bash
# Installs what building, running and testing Mittari needs on Debian 12:
# Debian packages (only the missing ones: Chromium for the browser tests,
# grpcio for the Python client among them) and the pinned npm packages
# (buf, for lint and for calling the server by reflection; clients/web's
# stub generator, gateway, dashboard build and browser driver); with
# MITTARI_BENCH_DEPS=1 also the benchmark's baselines (RocksDB's db_bench,
# PostgreSQL 15).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake ninja-build pkg-config
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  grpc-proto libabsl-dev librocksdb-dev libssl-dev nlohmann-json3-dev
  libjemalloc-dev prometheus-cpp-dev libspdlog-dev libcurl4-openssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  tzdata python3 ca-certificates openssl bc
  clang-14 libclang-rt-14-dev clang-format
  chromium python3-grpcio python3-protobuf
)
# The benchmark's baselines (bench/run.sh, bench/import.sh).
if [ "${MITTARI_BENCH_DEPS:-0}" = 1 ]; then
  packages+=(rocksdb-tools postgresql-15)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
    --no-install-recommends "${missing[@]}"
fi

if [ "${MITTARI_SKIP_NPM:-0}" != 1 ]; then
  if ! command -v npm >/dev/null; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq nodejs npm
  fi
  # The web clients' build (Vite 7, protoc-gen-es 2.12) needs Node.js 20 or
  # newer; Debian 12's own nodejs is 18: say so rather than fail later.
  if ! node -e 'process.exit(+process.versions.node.split(".")[0] < 20 ? 1 : 0)'; then
    echo "deps.sh: Node.js $(node --version) is too old; the web clients need 20 or newer" >&2
    exit 1
  fi
  # Versions are pinned in package.json; no lock file is kept.
  if [ ! -x node_modules/.bin/buf ]; then
    npm install --no-audit --no-fund --no-package-lock --loglevel=error
  fi
  # The web clients: stubs generator, gateway, dashboard, browser driver.
  if [ ! -x clients/web/node_modules/.bin/vite ]; then
    npm --prefix clients/web install --no-audit --no-fund --no-package-lock \
      --loglevel=error
  fi
fi
