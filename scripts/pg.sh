#!/usr/bin/env bash
# Project-private PostgreSQL 15 cluster under .local/pg (dev/test only: fsync off).
#   pg.sh start   init on first use, start (no-op if running), ensure the
#                 pgstac_template (postgis + pgSTAC) and tilefunc databases
#   pg.sh stop    fast shutdown if running
#   pg.sh status  exit 0 when running
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PORT=${TILEFUNC_PG_PORT:-54329}
# Debian's binaries, by full path: /usr/local/bin/pg_ctl on this machine is not PostgreSQL's.
PGBIN=${TILEFUNC_PG_BIN:-/usr/lib/postgresql/15/bin}
BASE=$REPO/.local/pg
DATA=$BASE/data
RUN=$BASE/run
LOG=$BASE/log
TEMPLATE=pgstac_template

# PostgreSQL refuses to run as root: as root, run the server tools as `postgres`.
as_pg() {
  if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# psql over the unix socket (trust auth); -X ignores any ~/.psqlrc.
sql() {
  local db=$1; shift
  "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$RUN" -p "$PORT" -U postgres -d "$db" -tA "$@"
}

# The clone may live in a `mktemp -d` dir (mode 700, root): give `postgres` the
# traverse bit (o+x, nothing more) on each ancestor of .local/pg that lacks it.
ensure_traverse() {
  [[ $(id -u) == 0 ]] || return 0
  runuser -u postgres -- test -x "$BASE" 2>/dev/null && return 0
  # Top-down, so that each test is not failing merely because of a parent.
  local d="" part fixed=() parts
  IFS=/ read -ra parts <<<"${BASE#/}"
  for part in "${parts[@]}"; do
    d=$d/$part
    if ! runuser -u postgres -- test -x "$d" 2>/dev/null; then
      chmod o+x "$d"
      fixed+=("$d")
    fi
  done
  ((${#fixed[@]} == 0)) || echo "pg: added o+x (traverse only) for user postgres on: ${fixed[*]}"
}

running() {
  [[ -f $DATA/postmaster.pid ]] || return 1
  ensure_traverse
  as_pg "$PGBIN/pg_ctl" status -D "$DATA" >/dev/null 2>&1
}

init_cluster() {
  echo "pg: initdb $DATA"
  local pwfile
  pwfile=$(mktemp)
  echo postgres >"$pwfile"
  [[ $(id -u) != 0 ]] || chown postgres "$pwfile"
  as_pg "$PGBIN/initdb" -D "$DATA" -U postgres --pwfile="$pwfile" -E UTF8 --locale=C \
    --auth-local=trust --auth-host=scram-sha-256 >"$BASE/initdb.log" 2>&1 ||
    { rm -f "$pwfile"; cat "$BASE/initdb.log" >&2; exit 1; }
  rm -f "$pwfile"
  # The port is not here: it is passed at each start (TILEFUNC_PG_PORT).
  cat >>"$DATA/postgresql.conf" <<EOF

# --- tilefunc dev/test cluster (scripts/pg.sh) ---
listen_addresses = '127.0.0.1'
unix_socket_directories = '$RUN'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
}

# TLS with a self-signed certificate: managed-identity mode always connects
# with sslmode=require, so the local cluster must speak TLS too.
ensure_tls() {
  grep -q "^ssl = on" "$DATA/postgresql.conf" && return
  openssl req -new -x509 -days 3650 -nodes -subj "/CN=127.0.0.1" \
    -keyout "$DATA/server.key" -out "$DATA/server.crt" >/dev/null 2>&1
  chmod 600 "$DATA/server.key"
  [[ $(id -u) != 0 ]] || chown postgres: "$DATA/server.key" "$DATA/server.crt"
  printf "ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n" >>"$DATA/postgresql.conf"
  if running; then as_pg "$PGBIN/pg_ctl" reload -D "$DATA" >/dev/null; fi
}

ensure_databases() {
  local have
  have=$(sql postgres -c "select 1 from pg_database where datname = '$TEMPLATE'")
  [[ -n $have ]] || sql postgres -c "create database $TEMPLATE"
  if [[ -z $(sql "$TEMPLATE" -c "select 1 from pg_namespace where nspname = 'pgstac'") ]]; then
    echo "pg: installing postgis + pgSTAC into $TEMPLATE"
    sql "$TEMPLATE" -c "create extension if not exists postgis"
    "$REPO/.local/venv/bin/pypgstac" migrate \
      --dsn "postgresql://postgres:postgres@127.0.0.1:$PORT/$TEMPLATE" >/dev/null
  fi
  # CREATE DATABASE ... TEMPLATE fails while anyone is connected to the template:
  # mark it a template and drop any session still on it (ours have all exited).
  sql postgres -c "alter database $TEMPLATE is_template true" \
    -c "select pg_terminate_backend(pid) from pg_stat_activity where datname = '$TEMPLATE'" >/dev/null
  have=$(sql postgres -c "select 1 from pg_database where datname = 'tilefunc'")
  [[ -n $have ]] || sql postgres -c "create database tilefunc template $TEMPLATE"
}

start() {
  if running; then
    local p
    p=$(sed -n 4p "$DATA/postmaster.pid")
    if [[ $p != "$PORT" ]]; then
      echo "pg: already running on port $p, not $PORT; run 'scripts/pg.sh stop' first" >&2
      exit 1
    fi
  else
    # The socket path must fit in sun_path (107 bytes).
    if ((${#RUN} + 18 > 107)); then
      echo "pg: socket path too long ($RUN); clone the repo into a shorter path" >&2
      exit 1
    fi
    mkdir -p "$BASE" "$RUN"
    [[ $(id -u) != 0 ]] || chown postgres: "$BASE" "$RUN"
    ensure_traverse
    [[ -f $DATA/PG_VERSION ]] || init_cluster
    ensure_tls
    if ! as_pg "$PGBIN/pg_ctl" start -D "$DATA" -l "$LOG" -w -t 60 -o "-p $PORT" >/dev/null; then
      echo "pg: failed to start; tail of $LOG:" >&2
      tail -n 20 "$LOG" >&2
      exit 1
    fi
  fi
  local i
  for ((i = 0; i < 100; i++)); do
    "$PGBIN/pg_isready" -q -h "$RUN" -p "$PORT" -U postgres && break
    sleep 0.2
  done
  "$PGBIN/pg_isready" -q -h "$RUN" -p "$PORT" -U postgres || { echo "pg: not ready, see $LOG" >&2; exit 1; }
  ensure_databases
}

stop() {
  if running; then
    as_pg "$PGBIN/pg_ctl" stop -D "$DATA" -m fast -w >/dev/null
  fi
}

case ${1:-} in
  start) start ;;
  stop) stop ;;
  status) running ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
