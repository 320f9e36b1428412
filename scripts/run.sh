#!/usr/bin/env bash
# make run: start the services, load the demo catalog, start the handler and
# print the URLs to open. Ctrl-C stops the handler and the services this run
# started.
set -euo pipefail
cd "$(dirname "$0")/.."

started=()
bash scripts/pg.sh status >/dev/null 2>&1 || started+=(pg)
bash scripts/azurite.sh status >/dev/null 2>&1 || started+=(azurite)
bash scripts/services.sh up
eval "$(bash scripts/env.sh)"

port=${TILEFUNC_PORT:-8080}
handler_pid=
cleanup() {
  trap - INT TERM EXIT
  [ -n "$handler_pid" ] && kill "$handler_pid" 2>/dev/null && wait "$handler_pid" 2>/dev/null
  for s in "${started[@]}"; do bash "scripts/$s.sh" stop >/dev/null 2>&1 || true; done
  echo "stopped"
}
trap cleanup INT TERM EXIT

echo "loading the demo catalog (COGs in .local/demo, uploaded to Azurite)..."
searches=$(go run ./cmd/demo -dir .local/demo -hrefs blob)
rgb=$(awk '$1=="demo-rgb"{print $2}' <<<"$searches")
elev=$(awk '$1=="demo-elevation"{print $2}' <<<"$searches")

TILEFUNC_ADDR=127.0.0.1:$port TILEFUNC_LOCAL_ASSET_DIRS="$PWD/.local/demo" bin/handler &
handler_pid=$!
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/" >/dev/null && break; sleep 0.1; done

base=http://127.0.0.1:$port
cat <<MSG

tilefunc is running on $base (Ctrl-C stops it)
  health:    $base/healthz
  tilejson:  $base/searches/$rgb/WebMercatorQuad/tilejson.json?assets=visual
  map (RGB): $base/searches/$rgb/WebMercatorQuad/map.html?assets=visual
  map (elevation): $base/searches/$elev/WebMercatorQuad/map.html?assets=elevation&rescale=0,3000
MSG
wait "$handler_pid"
