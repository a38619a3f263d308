#!/usr/bin/env bash
# A throw-away PostgreSQL + PostGIS server on loopback for the `gdal` feature's database tests.
#
#   eval "$(scripts/postgis-test-server.sh start)"   # prints `export LANDPOOL_TEST_PG=…`
#   cargo test --features gdal,proj
#   scripts/postgis-test-server.sh stop
#
# Needs Debian's postgresql-15 and postgresql-15-postgis-3 (see .ci/run). The cluster lives
# in $LANDPOOL_PG_DIR (default /tmp/landpool-pg), listens on 127.0.0.1:$LANDPOOL_PG_PORT
# (default 54329) only, trusts local connections, and is deleted by `stop`.
set -euo pipefail

PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
DATA=${LANDPOOL_PG_DIR:-/tmp/landpool-pg}
PORT=${LANDPOOL_PG_PORT:-54329}
DB=landpool_test

# PostgreSQL refuses to run as root: run the server as the `postgres` user then.
as_owner() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

case "${1:-}" in
start)
    [ -x "$PGBIN/initdb" ] || {
        echo "PostgreSQL server binaries not found (apt-get install postgresql-15 postgresql-15-postgis-3)" >&2
        exit 1
    }
    if [ -f "$DATA/postmaster.pid" ]; then
        as_owner "$PGBIN/pg_ctl" -D "$DATA" -m fast stop >/dev/null 2>&1 || true
    fi
    rm -rf "$DATA"
    mkdir -p "$DATA"
    [ "$(id -u)" = 0 ] && chown postgres: "$DATA"
    as_owner "$PGBIN/initdb" -D "$DATA" -A trust -U postgres -E UTF8 --no-locale >"$DATA.initdb.log" 2>&1 || {
        cat "$DATA.initdb.log" >&2
        exit 1
    }
    as_owner "$PGBIN/pg_ctl" -D "$DATA" -w -t 60 -l "$DATA/server.log" \
        -o "-p $PORT -c listen_addresses=127.0.0.1 -k $DATA -c fsync=off" start >/dev/null || {
        cat "$DATA/server.log" >&2
        exit 1
    }
    psql -q -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -c "CREATE DATABASE $DB" >/dev/null
    psql -q -h 127.0.0.1 -p "$PORT" -U postgres -d "$DB" -c "CREATE EXTENSION postgis" >/dev/null
    echo "export LANDPOOL_TEST_PG='PG:host=127.0.0.1 port=$PORT user=postgres dbname=$DB'"
    ;;
stop)
    if [ -f "$DATA/postmaster.pid" ]; then
        as_owner "$PGBIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null
    fi
    rm -rf "$DATA" "$DATA.initdb.log"
    ;;
*)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
