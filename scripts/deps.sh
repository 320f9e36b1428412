#!/usr/bin/env bash
# Idempotent dev/test dependency install; a quick no-op when all is present.
#   gdal:   tilefunc's own GDAL and PROJ (scripts/gdal.sh), linked as .local/gdal
#   apt:    pkg-config, gdal-bin (a GDAL client some tests use, not linked),
#           PostgreSQL 15 + PostGIS 3, chromium
#   python: .local/venv with requirements-dev.txt (pypgstac)
#   npm:    node_modules from package-lock.json (azurite; swagger-ui-dist, which
#           make apidocs copies into handler/apidocs; leaflet, proj4 and
#           proj4leaflet, which make viewer copies into handler/viewer; web-tree-sitter and
#           tree-sitter-bicep for the infra/ Bicep test)
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
mkdir -p .local

# --- apt -------------------------------------------------------------------
# pkg-config is what godal's cgo build uses to find GDAL (.local/gdal's).
# gdal-bin: Debian's gdalinfo, a client of the WMTS document in
# handler/wmts_gdal_test.go, as QGIS would be (tilefunc's GDAL has no WMTS).
# libjpeg62-turbo-dev: tiles/jpeg.go encodes JPEG tiles with libjpeg-turbo.
# libjemalloc-dev: internal/malloc links jemalloc (its static archive) as the process's malloc.
# chromium: the map page's test (handler/viewer_test.go) and scripts/verify-run.sh.
apt_pkgs=(gdal-bin libjpeg62-turbo-dev libjemalloc-dev pkg-config postgresql-15 postgresql-15-postgis-3 postgresql-contrib pgbouncer chromium ca-certificates)
python3 -c 'import venv, ensurepip' 2>/dev/null || apt_pkgs+=(python3 python3-venv)
missing=()
for p in "${apt_pkgs[@]}"; do
  dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null | grep -q '^ii' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "deps: apt-get install ${missing[*]}"
  sudo=(); [[ $(id -u) == 0 ]] || sudo=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  # Output goes to a log shown only on failure (debconf chatter otherwise).
  { "${sudo[@]}" apt-get update -qq && "${sudo[@]}" apt-get install -y -qq "${missing[@]}"; } \
    >.local/apt.log 2>&1 || { cat .local/apt.log >&2; exit 1; }
fi

# --- GDAL ------------------------------------------------------------------
bash scripts/gdal.sh

# --- python venv -----------------------------------------------------------
# Reinstall only when requirements-dev.txt changed: its sha is kept in the venv.
venv=.local/venv
req_sha=$(sha256sum requirements-dev.txt | cut -d' ' -f1)
if [[ ! -x $venv/bin/python || $(cat "$venv/.requirements.sha256" 2>/dev/null) != "$req_sha" ]]; then
  echo "deps: python venv ($venv) from requirements-dev.txt"
  [[ -x $venv/bin/python ]] || python3 -m venv "$venv"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check -r requirements-dev.txt
  echo "$req_sha" >"$venv/.requirements.sha256"
fi

# --- npm -------------------------------------------------------------------
# npm ci writes node_modules/.package-lock.json; it is our "installed" stamp.
if ! command -v npm >/dev/null; then
  echo "deps: npm (Node.js >= 20) is required for azurite and the Bicep test but was not found" >&2
  exit 1
fi
stamp=node_modules/.package-lock.json
if [[ ! -f $stamp || package-lock.json -nt $stamp ]]; then
  echo "deps: npm ci (azurite, tree-sitter-bicep)"
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
  touch "$stamp"
fi
