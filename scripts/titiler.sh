#!/usr/bin/env bash
# titiler-pgstac, the server tilefunc must match, for parity tests and
# benchmarks. It is installed from PyPI into its own virtualenv
# (.local/titiler-venv, pinned by requirements-titiler.txt) and serves the
# pgSTAC database at DATABASE_URL on 127.0.0.1 with one uvicorn worker.
#   titiler.sh install  create or update the virtualenv (quick when current)
#   titiler.sh run      install, then run uvicorn in the foreground (exec:
#                       the caller's process is uvicorn; tests use this)
#   titiler.sh start    install, start in the background (pid in
#                       .local/titiler.pid, log in .local/titiler.log),
#                       wait until /healthz answers
#   titiler.sh stop     stop what start started
# Port: TILEFUNC_TITILER_PORT (8091). It reads asset hrefs as given (local
# paths here) and fetches nothing at run time.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=$REPO/.local/titiler-venv
REQ=$REPO/requirements-titiler.txt
PORT=${TILEFUNC_TITILER_PORT:-8091}
PIDFILE=$REPO/.local/titiler.pid
LOG=$REPO/.local/titiler.log

install() {
  local sha
  sha=$(sha256sum "$REQ" | cut -d' ' -f1)
  [[ -x $VENV/bin/uvicorn && $(cat "$VENV/.requirements.sha256" 2>/dev/null) == "$sha" ]] && return
  echo "titiler: python venv ($VENV) from requirements-titiler.txt" >&2
  mkdir -p "$REPO/.local"
  [[ -x $VENV/bin/python ]] || python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r "$REQ" >&2
  echo "$sha" >"$VENV/.requirements.sha256"
}

# settings: titiler-pgstac's own environment, every default spelled out
# where it matters for a comparison, the rest left at titiler's defaults.
settings() {
  if [[ -z ${DATABASE_URL:-} ]]; then
    echo "titiler: DATABASE_URL is not set (eval \"\$(bash scripts/env.sh)\")" >&2
    exit 2
  fi
  # pydantic-settings also reads a .env from the working directory: run
  # where there is none, so a developer's .env cannot change the peer.
  cd "$VENV"
  export DATABASE_URL
  # No OpenTelemetry exporter, no /metrics, no debug timing headers.
  export TITILER_PGSTAC_API_TELEMETRY_ENABLED=false TITILER_PGSTAC_API_METRICS_ENABLED=false
  export TITILER_PGSTAC_API_DEBUG=false
  # PROJ never downloads grids (its default, said out loud: no internet).
  # GDAL is otherwise left as titiler's users run it.
  export PROJ_NETWORK=OFF
}

run() {
  install
  settings
  exec "$VENV/bin/uvicorn" titiler.pgstac.main:app --host 127.0.0.1 --port "$PORT" --workers 1 --no-access-log
}

running() {
  [[ -f $PIDFILE ]] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null
}

start() {
  if running; then
    echo "titiler: already running (pid $(cat "$PIDFILE")); 'scripts/titiler.sh stop' first" >&2
    exit 1
  fi
  install
  mkdir -p "$REPO/.local"
  # setsid: its own process group, so stop ends uvicorn and nothing else.
  setsid bash "$REPO/scripts/titiler.sh" run >"$LOG" 2>&1 </dev/null &
  echo $! >"$PIDFILE"
  local i
  for ((i = 0; i < 300; i++)); do
    if curl -fsS -o /dev/null "http://127.0.0.1:$PORT/healthz" 2>/dev/null; then
      echo "titiler: http://127.0.0.1:$PORT (pid $(cat "$PIDFILE"), log $LOG)"
      return
    fi
    running || break
    sleep 0.2
  done
  echo "titiler: did not answer /healthz on port $PORT; tail of $LOG:" >&2
  tail -n 20 "$LOG" >&2
  stop
  exit 1
}

stop() {
  if running; then
    local pid
    pid=$(cat "$PIDFILE")
    kill -TERM "$pid"
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  fi
  rm -f "$PIDFILE"
}

case ${1:-} in
  install) install ;;
  run) run ;;
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 install|run|start|stop" >&2; exit 2 ;;
esac
