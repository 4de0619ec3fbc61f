#!/usr/bin/env bash
# Start time of the service, and what serving the API documents costs: starts the published-style build N times over
# a fresh data directory each and times exec -> first 200 from /health/live (median), then times the first fetch of
# every /openapi document (generation) and a second round (cached). With BASE=<path to another build's connectory>,
# alternates the two builds and prints the ratio of their medians. Loopback only; every process it starts, it stops.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-7}
PORT=${PORT:-5397}
CURRENT=${CURRENT:-src/Connectory/bin/Release/net10.0/connectory}
BASE=${BASE:-}
[ -x "$CURRENT" ] || dotnet build src/Connectory -c Release -v q -nologo >/dev/null

now_ms() { date +%s%3N; }

# Sets MS to the milliseconds from exec until /health/live answers 200, leaving the process running as $PID.
start() {
  local binary=$1 dir
  dir=$(mktemp -d /tmp/connectory-startup.XXXXXX)
  local t0; t0=$(now_ms)
  "$binary" --urls "http://127.0.0.1:$PORT" --data-dir "$dir/data" >"$dir/log" 2>&1 &
  PID=$!
  DIR=$dir
  for _ in $(seq 1 600); do
    if curl -sf -o /dev/null "http://127.0.0.1:$PORT/health/live"; then MS=$(( $(now_ms) - t0 )); return; fi
    sleep 0.02
  done
  echo "no answer within 12 s" >&2; cat "$dir/log" >&2; exit 1
}

stop() { kill "$PID"; wait "$PID" 2>/dev/null || true; rm -rf "$DIR"; }

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

fetch_all() {
  local t0; t0=$(now_ms)
  for name in $(curl -sf "http://127.0.0.1:$PORT/openapi/" | grep -o '"name":"[^"]*"' | cut -d'"' -f4); do
    curl -sf -o /dev/null "http://127.0.0.1:$PORT/openapi/$name.json"
  done
  echo $(( $(now_ms) - t0 ))
}

current=(); base=(); first=(); cached=()
for _ in $(seq 1 "$RUNS"); do
  if [ -n "$BASE" ]; then start "$BASE"; base+=("$MS"); stop; fi
  start "$CURRENT"; current+=("$MS")
  first+=("$(fetch_all)"); cached+=("$(fetch_all)")
  stop
done

cur=$(printf '%s\n' "${current[@]}" | median)
echo "start to ready (median of $RUNS): ${cur} ms   [${current[*]}]"
if [ -n "$BASE" ]; then
  b=$(printf '%s\n' "${base[@]}" | median)
  echo "base build start to ready:        ${b} ms   [${base[*]}]"
  awk -v c="$cur" -v b="$b" 'BEGIN { printf "ratio current/base: %.2f\n", c / b }'
fi
echo "all API documents, first fetch (generation): $(printf '%s\n' "${first[@]}" | median) ms; second fetch (cached): $(printf '%s\n' "${cached[@]}" | median) ms"
