#!/usr/bin/env bash
# Runs every test. Installs and starts what the tests need (PostgreSQL from Debian as a throwaway cluster on
# loopback, chromium from Debian for the console's browser test, the npm packages of the compatibility tests), runs
# the whole suite on SQLite and on PostgreSQL side by side, prints one closing line with the totals and cleans up.
# Extra arguments go to `dotnet test` (e.g. --filter X).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PG_PORT=${CONNECTORY_TEST_PG_PORT:-54329}
ONLY=${CONNECTORY_TEST_ONLY:-}   # "sqlite" or "postgres" to run one pass

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

install_postgres() {
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    echo "== installing PostgreSQL from Debian"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq postgresql >/dev/null
  fi
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
}

# The web console's browser test drives Debian's chromium (playwright-core downloads no browser).
install_chromium() {
  if [ ! -x /usr/bin/chromium ]; then
    echo "== installing chromium from Debian (the console's browser test)"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium >/dev/null
  fi
}

PG_DIR=""
start_postgres() {
  PG_DIR=$(mktemp -d /tmp/connectory-pg.XXXXXX)
  chmod 755 "$PG_DIR"
  # PostgreSQL refuses to run as root: the cluster belongs to the postgres user when we are root.
  local run=()
  if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$PG_DIR"; run=(runuser -u postgres --); fi
  "${run[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust --no-sync >/dev/null
  "${run[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w -t 60 start \
    -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c max_connections=400 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >/dev/null
  echo "== PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT"
}

stop_postgres() {
  if [ -n "$PG_DIR" ] && [ -d "$PG_DIR/data" ]; then
    local run=()
    if [ "$(id -u)" = 0 ]; then run=(runuser -u postgres --); fi
    "${run[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
  fi
}
trap stop_postgres EXIT

if [ -f tests/compat/package-lock.json ]; then
  echo "== npm ci (compatibility tests)"
  npm ci --prefix tests/compat --no-audit --no-fund --loglevel=error >/dev/null
fi

if [ "$ONLY" != postgres ]; then install_chromium; fi

echo "== build"
dotnet build -c Release -v q -nologo 2>&1 | grep -Ev '^\s*$' | tail -5

# The two passes run side by side (the PostgreSQL one mostly waits on the server); each writes its own log, shown
# whole when it ends.
LOGS=()
trap 'stop_postgres; rm -f "${LOGS[@]}"' EXIT
run_pass() {
  local log=$1; shift
  env "$@" dotnet test -c Release --no-build -nologo --blame-hang-timeout 5m "${EXTRA[@]}" >"$log" 2>&1
}

EXTRA=("$@")
status=0
declare -A PASS_PID PASS_LOG
if [ "$ONLY" != postgres ]; then
  PASS_LOG[sqlite]=$(mktemp); LOGS+=("${PASS_LOG[sqlite]}")
  run_pass "${PASS_LOG[sqlite]}" CONNECTORY_TEST_DB=sqlite &
  PASS_PID[sqlite]=$!
fi
if [ "$ONLY" != sqlite ]; then
  install_postgres
  start_postgres
  PASS_LOG[postgres]=$(mktemp); LOGS+=("${PASS_LOG[postgres]}")
  run_pass "${PASS_LOG[postgres]}" CONNECTORY_TEST_DB=postgres "CONNECTORY_TEST_PG=Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=postgres" &
  PASS_PID[postgres]=$!
fi
for name in sqlite postgres; do
  if [ -n "${PASS_PID[$name]:-}" ]; then
    wait "${PASS_PID[$name]}" || status=1
    echo "== tests on $name"
    grep -Ev '^\s*$' "${PASS_LOG[$name]}" || true
  fi
done

# One closing line with the totals of both passes.
read -r passed failed skipped < <(cat "${LOGS[@]}" | grep -Eo 'Failed: +[0-9]+, Passed: +[0-9]+, Skipped: +[0-9]+' \
  | awk -F'[:,]' '{f+=$2; p+=$4; s+=$6} END {print p+0, f+0, s+0}')
if [ "$passed" = 0 ] && [ "$status" = 0 ]; then status=1; fi
echo "tests: $passed passed, $failed failed, $skipped skipped"
exit $status
