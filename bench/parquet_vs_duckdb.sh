#!/usr/bin/env bash
# Single-threaded Parquet decode, lakesync vs DuckDB, on the two files of issue 3:
#   (a) the 10M-row user_profiles file from deltagen (one file, snappy, dictionary), and
#   (b) a wide numeric file: 2M rows x 64 INT32/INT64/FLOAT/DOUBLE/DECIMAL columns, a quarter
#       nullable, snappy, written by DuckDB's COPY TO (tools/duckdb/write_wide_numeric.mjs).
# Ours: bench/parquet_decode_bench (every column of every row group into ColumnBatches, every
# value summed). DuckDB: tools/duckdb/parquet_scan_bench.mjs (SET threads=1, one aggregate per
# column). Each side: the best of --rounds x --repeat runs, rounds alternating the sides; rows/s
# by wall time and by CPU time (user + system; steadier on a busy machine).
#
#   bash bench/parquet_vs_duckdb.sh [--build-dir DIR] [--data-dir DIR] [--repeat N] [--rounds N]
#                                   [--no-build]
#
# Defaults: build dir build/release (configured as Release if absent), data under
# DIR/bench-data (generated on first use and kept).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=$root/build/release
data_dir=
repeat=2
rounds=3
do_build=1
while [ $# -gt 0 ]; do
  case $1 in
    --build-dir) build_dir=$2; shift 2 ;;
    --data-dir) data_dir=$2; shift 2 ;;
    --repeat) repeat=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --no-build) do_build=0; shift ;;
    *) echo "usage: $0 [--build-dir DIR] [--data-dir DIR] [--repeat N] [--rounds N] [--no-build]" >&2; exit 2 ;;
  esac
done
data_dir=${data_dir:-$build_dir/bench-data}

if [ "$do_build" = 1 ]; then
  if [ ! -f "$build_dir/CMakeCache.txt" ]; then
    cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  fi
  if ! cmake --build "$build_dir" -j2 --target deltagen parquet_decode_bench >"$build_dir/bench-build.log" 2>&1; then
    cat "$build_dir/bench-build.log" >&2
    exit 1
  fi
fi
bench=$build_dir/bench/parquet_decode_bench
deltagen=$build_dir/tools/deltagen/deltagen
mkdir -p "$data_dir"

# (a) user_profiles, 10M rows in one file.
up_dir=$data_dir/user_profiles_10m
if ! ls "$up_dir"/*.parquet >/dev/null 2>&1; then
  echo "generating $up_dir" >&2
  "$deltagen" user-profiles --out "$up_dir" --rows 10000000 --files 1 --codec snappy \
    --overwrite >/dev/null
fi
up_file=$(ls "$up_dir"/*.parquet | head -1)

# (b) wide numeric, 2M rows x 64 columns.
wide_file=$data_dir/wide_numeric_2m.parquet
if [ ! -f "$wide_file" ]; then
  echo "generating $wide_file" >&2
  node "$root/tools/duckdb/write_wide_numeric.mjs" "$wide_file.tmp" --rows 2000000 >/dev/null
  mv "$wide_file.tmp" "$wide_file"
fi

field() {  # field NAME LINE
  sed -n "s/.*[[:space:]]$1=\([^[:space:]]*\).*/\1/p" <<<" $2"
}

printf '%-22s %12s %14s %14s %7s %14s %14s %7s\n' file rows 'ours rows/s' 'duckdb rows/s' ratio \
  'ours cpu r/s' 'duckdb cpu r/s' 'cpu ratio'
best() {  # best FIELD LINES...: the largest value of FIELD over the lines
  local f=$1; shift
  for line in "$@"; do field "$f" "$line"; done | sort -g | tail -1
}

for entry in "user_profiles_10m:$up_file" "wide_numeric_2m:$wide_file"; do
  name=${entry%%:*}
  file=${entry#*:}
  # Rounds alternate the two sides so that a burst of load from other processes does not land
  # on one side only; within a round each side runs `repeat` times in one process (the first
  # run pays for first-touch page faults, later ones show the steady state of a long-running
  # process).
  ours=(); duck=()
  for ((r = 0; r < rounds; ++r)); do
    ours+=("$("$bench" "$file" --repeat "$repeat")")
    duck+=("$(cd "$root" && node tools/duckdb/parquet_scan_bench.mjs "$file" --repeat "$repeat")")
  done
  rows=$(field rows "${ours[0]}")
  if [ "$rows" != "$(field rows "${duck[0]}")" ]; then
    echo "row counts differ: ${ours[0]} / ${duck[0]}" >&2
    exit 1
  fi
  o=$(best rows_per_s "${ours[@]}"); d=$(best rows_per_s "${duck[@]}")
  oc=$(best cpu_rows_per_s "${ours[@]}"); dc=$(best cpu_rows_per_s "${duck[@]}")
  printf '%-22s %12s %14s %14s %6.2fx %14s %14s %6.2fx\n' "$name" "$rows" "$o" "$d" \
    "$(awk "BEGIN{print $o / $d}")" "$oc" "$dc" "$(awk "BEGIN{print $oc / $dc}")"
done
