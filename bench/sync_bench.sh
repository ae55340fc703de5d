#!/usr/bin/env bash
# The sync benchmarks of issue 5, all in one run on one throwaway PostgreSQL (scripts/pg_fixture.sh):
#   (1) initial snapshot of deltagen's user_profiles table (10M rows) by `lakesync create`, in
#       rows/s, against `psql \copy ... FROM file (FORMAT binary)` of the same rows into a table
#       of the same shape; both build the primary key after the load with the same
#       maintenance_work_mem. lakesync's time includes everything: reading the Delta log,
#       decoding Parquet, COPY over its connections, the key, the swap and the state commit.
#       The reference's includes psql's start, the COPY and the key; its binary file is written
#       beforehand by `\copy (the synced table) TO file (FORMAT binary)`, so the rows are the same.
#       Then REPEAT rounds of `lakesync sync --full-refresh` against the reference again
#       (alternating, best of each: the machine may be shared).
#   (2) a batch of 500,000 changes (400k updates, 50k inserts, 50k deletes, `deltagen change`)
#       applied by `lakesync sync` (incremental: change feed, collapse, staging COPY, upsert,
#       delete, state), in changes/s, against the hand-written staging SQL in psql on the
#       reference table (COPY into a temp table, INSERT ... ON CONFLICT DO UPDATE, COPY of the
#       deleted keys, DELETE ... USING, one transaction) with the same net changes as binary
#       files written beforehand; afterwards both tables must hold the same rows.
#   (3) continuous freshness: `lakesync sync NAME --continuous` (default 1 s interval) while 50
#       single-row commits land; commit file written -> row visible (sync_freshness_bench).
#   (4) peak RSS of the lakesync process during (1) (GNU time's maximum resident set size).
#
#   bash bench/sync_bench.sh [BUILD_DIR]     (default build/release; Release build expected)
#   env: ROWS (default 10000000), REPEAT (full-refresh rounds, default 2), COMMITS (default 50),
#        KEEP=1 keeps the work folder and PostgreSQL running at the end.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build/release}" && pwd)
rows=${ROWS:-10000000}
repeat=${REPEAT:-2}
commits=${COMMITS:-50}
lakesync=$build/lakesync
deltagen=$build/tools/deltagen/deltagen
freshness=$build/bench/sync_freshness_bench
for b in "$lakesync" "$deltagen" "$freshness"; do
  [ -x "$b" ] || { echo "missing $b: build the lakesync, deltagen and sync_freshness_bench targets" >&2; exit 1; }
done
[ -x /usr/bin/time ] || { echo "GNU time (/usr/bin/time) is needed for peak RSS" >&2; exit 1; }

