#!/usr/bin/env bash
# make verify-package: run the packaged app (dist/tilefunc.zip) in a bare Debian
# root file system that has no GDAL and no PostgreSQL libraries, from a Debian
# release older than the build machine where the mirror serves one (bullseye,
# glibc 2.31), and fetch /healthz and a real tile from the local database; then
# `bin/handler smoke` checks the running package from outside the root, as an
# operator checks a deployment (docs/deployment.md, "After the rollout").
#
# As the Functions host would: the zip is extracted without its modes and only
# `handler` (defaultExecutablePath) is made executable; the app is started with
# nothing but FUNCTIONS_CUSTOMHANDLER_PORT and the app settings in its
# environment. Twice: /app writable, then /app mounted read-only (the launcher
# cannot chmod the loader there and runs it from a memfd). Last, the cold
# start: exec of the launcher to the first 200 tile, in managed-identity mode
# with the token from a local endpoint, median of 5 (internal/packagecold).
#
# Needs root (debootstrap, chroot, mount in a private mount namespace), the
# services (make services) and dist/tilefunc.zip (make package). The root is
# cached in .local/rootfs-<suite>; delete it to build it again.
#   TILEFUNC_ROOTFS_SUITE   Debian suite (default: bullseye if the mirror has it, else bookworm)
#   TILEFUNC_DEBIAN_MIRROR  (default http://deb.debian.org/debian)
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
t0=$(date +%s.%N)
say() { echo "verify-package: $*"; }
fail() { echo "verify-package: FAIL: $*" >&2; exit 1; }
since() { awk -v now="$(date +%s.%N)" -v t="$1" 'BEGIN { printf "%.1f s", now - t }'; }

zip=dist/tilefunc.zip
[[ -f $zip ]] || fail "no $zip: run make package"
[[ $(id -u) == 0 ]] || fail "needs root (debootstrap, chroot, mount)"
eval "$(bash scripts/env.sh)"
PGBIN=${TILEFUNC_PG_BIN:-/usr/lib/postgresql/15/bin}

apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  { apt-get update -qq && apt-get install -y -qq "$@"; } >.local/apt-verify-package.log 2>&1 ||
    { cat .local/apt-verify-package.log >&2; fail "apt-get install $*"; }
}
need=()
command -v debootstrap >/dev/null || need+=(debootstrap)
command -v unshare >/dev/null || need+=(util-linux)
((${#need[@]} == 0)) || { echo "verify-package: apt-get install ${need[*]}"; apt_install "${need[@]}"; }

# The package's budget with tilefunc's own GDAL (scripts/gdal.sh): at most
# 25 MB zipped and 30 shared libraries (Debian's GDAL made it 72 MB and 113).
zip_bytes=$(stat -c %s "$zip")
zip_libs=$(python3 -c 'import sys, zipfile; print(sum(1 for n in zipfile.ZipFile(sys.argv[1]).namelist() if n.startswith("lib/") and not n.endswith("/")))' "$zip")
say "zip $zip: $(du -h --apparent-size "$zip" | cut -f1) ($zip_bytes bytes, $(python3 -c 'import sys, zipfile; print(len(zipfile.ZipFile(sys.argv[1]).infolist()))' "$zip") entries, $zip_libs libraries in lib/)"
((zip_bytes <= 25 * 1000 * 1000)) || fail "the zip is $zip_bytes bytes, over 25 MB: is the handler linked with tilefunc's GDAL (.local/gdal)?"
((zip_libs <= 30)) || fail "the zip has $zip_libs libraries, over 30: is the handler linked with tilefunc's GDAL (.local/gdal)?"

# --- the root file system ------------------------------------------------------
mirror=${TILEFUNC_DEBIAN_MIRROR:-http://deb.debian.org/debian}
suite=${TILEFUNC_ROOTFS_SUITE:-}
if [[ -z $suite ]]; then
  if curl -fsI --max-time 20 "$mirror/dists/bullseye/Release" >/dev/null; then
    suite=bullseye
  else
    suite=bookworm
    say "the mirror $mirror does not serve bullseye: using bookworm (the build machine's release)"
  fi
fi
root=$REPO/.local/rootfs-$suite
mounted() { grep -q " ${root}[/ ]" /proc/self/mountinfo; }
mounted && fail "something is mounted under $root (a stale run?): umount it first"
if [[ -f $root/.tilefunc-rootfs ]]; then
  say "root $root: cached ($(cat "$root/.tilefunc-rootfs"))"
else
  ts=$(date +%s.%N)
  rm -rf "$root"
  mkdir -p .local
  say "debootstrap --variant=minbase $suite $root $mirror ..."
  debootstrap --variant=minbase "$suite" "$root" "$mirror" >".local/debootstrap-$suite.log" 2>&1 ||
    { tail -n 30 ".local/debootstrap-$suite.log" >&2; fail "debootstrap (log: .local/debootstrap-$suite.log)"; }
  echo "debootstrap --variant=minbase $suite, made $(date -u +%FT%TZ)" >"$root/.tilefunc-rootfs"
  say "root $root: made in $(since "$ts")"
fi
in_root() { chroot "$root" "$@"; }
# shellcheck disable=SC2016 # $PRETTY_NAME is the root's
pretty=$(in_root sh -c '. /etc/os-release; echo "$PRETTY_NAME"')
root_glibc=$(in_root getconf GNU_LIBC_VERSION)
say "root: $pretty, $root_glibc (build machine: $(getconf GNU_LIBC_VERSION))"
count() { in_root find /lib /usr/lib -name "$1" | wc -l; }
gdal=$(count '*gdal*') libpq=$(count 'libpq*') libproj=$(count 'libproj*')
# shellcheck disable=SC2016 # a dpkg-query format
pkgs=$(in_root dpkg-query -W -f '${Package}\n' | grep -cE 'gdal|libpq|proj' || true)
say "root has no GDAL, PROJ nor PostgreSQL client library: $gdal *gdal*, $libproj libproj*, $libpq libpq* files under /lib and /usr/lib; $pkgs gdal/proj/libpq packages of $(in_root dpkg-query -W | wc -l) installed"
((gdal == 0 && libpq == 0 && libproj == 0 && pkgs == 0)) || fail "the root has GDAL, PROJ or libpq installed"

# --- the app, as the host lays it out ----------------------------------------
rm -rf "$root/app"
python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$zip" "$root/app" # no modes kept
chmod 0755 "$root/app/handler"
execs=$(find "$root/app" -type f -perm /111 | wc -l)
say "zip extracted into $root/app without its modes; only /app/handler is executable ($execs executable files), as the Functions host leaves it"
err=$(in_root /lib64/ld-linux-x86-64.so.2 /app/bin/handler-real 2>&1 | head -n1 || true)
say "without the package's loader and lib/, the binary does not start in this root: $err"

# --- data: a database of its own, demo COGs at the same path inside the root ----
db=tilefunc_verify_package
dburl=${DATABASE_URL/\/tilefunc\?//$db?}
[[ $dburl != "$DATABASE_URL" ]] || fail "unexpected DATABASE_URL form"
PGOPTIONS='-c client_min_messages=warning' "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 "$TILEFUNC_TEST_ADMIN_URL" \
  -c "drop database if exists $db with (force)" -c "create database $db template $TILEFUNC_TEST_TEMPLATE_DB" >/dev/null
demo=$REPO/.local/verify-package/demo
searches=$(DATABASE_URL=$dburl go run ./cmd/demo -dir "$demo" -hrefs local)
rgb=$(awk '$1=="demo-rgb"{print $2}' <<<"$searches")
elev=$(awk '$1=="demo-elevation"{print $2}' <<<"$searches")
[[ -n $rgb && -n $elev ]] || fail "cmd/demo printed no search ids: $searches"
mkdir -p "$root$demo"
cp "$demo"/*.tif "$root$demo/"
say "demo catalog in database $db (searches demo-rgb $rgb, demo-elevation $elev), COGs at $demo inside the root"

# --- run ---------------------------------------------------------------------------
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base=http://127.0.0.1:$port
work=$REPO/.local/verify-package
runner_pid=
handler_pid=
stop_handler() {
  if [[ -n $handler_pid ]]; then
    kill -TERM "$handler_pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$handler_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$handler_pid" 2>/dev/null || true
  fi
  if [[ -n $runner_pid ]]; then wait "$runner_pid" 2>/dev/null || true; fi
  runner_pid='' handler_pid=''
}
trap stop_handler EXIT

# check_png FILE: a PNG with opaque pixels of more than one colour.
check_png() {
  python3 - "$1" <<'PY'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
if data[:8] != b"\x89PNG\r\n\x1a\n":
    sys.exit("not a PNG: %r" % data[:40])
pos, idat, plte, trns = 8, b"", None, None
while pos < len(data):
    n, typ = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    pos += 12 + n
    if typ == b"IHDR":
        w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
    elif typ == b"PLTE":
        plte = body
    elif typ == b"tRNS":
        trns = body
    elif typ == b"IDAT":
        idat += body
if depth != 8 or interlace:
    sys.exit("unexpected PNG: depth %d interlace %d" % (depth, interlace))
ch = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[ctype]
raw, stride, prev, px = zlib.decompress(idat), w * ch, bytearray(w * ch), []
for y in range(h):
    f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):
        a = line[i - ch] if i >= ch else 0
        b, c = prev[i], (prev[i - ch] if i >= ch else 0)
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    px += [bytes(line[x * ch:(x + 1) * ch]) for x in range(w)]
    prev = line
def opaque(p):
    if ctype in (4, 6): return p[-1] > 0
    if ctype == 3 and trns is not None and p[0] < len(trns): return trns[p[0]] > 0
    return True
solid = [p for p in px if opaque(p)]
colours = len(set(solid))
print("%dx%d PNG (colour type %d), %d of %d pixels opaque, %d colours" % (w, h, ctype, len(solid), w * h, colours))
if not solid or colours < 2:
    sys.exit("the tile is empty or flat")
PY
}

# start_app MODE [NAME=VALUE...]: start the packaged app in the root as the host
# would, with only the port, the app settings and these in its environment;
# MODE ro mounts /app read-only.
start_app() {
  local mode=$1 log=$work/handler-$1.log pidfile=$work/handler-$1.pid ts
  shift
  rm -f "$pidfile"
  # The host sets the execute bit on defaultExecutablePath only: take back
  # what the previous run's launcher added.
  chmod 0644 "$root/app/lib/ld-linux-x86-64.so.2"
  ts=$(date +%s.%N)
  # shellcheck disable=SC2016 # the inner script's own variables
  unshare --mount --propagation private --fork -- bash -c '
    set -e
    root=$1 mode=$2 pidfile=$3
    shift 3
    mount -t proc proc "$root/proc"
    if [[ $mode == ro ]]; then
      mount --bind "$root/app" "$root/app"
      mount -o remount,bind,ro "$root/app"
    fi
    echo $$ >"$pidfile"
    exec chroot "$root" /usr/bin/env -i "$@" /app/handler
  ' _ "$root" "$mode" "$pidfile" \
    "FUNCTIONS_CUSTOMHANDLER_PORT=$port" "DATABASE_URL=$dburl" "TILEFUNC_LOCAL_ASSET_DIRS=$demo" "$@" \
    >"$log" 2>&1 &
  runner_pid=$!
  local up=
  for _ in $(seq 300); do
    if curl -fso /dev/null "$base/"; then up=1; break; fi
    kill -0 "$runner_pid" 2>/dev/null || break
    sleep 0.1
  done
  handler_pid=$(cat "$pidfile" 2>/dev/null || true)
  [[ -n $up ]] || { cat "$log" >&2; fail "$mode: the packaged handler did not answer GET / within 30 s"; }
  say "[$mode] answering GET / $(since "$ts") after the start; its log:"
  sed 's/^/    /' "$log"
  grep -q '"msg":"platform".*"glibc":"2\.' "$log" || fail "$mode: no platform line in the log"
  # tilefunc's GDAL: COG among its drivers, no client driver such as WMTS.
  grep '"msg":"platform"' "$log" | grep '"gdal_drivers":"[^"]*COG' | grep -qv WMTS ||
    fail "$mode: the platform line names no drivers of tilefunc's GDAL"
}

# smoke_app MODE: `handler smoke` of the build machine against the packaged
# app, with the registration key the app was started with; every check must
# pass and the key must not be printed.
smoke_app() {
  local mode=$1 out
  if ! out=$(bin/handler smoke -key "$key" -collection demo-rgb "$base" 2>&1); then
    sed 's/^/    /' <<<"$out" >&2
    fail "$mode: handler smoke failed"
  fi
  say "[$mode] bin/handler smoke -key <key> -collection demo-rgb $base:"
  sed 's/^/    /' <<<"$out"
  ! grep -qF "$key" <<<"$out" || fail "$mode: handler smoke printed the key"
}

# run_app rw|ro: start, fetch /healthz and tiles, check the mapped libraries,
# smoke it, stop.
run_app() {
  local mode=$1 health
  start_app "$mode" "TILEFUNC_REGISTER_KEY=$key"
  health=$(curl -fsS "$base/healthz")
  say "[$mode] /healthz: $health"
  python3 -c 'import json, sys; sys.exit(0 if json.loads(sys.argv[1])["database_online"] is True else 1)' "$health" ||
    fail "$mode: database_online is not true"

  local tile=$work/tile-$mode.png url code png
  url="$base/searches/$rgb/tiles/WebMercatorQuad/6/31/23.png?assets=visual"
  code=$(curl -sS -o "$tile" -w '%{http_code} %{content_type} %{size_download} bytes' "$url")
  say "[$mode] ${url#"$base"}: $code"
  [[ $code == "200 image/png "* ]] || fail "$mode: tile answer $code: $(head -c 300 "$tile")"
  png=$(check_png "$tile") || fail "$mode: bad tile: $png"
  say "[$mode] tile: $png"
  url="$base/searches/$elev/tiles/WebMercatorQuad/6/31/25.png?assets=elevation&rescale=0,3000"
  code=$(curl -sS -o "$tile" -w '%{http_code} %{content_type} %{size_download} bytes' "$url")
  [[ $code == "200 image/png "* ]] || fail "$mode: elevation tile answer $code: $(head -c 300 "$tile")"
  png=$(check_png "$tile") || fail "$mode: bad elevation tile: $png"
  say "[$mode] ${url#"$base"}: $code, $png"

  # Every library the process has mapped comes from the package.
  local maps libs foreign
  maps=$(awk '$6 != "" {print $6}' "/proc/$handler_pid/maps" | sort -u)
  libs=$(grep -E '\.so(\.|$)|^/memfd:' <<<"$maps" || true)
  foreign=$(grep -vE "^$root/app/lib/|^/memfd:ld-linux-x86-64\.so\.2" <<<"$libs" || true)
  say "[$mode] process $handler_pid runs $(readlink "/proc/$handler_pid/exe" | sed "s|^$root||") with $(wc -l <<<"$libs") shared objects mapped, $( [[ -z $foreign ]] && echo "all from /app/lib" || echo "NOT all from /app/lib")"
  [[ -z $foreign ]] || fail "$mode: libraries from outside the package: $foreign"
  smoke_app "$mode"
  stop_handler
}

[[ -x bin/handler ]] || fail "no bin/handler for the smoke check: run make build"
key=$(python3 -c 'import secrets; print("vp-" + secrets.token_hex(16))')

run_app rw
run_app ro
grep -q 'running a copy from memory' "$work/handler-ro.log" || fail "ro: the launcher did not fall back to a memfd copy"

# The bundled data is what the handler uses: with PROJ's settings pointing
# elsewhere, the same tile fails (the root has no proj.db of its own).
start_app noproj PROJ_DATA=/nonexistent PROJ_LIB=/nonexistent
code=$(curl -sS -o /dev/null -w '%{http_code}' "$base/searches/$rgb/tiles/WebMercatorQuad/6/31/23.png?assets=visual")
sleep 0.2
why=$(grep -o 'PROJ: [^\]*' "$work/handler-noproj.log" | head -n1 || true)
stop_handler
say "[noproj] with PROJ_DATA=PROJ_LIB=/nonexistent the same tile answers $code ($why)"
[[ $code == 500 && $why == *"proj.db"* ]] || fail "noproj: the tile did not fail for want of proj.db"
# --- cold start ---------------------------------------------------------------------
# Exec of the launcher in the root to the first 200 tile, in managed-identity
# mode with the token from the local endpoint, 5 runs (internal/packagecold).
# On CPU TILEFUNC_COLD_CPU (default: the last one), alone as far as the
# machine allows.
cold_cpu=${TILEFUNC_COLD_CPU:-$(($(nproc --all) - 1))}
cold=$(go test -v -tags verifypackage -count=1 -run '^TestPackagedColdStart$' ./internal/packagecold -args -root "$root" -db "$dburl" \
  -tile "/searches/$rgb/tiles/WebMercatorQuad/6/31/23.png?assets=visual" -assets "$demo" -runs 5 -cpu "$cold_cpu" 2>&1) ||
  { sed 's/^/    /' <<<"$cold" >&2; fail "cold start"; }
say "$(grep '^cold start:' <<<"$cold")"
say "OK: the packaged handler served /healthz and tiles in $pretty ($root_glibc in the root, the package's own glibc in the process), writable and read-only; $(since "$t0") in all"
