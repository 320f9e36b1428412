#!/usr/bin/env bash
# The API conformance stage of make test: `make run` on its own port, then
# Schemathesis (PyPI, pinned by requirements-schemathesis.txt, in
# .local/schemathesis-venv) generates requests for every operation of /api
# for SCHEMATHESIS_TIME seconds and checks each answer: no 5xx, a status,
# media type and body that /api declares for it. Path ids point at the demo
# catalog so the operations reach data.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=.local/schemathesis-venv
sha=$(sha256sum requirements-schemathesis.txt | cut -d' ' -f1)
if [[ ! -x $venv/bin/schemathesis || $(cat "$venv/.requirements.sha256" 2>/dev/null) != "$sha" ]]; then
  echo "schemathesis: python venv ($venv) from requirements-schemathesis.txt"
  [[ -x $venv/bin/python ]] || python3 -m venv "$venv"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check -r requirements-schemathesis.txt
  echo "$sha" >"$venv/.requirements.sha256"
fi

port=${TILEFUNC_SCHEMATHESIS_PORT:-18280}
work=$(mktemp -d)
TILEFUNC_PORT=$port bash scripts/run.sh >"$work/run.log" 2>&1 &
run_pid=$!
trap 'kill -TERM $run_pid 2>/dev/null; wait $run_pid 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 300); do grep -q "map (elevation)" "$work/run.log" && break; sleep 0.2; done
search=$(grep -o '/searches/[0-9a-f]\{32\}' "$work/run.log" | head -1 | cut -d/ -f3)
[[ -n $search ]] || { echo "schemathesis: make run printed no search:"; cat "$work/run.log"; exit 1; }

cat >"$work/schemathesis.toml" <<TOML
[parameters]
"path.collection_id" = "demo-rgb"
"path.item_id" = "rgb_east"
"path.search_id" = "$search"
"path.tileMatrixSetId" = "WebMercatorQuad"
"query.assets" = "visual"
TOML
cd "$work"
"$OLDPWD/$venv/bin/schemathesis" run "http://127.0.0.1:$port/api" --url "http://127.0.0.1:$port" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --phases examples,fuzzing --max-examples 20 --max-time "${SCHEMATHESIS_TIME:-120}" \
  --request-timeout 30 --workers 2 --seed 1 --warnings off
