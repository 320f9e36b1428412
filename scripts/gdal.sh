#!/usr/bin/env bash
# tilefunc's own GDAL and PROJ, built from Debian's source packages with only
# what tilefunc reads and writes, installed into a cache directory outside the
# repository and linked as .local/gdal. Every build, test and the package use
# it (the Makefile points pkg-config and the rpath there); a fresh clone on the
# same machine reuses the cache, an empty cache builds it (about 10 minutes on
# one CPU).
#
#   GDAL 3.6.2 (gdal 3.6.2+dfsg-1): raster drivers GTiff and COG (GTiff's
#     internal libtiff and libgeotiff), MEM, VRT, PNG (internal libpng and
#     zlib), JPEG (libjpeg-turbo), WEBP (libwebp), JP2OpenJPEG (libopenjp2);
#     TIFF codecs deflate (libdeflate), zstd (libzstd), LZW, JPEG, WebP and
#     LERC (internal); the OGR drivers GDAL always builds (OGR's core gives
#     the SRS). No curl, ICU, SQLite, XML, GEOS, HDF, netCDF or poppler.
#   PROJ 9.1.1 (proj 9.1.1-1) without curl and libtiff (Debian's libproj25
#     needs both); SQLite (proj.db) is PROJ's one dependency.
#
# Idempotent, silent when the cache is there. Needs root or sudo the first
# time (a deb-src entry, build tools). TILEFUNC_GDAL_CACHE overrides the
# cache root (default ${XDG_CACHE_HOME:-$HOME/.cache}/tilefunc).
# The compile runs on CPU ${TILEFUNC_BUILD_CPUS:-1} (taskset).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"

gdal_ver=3.6.2+dfsg-1
gdal_dsc_sha=13dc9b253dfd6f37c5b9134ff2327a0d84179a344642d2365f76ce1cfe3a6ed4
proj_ver=9.1.1-1
proj_dsc_sha=f23c3adc6ff6d42fa031be921f1a44e681071c7018909f8d45393974e8cde541
# Debian packages the build needs: the codecs' headers, cmake, sqlite3 (PROJ
# makes proj.db with it), dpkg-source.
build_pkgs=(build-essential cmake pkg-config dpkg-dev sqlite3 libsqlite3-dev libjpeg-dev libwebp-dev
  libopenjp2-7-dev libzstd-dev libdeflate-dev)

common_opts=(-DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF -DCMAKE_INSTALL_LIBDIR=lib)
proj_opts=(-DENABLE_TIFF=OFF -DENABLE_CURL=OFF -DBUILD_APPS=OFF -DBUILD_PROJINFO=ON)
# GDAL_USE_EXTERNAL_LIBS=OFF: no library is used because it happens to be
# installed; the ones named here are. *_INTERNAL: GDAL's own copies, which
# put no shared library into the package.
gdal_opts=(-DGDAL_USE_EXTERNAL_LIBS=OFF -DGDAL_BUILD_OPTIONAL_DRIVERS=OFF -DOGR_BUILD_OPTIONAL_DRIVERS=OFF
  -DGDAL_ENABLE_DRIVER_PNG=ON -DGDAL_ENABLE_DRIVER_JPEG=ON -DGDAL_ENABLE_DRIVER_WEBP=ON
  -DGDAL_ENABLE_DRIVER_JP2OPENJPEG=ON
  -DGDAL_USE_JPEG=ON -DGDAL_USE_WEBP=ON -DGDAL_USE_OPENJPEG=ON -DGDAL_USE_ZSTD=ON -DGDAL_USE_DEFLATE=ON
  -DGDAL_USE_TIFF_INTERNAL=ON -DGDAL_USE_GEOTIFF_INTERNAL=ON -DGDAL_USE_PNG_INTERNAL=ON
  -DGDAL_USE_ZLIB_INTERNAL=ON -DGDAL_USE_LERC_INTERNAL=ON -DGDAL_USE_JSONC_INTERNAL=ON
  -DGDAL_USE_CURL=OFF -DGDAL_USE_SQLITE3=OFF -DGDAL_USE_EXPAT=OFF -DGDAL_USE_XERCESC=OFF
  -DGDAL_USE_LIBXML2=OFF -DGDAL_USE_GEOS=OFF -DGDAL_USE_ICONV=ON
  -DBUILD_PYTHON_BINDINGS=OFF -DBUILD_JAVA_BINDINGS=OFF -DBUILD_CSHARP_BINDINGS=OFF -DBUILD_APPS=ON
  -DBUILD_DOCS=OFF -DGDAL_ENABLE_PLUGINS=OFF)

# Each prefix is keyed by its versions and every option: changing one builds
# a new prefix beside the old one. PROJ has its own, which GDAL's key
# includes, so that a GDAL option does not build PROJ again.
hash() { printf '%s\n' "$@" | sha256sum | cut -c1-12; }
cache=${TILEFUNC_GDAL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tilefunc}
proj_key=$(hash "$proj_ver" "${build_pkgs[@]}" "${common_opts[@]}" "${proj_opts[@]}")
proj_prefix=$cache/proj-${proj_ver%%-*}-$proj_key
key=$(hash "$gdal_ver" "$proj_key" "${build_pkgs[@]}" "${common_opts[@]}" "${gdal_opts[@]}")
prefix=$cache/gdal-${gdal_ver%%+*}-$key

