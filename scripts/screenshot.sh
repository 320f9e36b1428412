#!/usr/bin/env bash
# Headless screenshot (or DOM dump) of a page with Debian's chromium.
#
#   scripts/screenshot.sh URL OUT.png [WIDTH HEIGHT]
#   scripts/screenshot.sh --dump-dom URL [WIDTH HEIGHT]
#
# Installs chromium with apt-get if /usr/bin/chromium is missing. Chromium's
# virtual time budget lets the page fetch and load its tiles before capture.
set -euo pipefail

usage() {
  echo "usage: $0 URL OUT.png [WIDTH HEIGHT]" >&2
  echo "       $0 --dump-dom URL [WIDTH HEIGHT]" >&2
  exit 2
}

mode=screenshot
if [[ "${1:-}" == "--dump-dom" ]]; then
  mode=dump
  shift
  [[ $# -ge 1 ]] || usage
  url=$1
  width=${2:-1024}
  height=${3:-768}
else
  [[ $# -ge 2 ]] || usage
  url=$1
  out=$2
  width=${3:-1024}
  height=${4:-768}
fi

chromium=/usr/bin/chromium
if [[ ! -x "$chromium" ]]; then
  echo "installing chromium..." >&2
  export DEBIAN_FRONTEND=noninteractive
  log=$(mktemp /tmp/screenshot-apt.XXXXXX)
  if ! { apt-get update -qq && apt-get install -y -qq chromium; } >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "chromium install failed" >&2
    exit 1
  fi
  rm -f "$log"
fi

profile=$(mktemp -d /tmp/screenshot-chromium.XXXXXX)
trap 'rm -rf "$profile"' EXIT

# Without the background-networking/component/sync flags chromium tries to
# reach Google services and hangs on a closed network.
flags=(
  --headless --no-sandbox --disable-gpu --disable-quic --no-first-run
  --disable-background-networking --disable-component-update --disable-sync
  "--user-data-dir=$profile" --hide-scrollbars
  "--window-size=$width,$height" --virtual-time-budget=10000
  # Without these the page is laid out ~143 px shorter than the window (the
  # hidden toolbars) and only resized for the capture; --kiosk alone would
  # use the default 800x600 screen.
  --kiosk "--screen-info={${width}x${height}}"
)

if [[ $mode == dump ]]; then
  "$chromium" "${flags[@]}" --dump-dom "$url" 2>/dev/null
else
  # Make OUT absolute so the printed path is unambiguous.
  case "$out" in /*) ;; *) out="$PWD/$out" ;; esac
  rm -f "$out" # so a stale file can't pass the check below
  "$chromium" "${flags[@]}" "--screenshot=$out" "$url" 2>/dev/null >/dev/null
  [[ -s "$out" ]] || { echo "screenshot failed: $out not written" >&2; exit 1; }
  echo "$out"
fi
