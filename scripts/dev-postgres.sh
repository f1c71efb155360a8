#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on 127.0.0.1, for trying things by hand (several `serve` replicas
# on one database): prints its postgres:// URL on stdout, the rest on stderr. Trust authentication
# and fsync off: never for data you want to keep. The tests do not need it (they start their own).
#
#   scripts/dev-postgres.sh              # start one; URL=$(scripts/dev-postgres.sh) works
#   scripts/dev-postgres.sh stop DIR     # stop it and remove DIR (the directory it printed)
#
# Needs PostgreSQL's server binaries (Debian/Ubuntu: apt-get install postgresql). As root the
# server runs as the `postgres` user, since PostgreSQL refuses to run as root.
set -euo pipefail

fail() { echo "error: $*" >&2; exit 1; }

# initdb on PATH (its real directory), else the highest /usr/lib/postgresql/*/bin.
server_bin() {
  if command -v initdb >/dev/null; then
    dirname "$(readlink -f "$(command -v initdb)")"
    return
  fi
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$dir" ] && [ -x "$dir/initdb" ] || fail "PostgreSQL's server (initdb) is not installed: apt-get install postgresql"
  echo "$dir"
}

# Runs a command as the server's user: `postgres` when we are root, else ourselves.
as_server() {
  if [ "$(id -u)" -ne 0 ]; then
    "$@"
  elif command -v runuser >/dev/null; then
    runuser -u postgres -- "$@"
  else
    setpriv --reuid="$(id -u postgres)" --regid="$(id -g postgres)" --clear-groups "$@"
  fi
}

stop() {
  local dir=${1:?usage: $0 stop DIR}
  # Only a directory this script made: `stop` removes it.
  [ -f "$dir/.vra-dev-postgres" ] || fail "$dir is not a cluster made by $0"
  local bin
  bin=$(server_bin)
  if [ -f "$dir/data/postmaster.pid" ]; then
    as_server "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null
  fi
  rm -rf "$dir"
  echo "stopped; removed $dir" >&2
}

start() {
  local bin psql dir port started=""
  bin=$(server_bin)
  psql="$bin/psql"
  [ -x "$psql" ] || psql=$(command -v psql) || fail "psql is not installed: apt-get install postgresql-client"
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || fail "running as root needs a \`postgres\` user to run the server as (Debian's postgresql package creates it)"
  fi
  dir=$(mktemp -d "${TMPDIR:-/tmp}/vra-dev-pg.XXXXXX")
  touch "$dir/.vra-dev-postgres"
  chmod 755 "$dir"
  if [ "$(id -u)" -eq 0 ]; then chown postgres: "$dir"; fi
  # Whatever goes wrong from here, nothing is left behind.
  trap 'stop "$dir" 2>/dev/null || true' ERR
  (cd "$dir" && as_server "$bin/initdb" -D "$dir/data" --auth=trust -U vra --encoding=UTF8 --locale=C --no-sync >/dev/null)
  cat >>"$dir/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
max_connections = 300
fsync = off
synchronous_commit = off
EOF
  # A random port; another one if it is taken (the last `port` line wins).
  for _ in 1 2 3; do
    port=$((20000 + RANDOM % 40000))
    echo "port = $port" >>"$dir/data/postgresql.conf"
    if (cd "$dir" && as_server "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null); then
      started=yes
      break
    fi
  done
  if [ -z "$started" ]; then
    tail -n 20 "$dir/server.log" >&2 || true
    stop "$dir" 2>/dev/null || true
    fail "PostgreSQL did not start (3 ports tried)"
  fi
  "$psql" -X -q -w -d "host=127.0.0.1 port=$port user=vra dbname=postgres sslmode=disable" -c 'CREATE DATABASE vra'
  trap - ERR
  echo "postgres://vra@127.0.0.1:$port/vra"
  echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') in $dir (log: $dir/server.log)" >&2
  echo "stop it with: $0 stop $dir" >&2
}

case "${1:-start}" in
  start) start ;;
  stop) stop "${2:-}" ;;
  *) fail "usage: $0 [start] | $0 stop DIR" ;;
esac
