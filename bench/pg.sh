# PostgreSQL 15 as a benchmark baseline, sourced by bench/run.sh and
# bench/import.sh: a new cluster in a temporary directory, on loopback.
# It runs as the `postgres` user when the caller is root.
#   pg_start DIR   starts a cluster in DIR (sets $pgport); returns 1 when
#                  PostgreSQL is not installed, 2 when it did not start
#   pg_stop        stops it (call from the caller's cleanup)
#   pg_sql ...     psql on the cluster, quiet, without the user's settings
pgbin=""
pgdata=""
for d in /usr/lib/postgresql/15/bin; do [ -x "$d/initdb" ] && pgbin=$d; done

as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

pg_start() {
  [ -n "$pgbin" ] || return 1
  pgdata=$1
  # The server's user must reach the directory (mktemp makes it private).
  chmod 755 "$(dirname "$pgdata")"
  mkdir -p "$pgdata" && chown postgres "$pgdata" 2>/dev/null || true
  as_pg "$pgbin/initdb" -D "$pgdata" -A trust -U postgres >/dev/null || return 2
  pgport=$(python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])")
  as_pg "$pgbin/pg_ctl" -D "$pgdata" -w -o "-c listen_addresses=127.0.0.1 -p $pgport -k $pgdata" \
    -l "$pgdata/log" start >/dev/null || return 2
}

pg_stop() {
  if [ -n "$pgdata" ]; then
    as_pg "$pgbin/pg_ctl" -D "$pgdata" -w stop -m immediate >/dev/null 2>&1 || true
  fi
}

pg_sql() { as_pg psql -h 127.0.0.1 -p "$pgport" -d postgres -X -q "$@"; }
