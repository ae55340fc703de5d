#!/usr/bin/env bash
# The demo: installs what is missing, builds, starts a throwaway PostgreSQL, writes a sample
# `user_profiles` Delta table with Change Data Feed, syncs it into PostgreSQL, commits an
# update and a delete to the Delta table, syncs again and prints the rows that changed.
# Running it again starts over with a fresh table (the PostgreSQL cluster is reused).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
demo=${LAKESYNC_DEMO_DIR:-/tmp/lakesync-demo}
rows=${LAKESYNC_DEMO_ROWS:-100000}

bash "$root/scripts/setup.sh" release lakesync deltagen
bin="$root/build/release"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "Starting a throwaway PostgreSQL (state in $demo/postgres)"
mkdir -p "$demo"
bash "$root/scripts/pg_fixture.sh" start "$demo/postgres"
dsn=$(cat "$demo/postgres/dsn")
psql_() { PGOPTIONS="-c client_min_messages=warning" psql "$dsn" -X -q -v ON_ERROR_STOP=1 "$@"; }
# A second run starts over: forget the synced table of the last run, drop its data.
"$bin/lakesync" delete demo.user_profiles --purge --dsn "$dsn" >/dev/null 2>&1 || true
psql_ -c "DROP SCHEMA IF EXISTS demo CASCADE"

say "Writing a Delta table of $rows user profiles with Change Data Feed at $demo/user_profiles"
rm -rf "$demo/user_profiles"
"$bin/tools/deltagen/deltagen" user-profiles --out "$demo/user_profiles" --rows "$rows" --files 4

say "Creating synced table demo.user_profiles (TRIGGERED: initial snapshot, then the change data feed)"
"$bin/lakesync" create demo.user_profiles --dsn "$dsn" --source "$demo/user_profiles" --primary-key user_id --policy TRIGGERED
psql_ -c "SELECT count(*) AS rows, count(DISTINCT country) AS countries, round(avg(score)::numeric, 3) AS avg_score FROM demo.user_profiles"
psql_ -c "CREATE TABLE demo.before AS TABLE demo.user_profiles"

say "Committing to the Delta table: an UPDATE (score + 10 for every 10000th user), a DELETE (every 25000th user) and an INSERT of 2 users"
"$bin/tools/deltagen/deltagen" change --table "$demo/user_profiles" --update-every 10000 --set score=+10 --delete-every 25000 --insert 2

say "Syncing again: only the changes since the last sync are applied"
"$bin/lakesync" sync demo.user_profiles --dsn "$dsn"
"$bin/lakesync" list --dsn "$dsn"

say "Rows that changed"
psql_ -P pager=off <<'SQL'
SELECT change, user_id, name, country, score, balance FROM (
  SELECT 'inserted' AS change, n.user_id, n.name, n.country, n.score::text AS score, n.balance::text AS balance
    FROM demo.user_profiles n LEFT JOIN demo.before o USING (user_id) WHERE o.user_id IS NULL
  UNION ALL
  SELECT 'updated', n.user_id, n.name, n.country,
         CASE WHEN n.score IS DISTINCT FROM o.score THEN coalesce(o.score::text, 'NULL') || ' -> ' || coalesce(n.score::text, 'NULL') ELSE n.score::text END,
         n.balance::text
    FROM demo.user_profiles n JOIN demo.before o USING (user_id) WHERE row(n.*) IS DISTINCT FROM row(o.*)
  UNION ALL
  SELECT 'deleted', o.user_id, o.name, o.country, o.score::text, o.balance::text
    FROM demo.before o LEFT JOIN demo.user_profiles n USING (user_id) WHERE n.user_id IS NULL
) changes ORDER BY change, user_id;
SQL
psql_ -c "DROP TABLE demo.before"

say "Done"
cat <<EOF2
PostgreSQL is still running so you can look around:
  psql "$dsn" -c 'SELECT * FROM demo.user_profiles LIMIT 5'
Stop it with:
  bash $root/scripts/pg_fixture.sh stop $demo/postgres --remove
EOF2
