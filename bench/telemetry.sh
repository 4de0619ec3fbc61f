#!/usr/bin/env bash
# The cost of telemetry: the same wrk load against the same seeded store with telemetry off (no metrics, no access
# log) and on (metrics collected and scraped every 5 s, one JSON access line per request written to a file), in
# alternating rounds. Prints, per rung and mode, the median requests/s and the median server CPU time per request (from
# /proc: on a 2-core machine shared with wrk, CPU per request varies less between rounds than throughput does), and the
# on/off ratios of both. SQLite by default; BENCH_DB=postgres with BENCH_PG="<Npgsql connection string>" for PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
CONNECTIONS=${BENCH_CONNECTIONS:-20000}
SPACES=${BENCH_SPACES:-200}
DURATION=${BENCH_SECONDS:-5}
ROUNDS=${BENCH_ROUNDS:-4}
THREADS=${BENCH_THREADS:-2}
CLIENTS=${BENCH_CLIENTS:-16}
PORT=${BENCH_PORT:-5091}
URL=http://127.0.0.1:$PORT

WORK=$(mktemp -d /tmp/connectory-bench-telemetry.XXXXXX)
SERVER_PID=""
SCRAPER_PID=""
stop_server() {
  [ -n "$SCRAPER_PID" ] && kill "$SCRAPER_PID" 2>/dev/null && wait "$SCRAPER_PID" 2>/dev/null || true
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""; SCRAPER_PID=""
}
cleanup() { stop_server; rm -rf "$WORK"; }
trap cleanup EXIT

source bench/lib.sh
OFF=(--Metrics:Scrape=off --Logging:AccessLog=false)
ON=(--Metrics:Scrape=admin --Logging:AccessLog=true --Logging:Format=json --Logging:LogLevel:Connectory.Access=Information)

echo "== seeding $CONNECTIONS connections in $SPACES spaces (${BENCH_DB:-sqlite})"
"$BIN" seed --urls=http://127.0.0.1:0 --connections="$CONNECTIONS" --spaces="$SPACES" --ids-file="$WORK/ids.txt" "${SETTINGS[@]}" >/dev/null

start_server() { # mode
  local mode=$1; local extra
  if [ "$mode" = on ]; then extra=("${ON[@]}"); else extra=("${OFF[@]}"); fi
  "$BIN" serve --urls="$URL" "${SETTINGS[@]}" "${extra[@]}" >"$WORK/server.$mode.log" 2>&1 &
  SERVER_PID=$!
  wait_ready "$URL"
  if [ "$mode" = on ]; then
    # As Prometheus would, if much more often than its usual 15 s.
    ( while sleep 5; do curl -s -o /dev/null -H "Authorization: Bearer $KEY" "$URL/metrics"; done ) &
    SCRAPER_PID=$!
  fi
}

W=bench/wrk
LIST="/api/v1/data-connections?sort=%2BqName&limit=100&noDatafiles=true"
cpu_ticks() { awk '{print $14 + $15}' "/proc/$SERVER_PID/stat"; }
run() { # file, then wrk arguments
  local out=$1; shift
  local before; before=$(cpu_ticks)
  wrk -t"$THREADS" -c"$CLIENTS" -d"${DURATION}s" --latency "$@" >"$out" 2>&1 || { echo "wrk failed:"; cat "$out"; exit 1; }
  echo "cpu_ticks: $(( $(cpu_ticks) - before )) per $(getconf CLK_TCK)" >>"$out"
}
rungs() { # mode, round
  local tag="$1.$2"
  # A short warm-up so both modes are measured after the JIT has settled.
  wrk -t"$THREADS" -c"$CLIENTS" -d2s -s $W/ids.lua "$URL" -- "$WORK/ids.txt" "/api/v1/data-connections/%s" "$KEY" >/dev/null 2>&1
  run "$WORK/get_by_id.$tag.txt" -s $W/ids.lua "$URL" -- "$WORK/ids.txt" "/api/v1/data-connections/%s" "$KEY"
  run "$WORK/list_first.$tag.txt" -H "Authorization: Bearer $KEY" "$URL$LIST"
  run "$WORK/create.$tag.txt" -s $W/create.lua "$URL" -- "t$tag" "$KEY"
}
for ROUND in $(seq "$ROUNDS"); do
  for MODE in off on; do
    echo "== round $ROUND, telemetry $MODE"
    start_server "$MODE"; rungs "$MODE" "$ROUND"; stop_server
  done
done
ACCESS_LINES=$(grep -c '"Category":"Connectory.Access"' "$WORK/server.on.log" || true)

python3 - "$WORK" "$ROUNDS" "${BENCH_DB:-sqlite}" "$ACCESS_LINES" <<'PY'
import re, sys, pathlib, statistics
work, rounds, db, access = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
def parse(path):
    t = pathlib.Path(path).read_text()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))
    requests = int(re.search(r"(\d+) requests in", t).group(1))
    ticks, hz = map(int, re.search(r"cpu_ticks: (\d+) per (\d+)", t).groups())
    errors = sum(int(x) for x in re.findall(r"Non-2xx or 3xx responses: (\d+)", t))
    return rps, ticks / hz / requests * 1e6, errors
print(f"\n{db}; {rounds} rounds, off and on alternating; medians over the rounds\n")
print("| rung | off req/s | on req/s | on / off | off CPU µs/req | on CPU µs/req | on / off | errors |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for name in ["get_by_id", "list_first", "create"]:
    off = [parse(f"{work}/{name}.off.{r}.txt") for r in range(1, rounds + 1)]
    on = [parse(f"{work}/{name}.on.{r}.txt") for r in range(1, rounds + 1)]
    r_off, r_on = statistics.median(x[0] for x in off), statistics.median(x[0] for x in on)
    c_off, c_on = statistics.median(x[1] for x in off), statistics.median(x[1] for x in on)
    print(f"| {name} | {r_off:.0f} | {r_on:.0f} | {r_on / r_off:.3f} | {c_off:.0f} | {c_on:.0f} | {c_on / c_off:.3f} | {sum(x[2] for x in off + on)} |")
print(f"\naccess lines written in the last 'on' run: {access}")
PY
