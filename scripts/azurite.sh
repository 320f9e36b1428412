#!/usr/bin/env bash
# Azurite blob emulator for dev/test, state in .local/azurite.
#   azurite.sh start|stop|status   (start is a no-op when already running)
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PORT=${TILEFUNC_AZURITE_PORT:-10000}
BIN=$REPO/node_modules/.bin/azurite-blob
DIR=$REPO/.local/azurite
PIDFILE=$REPO/.local/azurite.pid
LOG=$REPO/.local/azurite.log

pid() { cat "$PIDFILE" 2>/dev/null || true; }

# Running = the recorded pid is alive and is still an azurite process (pid reuse).
running() {
  local p
  p=$(pid)
  [[ -n $p ]] && kill -0 "$p" 2>/dev/null && grep -qa azurite "/proc/$p/cmdline" 2>/dev/null
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }

start() {
  running && return 0
  if [[ ! -x $BIN ]]; then
    echo "azurite: $BIN missing; run scripts/deps.sh" >&2
    exit 1
  fi
  if port_open; then
    echo "azurite: 127.0.0.1:$PORT is already taken by another process" >&2
    exit 1
  fi
  mkdir -p "$DIR"
  rm -f "$PIDFILE"
  # setsid: own session, so a Ctrl-C in the shell/make that started it does not
  # reach it (node installs its own SIGINT handler). The inner bash writes its
  # own pid and execs node, so the pid file is node's pid whatever setsid does.
  # shellcheck disable=SC2016 # $$, $1, $@ are for the inner bash
  nohup setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$PIDFILE" \
    "$BIN" --blobHost 127.0.0.1 --blobPort "$PORT" --location "$DIR" \
    --silent --skipApiVersionCheck --loose >>"$LOG" 2>&1 </dev/null &
  local i
  for ((i = 0; i < 100; i++)); do # ~20 s
    if [[ -s $PIDFILE ]] && ! running; then break; fi # it died
    port_open && running && return 0
    sleep 0.2
  done
  echo "azurite: did not come up on 127.0.0.1:$PORT; tail of $LOG:" >&2
  tail -n 20 "$LOG" >&2
  stop
  exit 1
}

stop() {
  if running; then
    local p i off
    p=$(pid)
    off=$(stat -c %s "$LOG" 2>/dev/null || echo 0)
    kill "$p"
    # Once it has served a request, azurite logs "successfully closed" on
    # SIGTERM (its blob DB is then saved) but the node process lingers for
    # minutes: wait for exit or that line, at most ~10 s, then SIGKILL.
    for ((i = 0; i < 50; i++)); do
      kill -0 "$p" 2>/dev/null || break
      tail -c "+$((off + 1))" "$LOG" 2>/dev/null | grep -q 'successfully closed' && break
      sleep 0.2
    done
    if kill -0 "$p" 2>/dev/null; then kill -9 "$p"; fi
  fi
  rm -f "$PIDFILE"
}

case ${1:-} in
  start) start ;;
  stop) stop ;;
  status) running ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
