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
trap 'rm -rf "$WORK"' EXIT

dotnet build tests/Connectory.Tests -c Release -v q -nologo 2>&1 | grep -E ' error |warn' || true
cp -r tests/Connectory.Tests/bin/Release/net10.0 "$WORK/bin"

status=0
for db in $DBS; do
  start=$(date +%s)
  # No hang timeout here: a batch of 40 kills takes minutes.
  CONNECTORY_TEST_DB=$db CONNECTORY_TEST_CRASH_KILLS=$KILLS CONNECTORY_TEST_START_KILLS=$START_KILLS dotnet test "$WORK/bin/Connectory.Tests.dll" \
    --filter "FullyQualifiedName~Crash.CrashTests|FullyQualifiedName~Hosting.StartKillTests" --logger "console;verbosity=detailed" >"$WORK/$db.log" 2>&1 || status=1
  echo "== $db: $KILLS server kills under writers and $((START_KILLS + START_KILLS / 2)) kills of starting servers, $(( $(date +%s) - start )) s in all"
  grep -E '^ *(SQLite|PostgreSQL), [0-9]+ of [0-9]+ batches' "$WORK/$db.log" | sed 's/^ *//' || true
  grep -E '^ *[0-9]+ kills \(after' "$WORK/$db.log" | sed 's/^ *//' || true
  grep -E -A3 '\[FAIL\]|Total tests|Passed:|Failed:' "$WORK/$db.log" | head -20 || true
done
exit $status
