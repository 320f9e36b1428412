#!/usr/bin/env bash
# make package: the Functions app folder dist/app and its zip dist/tilefunc.zip,
# which run on a Linux image with no GDAL and an older glibc (see docs/deployment.md).
#   host.json                 defaultExecutablePath "handler"
#   <function>/function.json  from dist/functions (make functions), when present
#   handler                   static launcher (cmd/launch, CGO_ENABLED=0)
#   bin/handler-real          the cgo handler, stripped
#   lib/                      every library it loads (ldd), glibc and its loader
#                             included, one file per SONAME (no symlinks): tilefunc's
#                             own GDAL and PROJ (scripts/gdal.sh, .local/gdal)
#   share/gdal, share/proj    GDAL_DATA, PROJ_DATA of that GDAL (the launcher sets them)
#   certs/azure-postgres-roots.pem  Azure PostgreSQL's root CAs (POSTGRES_SSLROOTCERT)
set -euo pipefail
cd "$(dirname "$0")/.."
# pkg-config and the rpath of tilefunc's GDAL, as make sets them.
eval "$(bash scripts/env.sh)"
gdal_prefix=$(readlink -f .local/gdal) || true
[[ -f $gdal_prefix/.tilefunc-gdal ]] || { echo "package: no tilefunc GDAL in .local/gdal: run make deps (scripts/gdal.sh)" >&2; exit 1; }

app=dist/app
zip=dist/tilefunc.zip
loader=ld-linux-x86-64.so.2
rm -rf "$app" "$zip"
mkdir -p "$app/bin" "$app/lib" "$app/share/proj" "$app/certs"

# --- host.json and the function folders ------------------------------------
if grep -q '^functions:' Makefile; then make -s functions; fi
cp host.json "$app/"
functions=0
for d in dist/functions/*/; do
  [[ -f $d/function.json ]] || continue
  cp -r "${d%/}" "$app/"
  functions=$((functions + 1))
done
((functions)) || echo "package: no dist/functions/*/function.json yet: the zip has no function folders"

# --- binaries ----------------------------------------------------------------
version=$(git describe --always --dirty 2>/dev/null || echo dev)
CGO_ENABLED=1 go build -trimpath -ldflags "-s -w -X main.version=$version" -o "$app/bin/handler-real" ./cmd/handler
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$app/handler" ./cmd/launch

# --- libraries: what the build machine's loader resolves for the binary ------
# Lines: "libgdal.so.32 => /lib/x86_64-linux-gnu/libgdal.so.32 (0x...)",
# "/lib64/ld-linux-x86-64.so.2 (0x...)", "linux-vdso.so.1 (0x...)" (kernel).
deps=$(ldd "$app/bin/handler-real")
if grep -q 'not found' <<<"$deps"; then
  echo "package: unresolved libraries:" >&2
  grep 'not found' <<<"$deps" >&2
  exit 1
fi
while read -r name arrow path _; do
  case $name in linux-vdso.so.*) continue ;; esac
  if [[ $arrow == "=>" ]]; then src=$path; dst=$name; else src=$name; dst=${name##*/}; fi
  install -m 0644 "$(readlink -f "$src")" "$app/lib/$dst"
done <<<"$deps"
[[ -f $app/lib/$loader ]] || { echo "package: ldd listed no $loader" >&2; exit 1; }
libgdal=$(awk '$1 ~ /^libgdal\.so/ {print $3}' <<<"$deps")
[[ $(readlink -f "$libgdal") == "$gdal_prefix"/lib/* ]] || { echo "package: the handler links $libgdal, not tilefunc's GDAL in $gdal_prefix" >&2; exit 1; }
# Debian's libraries are stripped already; this only guards other build roots.
find "$app/lib" -type f ! -name "$loader" -exec strip --strip-unneeded {} +
chmod 0755 "$app/lib/$loader" "$app/bin/handler-real" "$app/handler"

# --- GDAL and PROJ data --------------------------------------------------------
# GDAL >= 3 takes its EPSG definitions from PROJ's proj.db (gcs.csv is gone).
# PROJ's grid files (.tif/.gsb/.gtx/.byn) are left out: only datum shifts between
# some national systems use them, and without them PROJ falls back to a
# Helmert (or ballpark) transformation.
gdal_data=$gdal_prefix/share/gdal
proj_data=$(readlink -f "$gdal_prefix/share/proj")
cp -r "$gdal_data" "$app/share/gdal"
find "$proj_data/" -maxdepth 1 -type f ! -name '*.tif' ! -name '*.gsb' ! -name '*.gtx' ! -name '*.byn' \
  -exec cp {} "$app/share/proj/" \;
for f in share/proj/proj.db share/gdal/gdalvrt.xsd; do
  [[ -f $app/$f ]] || { echo "package: $app/$f missing" >&2; exit 1; }
done

# --- CA roots of Azure Database for PostgreSQL ---------------------------------
# The Bicep sets POSTGRES_SSLMODE=verify-full with this bundle. Azure's TLS page
# for flexible server names DigiCert Global Root G2 and Microsoft RSA Root CA
# 2017; DigiCert Global Root CA signed the chains before them. Debian's
# ca-certificates has all three.
roots=/usr/share/ca-certificates/mozilla
for ca in DigiCert_Global_Root_G2 Microsoft_RSA_Root_Certificate_Authority_2017 DigiCert_Global_Root_CA; do
  [[ -f $roots/$ca.crt ]] || { echo "package: $roots/$ca.crt missing (apt-get install ca-certificates)" >&2; exit 1; }
  cat "$roots/$ca.crt"
done >"$app/certs/azure-postgres-roots.pem"

# --- zip -------------------------------------------------------------------------
# Unix modes in the zip (the launcher and the loader executable), fixed times so
# that the same tree gives the same zip, directories listed.
python3 - "$app" "$zip" <<'PY'
import os, stat, sys, zipfile
app, out = sys.argv[1], sys.argv[2]
def info(name, mode):
    zi = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
    zi.create_system = 3  # Unix: external_attr holds the mode
    zi.external_attr = mode << 16
    return zi
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    for dirpath, dirnames, filenames in os.walk(app):
        dirnames.sort()
        rel = os.path.relpath(dirpath, app)
        if rel != ".":
            zi = info(rel + "/", stat.S_IFDIR | 0o755)
            zi.external_attr |= 0x10  # MS-DOS directory bit
            z.writestr(zi, b"")
        for f in sorted(filenames):
            p = os.path.join(dirpath, f)
            zi = info(os.path.relpath(p, app), stat.S_IFREG | (os.stat(p).st_mode & 0o777))
            zi.compress_type = zipfile.ZIP_DEFLATED
            with open(p, "rb") as src, z.open(zi, "w") as dst:
                while chunk := src.read(1 << 20):
                    dst.write(chunk)
PY

libs=$(find "$app/lib" -type f | wc -l)
printf 'package: %s  %s zipped (%s unpacked: lib/ %s in %d files, bin/handler-real %s, share/ %s), %d function folders, version %s\n' \
  "$zip" "$(du -h --apparent-size "$zip" | cut -f1)" "$(du -sh --apparent-size "$app" | cut -f1)" \
  "$(du -sh --apparent-size "$app/lib" | cut -f1)" "$libs" "$(du -h --apparent-size "$app/bin/handler-real" | cut -f1)" \
  "$(du -sh --apparent-size "$app/share" | cut -f1)" "$functions" "$version"
