#!/usr/bin/env bash
# scripts/smoke.sh URL [KEY] [FLAGS...]: after a rollout, check the deployed app
# at URL with `handler smoke` (docs/deployment.md, "After the rollout"): /healthz,
# a search registered with the function key KEY, a tile of it, its WMTS
# document. FLAGS go to handler smoke (-collection ID, -assets NAME, -params Q,
# -timeout D). The handler is bin/handler (make build), or $TILEFUNC_HANDLER.
set -euo pipefail
cd "$(dirname "$0")/.."
(($# >= 1)) || { echo "usage: scripts/smoke.sh URL [KEY] [handler smoke flags...]" >&2; exit 2; }
url=$1
shift
key=()
if (($# >= 1)) && [[ $1 != -* ]]; then
  key=(-key "$1")
  shift
fi
handler=${TILEFUNC_HANDLER:-bin/handler}
[[ -x $handler ]] || { echo "smoke: no $handler: run make build (or set TILEFUNC_HANDLER)" >&2; exit 2; }
exec "$handler" smoke "${key[@]}" "$@" "$url"
