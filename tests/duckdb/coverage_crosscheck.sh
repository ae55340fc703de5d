#!/usr/bin/env bash
# Cross-checks `lakesync parquet cat` against DuckDB on the coverage files
# (write_coverage_files.cc): DELTA_BYTE_ARRAY, LZ4 (Hadoop framing and bare blocks), FLOAT16,
# nanosecond TIME/TIMESTAMP, unsigned integers, ENUM/JSON/BSON/UUID.
#   coverage_crosscheck.sh WRITE_COVERAGE_FILES LAKESYNC OUT_DIR
set -euo pipefail
writer=$1
lakesync=$2
out=$3
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$out"
"$writer" "$out"
exec node "$here/crosscheck.mjs" --lakesync "$lakesync" --dir "$out"
