#!/usr/bin/env bash
# Throwaway PostgreSQL cluster for tests and the demo.
#   pg_fixture.sh start STATE_DIR   initdb (first time) and start on a free private port;
#                                   writes the libpq conninfo to STATE_DIR/dsn
#   pg_fixture.sh stop STATE_DIR    stop it (no error when it is not running)
# The cluster's files live in a private directory under /tmp (a path the `postgres` user can
# reach whatever the checkout's permissions), named in STATE_DIR/datadir. As root, the server
# runs as the `postgres` user, since PostgreSQL refuses to run as root.
set -euo pipefail
cmd=${1:?usage: pg_fixture.sh start|stop STATE_DIR}
state=${2:?usage: pg_fixture.sh start|stop STATE_DIR}
mkdir -p "$state"
state=$(cd "$state" && pwd)

pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$pgbin/initdb" ] || { echo "PostgreSQL server binaries not found; run scripts/setup.sh" >&2; exit 1; }

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$cmd" in
start)
  if [ -f "$state/datadir" ] && [ -d "$(cat "$state/datadir")" ]; then
    root=$(cat "$state/datadir")
  else
    root=$(mktemp -d /tmp/lakesync-pg.XXXXXX)
    echo "$root" >"$state/datadir"
  fi
  data="$root/data"
  sock="$root/sock"
  mkdir -p "$sock"
  [ "$(id -u)" = 0 ] && chown -R postgres:postgres "$root"
  chmod 755 "$root"
  if [ ! -f "$data/PG_VERSION" ]; then
    as_owner "$pgbin/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$root/initdb.log" 2>&1 \
      || { cat "$root/initdb.log" >&2; exit 1; }
  fi
  if as_owner "$pgbin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    port=$(cat "$root/port")
  else
    # A free port: ask the kernel for one, then hand it to the server.
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null \
           || echo $((20000 + RANDOM % 20000)))
    echo "$port" >"$root/port"
    as_owner "$pgbin/pg_ctl" -D "$data" -l "$root/server.log" -w -t 60 start \
      -o "-p $port -k $sock -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=256MB -c max_wal_size=4GB" \
      >/dev/null || { cat "$root/server.log" >&2; exit 1; }
  fi
  echo "host=$sock port=$port user=postgres dbname=postgres" >"$state/dsn"
  echo "PostgreSQL running: $(cat "$state/dsn") (files in $root)"
  ;;
stop)
  if [ -f "$state/datadir" ]; then
    root=$(cat "$state/datadir")
    if [ -d "$root/data" ]; then
      as_owner "$pgbin/pg_ctl" -D "$root/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    if [ "${3:-}" = "--remove" ]; then rm -rf "$root" "$state/datadir" "$state/dsn"; fi
  fi
  echo "PostgreSQL stopped"
  ;;
*)
  echo "usage: pg_fixture.sh start|stop STATE_DIR [--remove]" >&2; exit 2 ;;
esac