work=$(mktemp -d /tmp/lakesync-syncbench.XXXXXX)
continuous_pid=
cleanup() {
  [ -n "$continuous_pid" ] && kill "$continuous_pid" 2>/dev/null && wait "$continuous_pid" 2>/dev/null
  if [ "${KEEP:-0}" = 1 ]; then echo "kept: $work (PostgreSQL: $(cat "$work/pg/dsn" 2>/dev/null))"; return; fi
  bash "$root/scripts/pg_fixture.sh" stop "$work/pg" --remove >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
chmod 755 "$work"

bash "$root/scripts/pg_fixture.sh" start "$work/pg" >/dev/null
export LAKESYNC_DSN; LAKESYNC_DSN=$(cat "$work/pg/dsn")
export PGOPTIONS="-c client_min_messages=warning"
psql_bin=$(command -v psql)
psql() { "$psql_bin" "$LAKESYNC_DSN" -X -q -v ON_ERROR_STOP=1 "$@"; }
now() { date +%s.%N; }
elapsed() { python3 -c "print(f'{$2 - $1:.3f}')"; }
ratio() { python3 -c "print(f'{$1 / $2:.2f}')"; }
rate() { python3 -c "print(f'{$1 / $2:,.0f}')"; }
best() { printf '%s\n' "$@" | sort -g | head -1; }
# Runs a command under GNU time; prints its wall seconds; its peak RSS (KiB) is left in
# $work/time.out.
timed() {
  local t0 t1
  t0=$(now)
  /usr/bin/time -f '%M' -o "$work/time.out" "$@" >"$work/cmd.out" 2>"$work/cmd.err" \
    || { cat "$work/cmd.out" "$work/cmd.err" >&2; return 1; }
  t1=$(now)
  elapsed "$t0" "$t1"
}
# lakesync's own run: timed, and its peak RSS kept for (4).
timed_lakesync() {
  timed "$lakesync" "$@"
  cat "$work/time.out" >>"$work/rss"
}

pg_version=$(psql -Atc "SHOW server_version")
echo "sync_bench: $rows rows, PostgreSQL $pg_version, $(nproc) cores, build $build"
echo "generating user_profiles ($rows rows, 8 files)..."
"$deltagen" -q user-profiles --out "$work/up" --rows "$rows" --files 8

table=bench.user_profiles
index_mem=256MB  # what lakesync's loader sets for its key build (SnapshotLoadOptions)
set_list=
for c in email name country age score created_at is_active balance; do
  set_list+="${set_list:+, }$c = EXCLUDED.$c"
done

# (1) initial snapshot, then the binary file of the same rows for the reference.
echo "(1) snapshot: lakesync create..."
ls_times=("$(timed_lakesync create "$table" --source "$work/up" --primary-key user_id --policy CONTINUOUS)")
psql -c "\\copy $table TO '$work/rows.bin' (FORMAT binary)"
cat >"$work/load.sql" <<SQL
SET maintenance_work_mem = '$index_mem';
\\copy bench.ref FROM '$work/rows.bin' (FORMAT binary)
ALTER TABLE bench.ref ADD PRIMARY KEY (user_id);
SQL
load_reference() {
  psql -c "DROP TABLE IF EXISTS bench.ref"
  psql -c "CREATE TABLE bench.ref (LIKE $table)"
  timed "$psql_bin" "$LAKESYNC_DSN" -X -q -v ON_ERROR_STOP=1 -f "$work/load.sql"
}
echo "(1) snapshot: psql \\copy reference..."
ref_times=("$(load_reference)")
for ((i = 0; i < repeat; i++)); do
  echo "(1) round $((i + 1))/$repeat: lakesync sync --full-refresh, then the reference..."
  ls_times+=("$(timed_lakesync sync "$table" --full-refresh)")
  ref_times+=("$(load_reference)")
done
ls_best=$(best "${ls_times[@]}")
ref_best=$(best "${ref_times[@]}")
rss_kib=$(sort -n "$work/rss" | tail -1)
[ "$(psql -Atc "SELECT count(*) FROM $table")" = "$rows" ] || { echo "row count mismatch" >&2; exit 1; }
echo "(1) lakesync ${ls_times[*]} s, reference ${ref_times[*]} s; peak RSS $((rss_kib / 1024)) MiB"

# (2) 500,000 changes: 400k updates (user_id % 25 = 0), 50k deletes (user_id % 200 = 1, none of
# them updated), 50k inserts, as three Delta commits.
echo "(2) changes: deltagen change..."
max_before=$(psql -Atc "SELECT max(user_id) FROM $table")
"$deltagen" -q change --table "$work/up" --update-every 25 --set score=+1 --delete-every 200 \
  --delete-offset 1 --insert $((rows / 200))
echo "(2) changes: lakesync sync..."
ls_change_s=$(timed "$lakesync" sync "$table" --json)
read -r mode changes < <(python3 -c "import json,sys; r=json.load(open('$work/cmd.out')); \
print(r['mode'], r['rows_inserted'] + r['rows_updated'] + r['rows_deleted'])")
[ "$mode" = INCREMENTAL ] || { echo "expected an incremental run, got $mode" >&2; exit 1; }
psql -c "\\copy (SELECT * FROM $table WHERE user_id % 25 = 0 OR user_id > $max_before) TO '$work/upserts.bin' (FORMAT binary)"
psql -c "\\copy (SELECT g::bigint FROM generate_series(1, $max_before) g WHERE g % 200 = 1) TO '$work/deletes.bin' (FORMAT binary)"
cat >"$work/apply.sql" <<SQL
BEGIN;
CREATE TEMP TABLE s (LIKE bench.ref) ON COMMIT DROP;
\\copy s FROM '$work/upserts.bin' (FORMAT binary)
INSERT INTO bench.ref SELECT * FROM s ON CONFLICT (user_id) DO UPDATE SET $set_list;
CREATE TEMP TABLE d (user_id bigint) ON COMMIT DROP;
\\copy d FROM '$work/deletes.bin' (FORMAT binary)
DELETE FROM bench.ref r USING d WHERE r.user_id = d.user_id;
COMMIT;
SQL
echo "(2) changes: hand-written staging SQL..."
ref_change_s=$(timed "$psql_bin" "$LAKESYNC_DSN" -X -q -v ON_ERROR_STOP=1 -f "$work/apply.sql")
diff=$(psql -Atc "SELECT count(*) FROM ((TABLE $table EXCEPT TABLE bench.ref) UNION ALL (TABLE bench.ref EXCEPT TABLE $table)) x")
[ "$diff" = 0 ] || { echo "lakesync's table and the reference differ in $diff rows" >&2; exit 1; }
echo "(2) $changes changes: lakesync $ls_change_s s, reference $ref_change_s s"

# (3) continuous freshness.
echo "(3) freshness: lakesync sync --continuous, $commits commits..."
"$lakesync" sync "$table" --continuous >"$work/continuous.log" 2>&1 &
continuous_pid=$!
sleep 2
fresh=$("$freshness" --dsn "$LAKESYNC_DSN" --table "$table" --source "$work/up" --deltagen "$deltagen" --commits "$commits")
kill "$continuous_pid"; wait "$continuous_pid" || true; continuous_pid=
p50=$(sed 's/.*p50_s=\([^ ]*\).*/\1/' <<<"$fresh")
p99=$(sed 's/.*p99_s=\([^ ]*\).*/\1/' <<<"$fresh")

echo
echo "| figure | lakesync | reference | ratio (target) |"
echo "|---|---|---|---|"
echo "| (1) snapshot of $rows rows, best of $((repeat + 1)) | $(rate "$rows" "$ls_best") rows/s ($ls_best s) | psql \\copy binary + key: $(rate "$rows" "$ref_best") rows/s ($ref_best s) | $(ratio "$ref_best" "$ls_best") (>= 1.0) |"
echo "| (2) $changes changes | $(rate "$changes" "$ls_change_s") changes/s ($ls_change_s s) | staging SQL in psql: $(rate "$changes" "$ref_change_s") changes/s ($ref_change_s s) | $(ratio "$ref_change_s" "$ls_change_s") (>= 0.9) |"
echo "| (3) continuous freshness, $commits commits | p50 $p50 s, p99 $p99 s | | (p99 <= 2 s) |"
echo "| (4) peak RSS during (1) | $((rss_kib / 1024)) MiB | | (< 512 MiB) |"
echo "all times: ${ls_times[*]} (lakesync) vs ${ref_times[*]} (reference); $fresh"
