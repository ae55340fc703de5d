#!/usr/bin/env bash
# Cross-checks `lakesync parquet cat` against DuckDB on files DuckDB's own writer produces for
# every codec with format v1 and v2 (write_duckdb_files.mjs): the DELTA_* and BYTE_STREAM_SPLIT
# encodings and DATA_PAGE_V2 that the shared tables barely use.
#   duckdb_written_crosscheck.sh LAKESYNC OUT_DIR
set -euo pipefail
lakesync=$1
out=$2
here=$(cd "$(dirname "$0")" && pwd)
if ! node -e "import('@duckdb/node-api')" 2>/dev/null && [ ! -d "$here/../../node_modules/@duckdb/node-api" ]; then
  echo "skipped: @duckdb/node-api is not installed (run scripts/setup.sh)"
  exit 0
fi
node "$here/write_duckdb_files.mjs" "$out"
exec node "$here/crosscheck.mjs" --lakesync "$lakesync" --dir "$out"