link() {
  mkdir -p .local
  [[ $(readlink .local/gdal 2>/dev/null) == "$prefix" ]] || ln -sfn "$prefix" .local/gdal
}
[[ -f $prefix/.tilefunc-gdal ]] && { link; exit 0; }

mkdir -p "$cache"
log=$cache/gdal-$key.log
# One build at a time per cache (worktrees share it); the second waits and
# then finds the stamp.
exec 9>"$cache/.build.lock"
flock 9
[[ -f $prefix/.tilefunc-gdal ]] && { link; exit 0; }

fail() { echo "gdal: FAIL: $* (log: $log)" >&2; exit 1; }
: >"$log"
t0=$(date +%s)
echo "gdal: building GDAL $gdal_ver (and PROJ $proj_ver) into $prefix (once per machine; log $log)"

sudo=(); [[ $(id -u) == 0 ]] || sudo=(sudo)
export DEBIAN_FRONTEND=noninteractive
src_list=/etc/apt/sources.list.d/tilefunc-deb-src.sources
if ! apt-cache showsrc "gdal=$gdal_ver" 2>/dev/null | grep -q "^Version: $gdal_ver"; then
  # Debian's own registry, source packages only, the same suites as the system.
  # shellcheck disable=SC1091
  codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
  printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: %s %s-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
    "$codename" "$codename" | "${sudo[@]}" tee "$src_list" >/dev/null
  "${sudo[@]}" apt-get update -qq >>"$log" 2>&1 || fail "apt-get update"
fi
missing=()
for p in "${build_pkgs[@]}"; do
  dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null | grep -q '^ii' || missing+=("$p")
done
if ((${#missing[@]})); then
  "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >>"$log" 2>&1 || fail "apt-get install ${missing[*]}"
fi

work=$cache/build-$key
cpus=${TILEFUNC_BUILD_CPUS:-1}
jobs=$(($(tr ',' '\n' <<<"$cpus" | wc -l) + 1))
# unpack NAME VERSION DSC-SHA256: the Debian source package unpacked in
# $work/NAME. apt checks each file against the signed Sources index; the
# .dsc's own hash is pinned here, and dpkg-source checks the tarballs
# against the .dsc.
unpack() {
  local name=$1 ver=$2 sha=$3
  (cd "$work" && apt-get source --download-only "$name=$ver") >>"$log" 2>&1 || fail "apt-get source $name=$ver"
  echo "$sha  $work/${name}_$ver.dsc" | sha256sum -c --quiet >>"$log" 2>&1 || fail "${name}_$ver.dsc: unexpected sha256"
  dpkg-source -x "$work/${name}_$ver.dsc" "$work/$name" >>"$log" 2>&1 || fail "dpkg-source -x $name"
}
# build NAME PREFIX CMAKE-OPTIONS...: configure, compile, install (stripped).
build() {
  local name=$1 to=$2
  shift 2
  taskset -c "$cpus" cmake -S "$work/$name" -B "$work/$name-build" -DCMAKE_INSTALL_PREFIX="$to" "${common_opts[@]}" "$@" \
    >>"$log" 2>&1 || fail "cmake configure $name"
  taskset -c "$cpus" cmake --build "$work/$name-build" -j"$jobs" >>"$log" 2>&1 || fail "compile $name"
  cmake --install "$work/$name-build" --strip >>"$log" 2>&1 || fail "install $name"
}
rm -rf "$work"
mkdir -p "$work"
if [[ ! -f $proj_prefix/.tilefunc-proj ]]; then
  rm -rf "$proj_prefix"
  unpack proj "$proj_ver" "$proj_dsc_sha"
  build proj "$proj_prefix" "${proj_opts[@]}"
  echo "proj $proj_ver, options $proj_key, built $(date -u +%FT%TZ)" >"$proj_prefix/.tilefunc-proj"
fi
rm -rf "$prefix"
unpack gdal "$gdal_ver" "$gdal_dsc_sha"
# GDAL finds this PROJ (its CMake config) and both are in libgdal's rpath.
build gdal "$prefix" "${gdal_opts[@]}" -DPROJ_DIR="$proj_prefix/lib/cmake/proj" \
  -DCMAKE_INSTALL_RPATH="$prefix/lib;$proj_prefix/lib"
# proj.db and PROJ's other data beside GDAL's: the one prefix holds what
# the package copies.
ln -s "$proj_prefix/share/proj" "$prefix/share/proj"

cd "$REPO"
# The raster drivers, as gdalinfo lists them ("  MEM -raster,multidimensional raster- (rw+): ...").
drivers=$(LD_LIBRARY_PATH='' "$prefix/bin/gdalinfo" --formats | sed -nE 's/^  (.+) -[a-z, ]+- \(.*/\1/p' | paste -sd,)
grep -qw COG <<<"$drivers" || fail "the built gdalinfo lists no COG: $drivers"
printf 'gdal %s, proj %s, options %s, built %s in %ss\nraster drivers: %s\n' "$gdal_ver" "$proj_ver" "$key" \
  "$(date -u +%FT%TZ)" "$(($(date +%s) - t0))" "$drivers" >"$prefix/.tilefunc-gdal"
rm -rf "$work"
link
echo "gdal: built in $(($(date +%s) - t0)) s, raster drivers $drivers"
