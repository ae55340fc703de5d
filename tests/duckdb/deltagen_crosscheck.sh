#!/usr/bin/env bash
# Cross-checks `lakesync parquet cat` against DuckDB on files deltagen writes with every codec,
# with and without dictionary encoding, and with data pages v1 and v2: the all_types table
# (every Delta type, nested, edge values, nulls) and a user_profiles table cut into many row
# groups and small pages.
#   deltagen_crosscheck.sh DELTAGEN LAKESYNC OUT_DIR
set -euo pipefail
deltagen=$1
lakesync=$2
out=$3
here=$(cd "$(dirname "$0")" && pwd)

rm -rf "$out"
mkdir -p "$out"
for codec in none snappy gzip zstd lz4 brotli; do
  for dict in dict plain; do
    for pages in v1 v2; do
      args=(--codec "$codec")
      [ "$dict" = plain ] && args+=(--no-dictionary)
      [ "$pages" = v2 ] && args+=(--data-page-v2)
      "$deltagen" all-types --out "$out/all_types-$codec-$dict-$pages" --rows 500 --files 1 \
        "${args[@]}" >/dev/null
    done
  done
  "$deltagen" user-profiles --out "$out/user_profiles-$codec" --rows 20000 --files 1 \
    --row-group-rows 7000 --page-size 8192 --codec "$codec" --no-cdf >/dev/null
done
exec node "$here/crosscheck.mjs" --lakesync "$lakesync" --dir "$out"
