#!/usr/bin/env bash
# Runs sdk_test.mjs (the Databricks JS SDK) against a real `lakesync serve`: a database of its
# own on the fixture PostgreSQL, a deltagen user_profiles table in a lakehouse catalog, a
# token; the daemon is stopped with SIGTERM at the end and must exit 0.
# Usage: sdk_test.sh LAKESYNC DELTAGEN PG_DSN_FILE SOURCE_DIR
# Prints "skipped: ..." (and succeeds) when node or the SDK is not installed.
set -euo pipefail
lakesync=${1:?lakesync binary}
deltagen=${2:?deltagen binary}
dsn_file=${3:?fixture dsn file}
src=${4:?source dir}
command -v node >/dev/null || { echo "skipped: node is not installed (scripts/setup.sh)"; exit 0; }
[ -d "$src/node_modules/@databricks/sdk-experimental" ] ||
  { echo "skipped: npm @databricks/sdk-experimental is not installed (scripts/setup.sh)"; exit 0; }
dsn=$(cat "$dsn_file")
work=$(mktemp -d /tmp/lakesync-sdk-test.XXXXXX)
db="lakesync_sdk_$$"
daemon=""
cleanup() {
  if [ -n "$daemon" ] && kill -0 "$daemon" 2>/dev/null; then kill -KILL "$daemon" 2>/dev/null || true; fi
  psql "$dsn" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

psql "$dsn" -qc "CREATE DATABASE $db" >/dev/null
"$deltagen" user-profiles --out "$work/lake/gold/user_profiles" --rows 20000 --files 2 >/dev/null
escaped=${dsn//\\/\\\\}
escaped=${escaped//\"/\\\"}
cat >"$work/lakesync.toml" <<TOML
[api]
listen = "127.0.0.1:0"
tokens = ["sdk-test-token"]

[instances.fixture]
conninfo = "$escaped"

[database_catalogs.lakebase_catalog]
instance = "fixture"
database = "$db"

[lakehouse_catalogs.lake]
root = "$work/lake"
TOML

"$lakesync" serve --config "$work/lakesync.toml" >"$work/serve.out" 2>"$work/serve.err" &
daemon=$!
for _ in $(seq 1 100); do
  grep -q '^listening on ' "$work/serve.out" 2>/dev/null && break
  kill -0 "$daemon" 2>/dev/null || { cat "$work/serve.err" >&2; echo "lakesync serve exited" >&2; exit 1; }
  sleep 0.1
done
url=$(sed -n 's/^listening on //p' "$work/serve.out")
[ -n "$url" ] || { cat "$work/serve.err" >&2; echo "no listen address" >&2; exit 1; }
echo "lakesync serve at $url"

status=0
(cd "$src" && node tests/api/sdk_test.mjs "$url" sdk-test-token \
   lakebase_catalog.gold.user_profiles lake.gold.user_profiles fixture \
   "$deltagen" "$work/lake/gold/user_profiles") || status=$?

kill -TERM "$daemon"
daemon_status=0
wait "$daemon" || daemon_status=$?
daemon=""
if [ "$status" != 0 ] || [ "$daemon_status" != 0 ]; then
  echo "--- lakesync serve stderr ---" >&2
  cat "$work/serve.err" >&2
  [ "$daemon_status" = 0 ] || echo "lakesync serve exited with $daemon_status after SIGTERM" >&2
  exit 1
fi
