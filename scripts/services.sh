#!/usr/bin/env bash
# Dev/test services: PostgreSQL (pgSTAC) and Azurite.
#   services.sh up     install deps if missing, start both (idempotent)
#   services.sh down   stop both
set -euo pipefail

dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
case ${1:-} in
  up)
    bash "$dir/deps.sh"
    bash "$dir/pg.sh" start
    bash "$dir/azurite.sh" start
    ;;
  down)
    bash "$dir/azurite.sh" stop
    bash "$dir/pg.sh" stop
    ;;
  *) echo "usage: $0 up|down" >&2; exit 2 ;;
esac
