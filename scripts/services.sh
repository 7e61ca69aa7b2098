#!/usr/bin/env bash
# Starts or stops a throwaway PostgreSQL 15 + PostGIS and a Redis on 127.0.0.1, kept in DIR.
#   bash scripts/services.sh start DIR   → writes DIR/env with CI_DATABASE_URL and CI_REDIS_URL
#   bash scripts/services.sh stop DIR    → stops both and removes DIR
# Used by .ci/run, and by developers to run the tests against real services.
set -euo pipefail
cmd=${1:?start or stop}
dir=$(realpath -m "${2:?folder}")
PGBIN=/usr/lib/postgresql/15/bin
PGPORT=${PGPORT:-55432}
REDISPORT=${REDISPORT:-56379}
# PostgreSQL refuses to run as root; run it as the postgres user the Debian package creates.
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

case "$cmd" in
start)
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres "$dir"
  as_pg "$PGBIN/initdb" -D "$dir/pg" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  as_pg "$PGBIN/pg_ctl" -D "$dir/pg" -l "$dir/pg.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $PGPORT -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null
  redis-server --bind 127.0.0.1 --port "$REDISPORT" --save '' --appendonly no \
    --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --dir "$dir"
  for _ in $(seq 50); do redis-cli -p "$REDISPORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
  cat > "$dir/env" <<ENV
export CI_DATABASE_URL=postgres://postgres@127.0.0.1:$PGPORT/postgres
export CI_REDIS_URL=redis://127.0.0.1:$REDISPORT
ENV
  echo "PostgreSQL on 127.0.0.1:$PGPORT, Redis on 127.0.0.1:$REDISPORT ($dir)"
  ;;
stop)
  [ -d "$dir/pg" ] && as_pg "$PGBIN/pg_ctl" -D "$dir/pg" -m fast stop >/dev/null || true
  [ -f "$dir/redis.pid" ] && kill "$(cat "$dir/redis.pid")" 2>/dev/null || true
  rm -rf "$dir"
  ;;
*) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
