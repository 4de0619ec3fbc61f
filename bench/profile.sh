#!/usr/bin/env bash
# Where the time of a GET by id goes: seeds a store, serves it, loads it with wrk and samples the server's threads with
# dotnet-trace for 10 s, then prints the share of CPU samples per part of a request (Kestrel, sign-in, access, rate
# limits, query, serialization, DI and EF, telemetry). SQLite by default; BENCH_DB=postgres with BENCH_PG="<Npgsql
# connection string>". BENCH_PATH=list profiles the first list page instead. Installs dotnet-trace into a temp tool
# path if it is not on PATH. Stops by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
CONNECTIONS=${BENCH_CONNECTIONS:-20000}
SPACES=${BENCH_SPACES:-200}
PORT=${BENCH_PORT:-5092}
URL=http://127.0.0.1:$PORT
WORK=$(mktemp -d /tmp/connectory-bench-profile.XXXXXX)
SERVER_PID=""
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

source bench/lib.sh
TRACE=$(command -v dotnet-trace || true)
[ -z "$TRACE" ] && [ -x "$HOME/.dotnet/tools/dotnet-trace" ] && TRACE=$HOME/.dotnet/tools/dotnet-trace
if [ -z "$TRACE" ]; then
  echo "== installing dotnet-trace"
  dotnet tool install dotnet-trace --tool-path "$WORK/tools" >/dev/null
  TRACE=$WORK/tools/dotnet-trace
fi

echo "== seeding $CONNECTIONS connections in $SPACES spaces (${BENCH_DB:-sqlite})"
"$BIN" seed --urls=http://127.0.0.1:0 --connections="$CONNECTIONS" --spaces="$SPACES" --ids-file="$WORK/ids.txt" "${SETTINGS[@]}" >/dev/null
# Telemetry as the other rungs measure it: off (bench/telemetry.sh measures it on).
"$BIN" serve --urls="$URL" "${SETTINGS[@]}" --Metrics:Scrape=off --Logging:AccessLog=false >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
wait_ready "$URL"

if [ "${BENCH_PATH:-get}" = list ]; then
  LOAD=(-H "Authorization: Bearer $KEY" "$URL/api/v1/data-connections?sort=%2BqName&limit=100&noDatafiles=true")
else
  LOAD=(-s bench/wrk/ids.lua "$URL" -- "$WORK/ids.txt" "/api/v1/data-connections/%s" "$KEY")
fi
wrk -t2 -c16 -d3s "${LOAD[@]}" >/dev/null 2>&1   # warm-up: the JIT settles before sampling
wrk -t2 -c16 -d13s "${LOAD[@]}" >"$WORK/wrk.txt" 2>&1 &
WRK_PID=$!
sleep 1
echo "== sampling the server's threads for 10 s under load"
"$TRACE" collect -p "$SERVER_PID" --profile dotnet-sampled-thread-time --format Speedscope --duration 00:00:00:10 \
  -o "$WORK/trace.nettrace" >"$WORK/trace.log" 2>&1 || { cat "$WORK/trace.log"; exit 1; }
wait "$WRK_PID"
grep -E "Requests/sec|Non-2xx" "$WORK/wrk.txt" || true
echo
python3 bench/profile/breakdown.py "$WORK/trace.speedscope.json"
