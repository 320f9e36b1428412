#!/usr/bin/env bash
# Prints `export` lines for the dev/test services; use: eval "$(scripts/env.sh)"
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PORT=${TILEFUNC_PG_PORT:-54329}
AZPORT=${TILEFUNC_AZURITE_PORT:-10000}
# Azurite's well-known development account; the key is public (Azurite docs).
AZKEY='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='
AZBLOB=http://127.0.0.1:$AZPORT/devstoreaccount1

# export NAME='value', with any ' in value escaped for the shell.
emit() { printf "export %s='%s'\n" "$1" "${2//\'/\'\\\'\'}"; }

emit DATABASE_URL "postgresql://postgres:postgres@127.0.0.1:$PORT/tilefunc?sslmode=disable"
emit TILEFUNC_TEST_ADMIN_URL "postgresql://postgres:postgres@127.0.0.1:$PORT/postgres?sslmode=disable"
emit TILEFUNC_TEST_TEMPLATE_DB pgstac_template
emit AZURE_STORAGE_CONNECTION_STRING "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$AZKEY;BlobEndpoint=$AZBLOB;"
emit TILEFUNC_AZURITE_BLOB_ENDPOINT "$AZBLOB"
# tilefunc's own GDAL (scripts/gdal.sh): cgo finds it with pkg-config, and
# binaries find its libraries by their rpath (the Makefile sets the same).
emit PKG_CONFIG_PATH "$REPO/.local/gdal/lib/pkgconfig"
emit CGO_LDFLAGS "-O2 -g -Wl,-rpath,$REPO/.local/gdal/lib"
venvbin=$REPO/.local/venv/bin
case $PATH in
  "$venvbin" | "$venvbin":*) emit PATH "$PATH" ;; # already first: do not stack it again
  *) emit PATH "$venvbin:$PATH" ;;
esac
