#!/usr/bin/env bash
# Proves `make run` end to end: start it, open each map URL it prints in
# headless Chromium, and check the page loaded demo tiles. Used by make test.
set -euo pipefail
cd "$(dirname "$0")/.."

port=${TILEFUNC_VERIFY_PORT:-18080}
log=$(mktemp)
# No basemap: the check stays off the internet (the page works without one).
TILEFUNC_PORT=$port TILEFUNC_VIEWER_BASEMAP=off bash scripts/run.sh >"$log" 2>&1 &
run_pid=$!
trap 'kill -TERM $run_pid 2>/dev/null; wait $run_pid 2>/dev/null || true; rm -f "$log"' EXIT

for _ in $(seq 300); do grep -q "map (elevation)" "$log" && break; sleep 0.2; done
grep -q "map (elevation)" "$log" || { echo "make run printed no map URL:"; cat "$log"; exit 1; }

status=0
while read -r url; do
  loaded=$(bash scripts/screenshot.sh --dump-dom "$url" | grep -o 'data-tiles-loaded="[0-9]*"' | grep -o '[0-9]*' || echo 0)
  if [ "${loaded:-0}" -ge 4 ]; then
    echo "make run: map shows $loaded tiles: $url"
  else
    echo "make run: map shows ${loaded:-no} tiles (want 4 or more): $url"
    status=1
  fi
done < <(grep -o 'http://[^ ]*map.html[^ ]*' "$log")
exit $status
