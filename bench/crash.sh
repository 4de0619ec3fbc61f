#!/usr/bin/env bash
# The crash harness of the test suite (tests/Connectory.Tests/Crash) as a long run: BENCH_CRASH_KILLS server kills per
# database (default 200), on SQLite and on PostgreSQL (a cluster of the harness's own, killed too every other round
# of four). Prints the running totals after each batch: kills, acknowledged writes, lost writes (must be 0), half-applied (0), time.
# With it, the start-kill tests (tests/Connectory.Tests/Hosting/StartKillTests) as a soak: BENCH_START_KILLS kills of
# first starts (default 20, and half that over existing data: 30 starts killed per database). BENCH_CRASH_DBS picks the databases ("sqlite postgres" by default). Runs a copy of the build, so the working tree
# may be rebuilt meanwhile. Stops by itself; exits non-zero when a write was lost or half-applied.
set -euo pipefail
cd "$(dirname "$0")/.."
KILLS=${BENCH_CRASH_KILLS:-200}
START_KILLS=${BENCH_START_KILLS:-20}
DBS=${BENCH_CRASH_DBS:-sqlite postgres}

WORK=$(mktemp -d /tmp/connectory-crash.XXXXXX)
chmod 755 "$WORK"
status=0
cleanup() {
  if [ -d "$WORK/pg" ]; then "${PG_RUN[@]}" "$PG_BIN/pg_ctl" -D "$WORK/pg" -m immediate stop >/dev/null 2>&1 || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# The crash tests run PostgreSQL clusters of their own; the start-kill tests use the suite's, as under scripts/test.sh.
if [[ " $DBS " == *" postgres "* ]]; then
  source bench/cluster.sh
  PG_PORT=$(free_port)
  mkdir "$WORK/pg"
  if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$WORK/pg"; fi
  "${PG_RUN[@]}" "$PG_BIN/initdb" -D "$WORK/pg" -U postgres -A trust --no-sync >/dev/null
  "${PG_RUN[@]}" "$PG_BIN/pg_ctl" -D "$WORK/pg" -l "$WORK/pg/server.log" -w -t 60 start \
    -o "-p $PG_PORT -k $WORK/pg -c listen_addresses=127.0.0.1 -c max_connections=200" >/dev/null
  export CONNECTORY_TEST_PG="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=postgres"
fi

dotnet build tests/Connectory.Tests -c Release -v q -nologo 2>&1 | grep -E ' error |warn' || true
cp -r tests/Connectory.Tests/bin/Release/net10.0 "$WORK/bin"

for db in $DBS; do
  start=$(date +%s)
  # No hang timeout here: a batch of 40 kills takes minutes.
  CONNECTORY_TEST_DB=$db CONNECTORY_TEST_CRASH_KILLS=$KILLS CONNECTORY_TEST_START_KILLS=$START_KILLS dotnet test "$WORK/bin/Connectory.Tests.dll" \
    --filter "FullyQualifiedName~Crash.CrashTests|FullyQualifiedName~Hosting.StartKillTests" --logger "console;verbosity=detailed" >"$WORK/$db.log" 2>&1 || status=1
  echo "== $db: $KILLS server kills under writers and $((START_KILLS + START_KILLS / 2)) kills of starting servers, $(( $(date +%s) - start )) s in all"
  grep -E '^ *(SQLite|PostgreSQL), [0-9]+ of [0-9]+ batches' "$WORK/$db.log" | sed 's/^ *//' || true
  grep -E '^ *[0-9]+ kills \(after' "$WORK/$db.log" | sed 's/^ *//' || true
  grep -E -A3 '\[FAIL\]|Total tests|Passed:|Failed:' "$WORK/$db.log" | head -20 || true
  if grep -q '\[FAIL\]' "$WORK/$db.log"; then
    # The whole log, stacks included, outlives the run.
    cp "$WORK/$db.log" "/tmp/connectory-crash-$db.log"
    echo "== the whole log: /tmp/connectory-crash-$db.log"
  fi
done
exit $status
