#!/usr/bin/env bash
# Starts a throw-away PostgreSQL cluster for the tests, as the unprivileged `postgres` user,
# on a loopback port, in a temporary folder; installs Debian's postgresql if it is missing.
#   eval "$(scripts/postgres.sh start)"   # exports CONSENTRY_TEST_POSTGRES_URL and PG_TEST_DIR
#   scripts/postgres.sh stop "$PG_TEST_DIR"
set -euo pipefail

find_bin() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    [ -x "$dir/initdb" ] && { echo "$dir"; return 0; }
  done
  return 1
}

case "${1:-}" in
start)
  if ! bin=$(find_bin); then
    echo "installing postgresql (Debian)" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq postgresql >&2
    bin=$(find_bin)
  fi
  runner=()
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    runner=(runuser -u postgres --)
  fi
  dir=$(mktemp -d /tmp/consentry-pg-XXXXXX)
  chmod 0755 "$dir"
  [ "$(id -u)" = 0 ] && chown postgres "$dir"
  port=${CONSENTRY_TEST_POSTGRES_PORT:-$(( 20000 + RANDOM % 20000 ))}
  "${runner[@]}" "$bin/initdb" -D "$dir/data" -U consentry --auth=trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1
  # fsync stays on: the suite checks durability claims; the cluster is small and short-lived.
  "${runner[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c max_connections=200 ${CONSENTRY_TEST_POSTGRES_OPTIONS:-}" start >&2
  "${runner[@]}" "$bin/createdb" -h 127.0.0.1 -p "$port" -U consentry consentry_test >&2
  echo "export CONSENTRY_TEST_POSTGRES_URL=postgres://consentry@127.0.0.1:$port/consentry_test"
  echo "export PG_TEST_DIR=$dir"
  echo "export PG_TEST_BIN=$bin"
  ;;
stop)
  dir=${2:?usage: postgres.sh stop DIR}
  bin=$(find_bin)
  runner=()
  [ "$(id -u)" = 0 ] && runner=(runuser -u postgres --)
  "${runner[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >&2 || true
  rm -rf "$dir"
  ;;
*)
  echo "usage: $0 start | stop DIR" >&2
  exit 64
  ;;
esac
