#!/usr/bin/env bash
# Builds and runs lakesync's libFuzzer targets (fuzz/*_fuzz.cc) with clang, ASan and UBSan in
# their own build dir (build/fuzz; only the parquet library and the targets are built).
#   scripts/fuzz.sh build                        configure + build every target
#   scripts/fuzz.sh TARGET SECONDS [options]     build, seed, fuzz TARGET for SECONDS
#     --no-build          skip the build step (ctest builds once, then fuzzes in parallel)
#     --deltagen PATH     also seed with small files this deltagen binary writes
#   TARGET: parquet_footer_fuzz (footer bytes), parquet_file_fuzz (whole files) or
#           delta_commit_fuzz (Delta commit files)
# Seeds: Parquet files under ../shared/delta-tables (up to 64 KiB; their footers for the
# footer target) and deltagen's all-types files for every codec; for the commit target, the
# tables' commit files. The corpus grows in
# build/fuzz/corpus/TARGET across runs; a crash leaves its input in build/fuzz/artifacts/
# and the script exits non-zero. Prints "skipped: ..." and exits 0 when clang or the libFuzzer
# runtime is missing (Debian: clang, libclang-rt-14-dev).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${LAKESYNC_FUZZ_BUILD_DIR:-$root/build/fuzz}
shared=${LAKESYNC_SHARED_DIR:-$root/../shared}

target=${1:?usage: fuzz.sh build | fuzz.sh TARGET SECONDS [--no-build] [--deltagen PATH]}
seconds=${2:-60}
shift $(($# < 2 ? $# : 2))
do_build=1
deltagen=
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) do_build=0 ;;
    --deltagen) deltagen=$2; shift ;;
    *) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

cxx=$(command -v clang++ || command -v clang++-14 || true)
cc=$(command -v clang || command -v clang-14 || true)
if [ -z "$cxx" ] || [ -z "$cc" ]; then
  echo "skipped: clang is not installed (deps/debian-packages.txt: clang, libclang-rt-14-dev)"
  exit 0
fi
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
echo 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }' \
  >"$probe/probe.cc"
if ! "$cxx" -fsanitize=fuzzer "$probe/probe.cc" -o "$probe/probe" 2>/dev/null; then
  echo "skipped: clang cannot link libFuzzer targets (Debian: libclang-rt-14-dev)"
  exit 0
fi

if [ "$do_build" = 1 ]; then
  flags="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined"
  flags+=" -fno-omit-frame-pointer"
  launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  if [ ! -f "$build/build.ninja" ]; then
    cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
      -DCMAKE_C_COMPILER="$cc" -DCMAKE_CXX_COMPILER="$cxx" "${launcher[@]}" \
      -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g" \
      -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" \
      -DLAKESYNC_FUZZ=ON -DLAKESYNC_BUILD_TESTS=OFF -DLAKESYNC_BUILD_BENCH=OFF >/dev/null
  fi
  targets=()
  for src in "$root"/fuzz/*_fuzz.cc; do targets+=("$(basename "$src" .cc)"); done
  cmake --build "$build" -j"${LAKESYNC_FUZZ_JOBS:-2}" --target "${targets[@]}"
fi
[ "$target" = build ] && exit 0

binary=$build/fuzz/$target
[ -x "$binary" ] || { echo "fuzz.sh: no fuzz target $binary (build first)" >&2; exit 2; }

# Seeds, rebuilt each run (cheap): small files, or their footers for the footer target.
seeds=$build/seeds/$target
rm -rf "$seeds"
mkdir -p "$seeds" "$build/corpus/$target" "$build/artifacts"
files=()
if [ "$target" = delta_commit_fuzz ]; then
  # Commit files: every small one of the shared tables' logs.
  if [ -d "$shared/delta-tables" ]; then
    while IFS= read -r -d '' f; do files+=("$f"); done < <(
      find "$shared/delta-tables" -path '*_delta_log/*.json' ! -name '._*' -size -64k -print0 |
        sort -z)
  fi
elif [ -d "$shared/delta-tables" ]; then
  while IFS= read -r -d '' f; do files+=("$f"); done < <(
    find "$shared/delta-tables" -name '*.parquet' ! -name '._*' -size -64k -print0 | sort -z)
fi
if [ -n "$deltagen" ] && [ -x "$deltagen" ] && [ "$target" != delta_commit_fuzz ]; then
  gen=$build/seeds/deltagen
  rm -rf "$gen"
  for codec in none snappy gzip zstd lz4 brotli; do
    "$deltagen" all-types --out "$gen/$codec" --rows 40 --files 1 --codec "$codec" >/dev/null
    "$deltagen" all-types --out "$gen/$codec-v2" --rows 40 --files 1 --codec "$codec" \
      --no-dictionary --data-page-v2 >/dev/null
  done
  while IFS= read -r -d '' f; do files+=("$f"); done < <(find "$gen" -name '*.parquet' -print0)
fi
# One node process copies the seeds (or cuts each footer: the bytes before the length word and
# the trailing magic); a shell loop would fork thousands of times.
footers=0
[ "$target" = parquet_footer_fuzz ] && footers=1
printf '%s\0' "${files[@]}" | node -e '
  const fs = require("fs");
  const [dir, footers] = process.argv.slice(1);
  fs.readFileSync(0, "utf8").split("\0").filter(Boolean).forEach((f, i) => {
    const b = fs.readFileSync(f);
    if (footers === "0") return fs.writeFileSync(`${dir}/${i}.parquet`, b);
    if (b.length < 12) return;
    const len = b.readUInt32LE(b.length - 8);
    if (len <= b.length - 12) fs.writeFileSync(`${dir}/${i}`, b.subarray(b.length - 8 - len, -8));
  });' "$seeds" "$footers"
echo "fuzz.sh: $target for ${seconds}s, ${#files[@]} seed files"

# ASan/UBSan stop at the first report; libFuzzer exits non-zero on any crash, leak, timeout
# (30 s for one input: a hang, not a slow input on a loaded machine) or allocation past 2 GiB.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
cd "$build/artifacts"
exec "$binary" "$build/corpus/$target" "$seeds" -max_total_time="$seconds" -timeout=30 \
  -rss_limit_mb=2048 -print_final_stats=1 -print_funcs=0 -artifact_prefix="$build/artifacts/$target-"
