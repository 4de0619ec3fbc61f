#!/usr/bin/env bash
# Scale-out: 1, then 2, then 3 Connectory instances (the bench host) over one throwaway PostgreSQL cluster behind
# haproxy (round-robin), all on 127.0.0.1. Seeds BENCH_CONNECTIONS connections once, then for each instance count
# measures a read rung (GET by random id), a list rung (first page) and a write rung (create) with wrk, and the CPU
# each process spent per 1,000 requests. Prints one table and where the bottleneck is. Installs wrk, haproxy and
# PostgreSQL from Debian if missing, stops everything and cleans up by itself. Exits non-zero when a rung had errors.
set -euo pipefail
cd "$(dirname "$0")/.."
CONNECTIONS=${BENCH_CONNECTIONS:-20000}
SPACES=${BENCH_SPACES:-200}
DURATION=${BENCH_SECONDS:-10}
WARMUP=${BENCH_WARMUP_SECONDS:-2}
THREADS=${BENCH_THREADS:-2}
CLIENTS=${BENCH_CLIENTS:-32}
TIMEOUT=${BENCH_TIMEOUT:-10s}
COUNTS=${BENCH_INSTANCES:-1 2 3}
PROJECT_CORES=${BENCH_PROJECT_CORES:-16}  # the larger machine the analysis projects to

source bench/cluster.sh haproxy wrk

WORK=$(mktemp -d /tmp/connectory-scale.XXXXXX)
chmod 755 "$WORK"
INSTANCE_PIDS=()
HAPROXY_PID=""
stop_instances() {
  for pid in "${INSTANCE_PIDS[@]}" $HAPROXY_PID; do kill "$pid" 2>/dev/null || true; done
  for pid in "${INSTANCE_PIDS[@]}" $HAPROXY_PID; do wait "$pid" 2>/dev/null || true; done
  INSTANCE_PIDS=()
  HAPROXY_PID=""
}
cleanup() {
  stop_instances
  if [ -d "$WORK/pg" ]; then "${PG_RUN[@]}" "$PG_BIN/pg_ctl" -D "$WORK/pg" -m immediate stop >/dev/null 2>&1 || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

PG_PORT=$(free_port)
if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$WORK"; fi
"${PG_RUN[@]}" "$PG_BIN/initdb" -D "$WORK/pg" -U postgres -A trust --no-sync >/dev/null
"${PG_RUN[@]}" "$PG_BIN/pg_ctl" -D "$WORK/pg" -l "$WORK/pg.log" -w -t 60 start \
  -o "-p $PG_PORT -k $WORK -c listen_addresses=127.0.0.1 -c max_connections=300" >/dev/null
"$PG_BIN/psql" -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -c "CREATE DATABASE connectory" >/dev/null
PG_PID=$(head -1 "$WORK/pg/postmaster.pid")
echo "== PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT"

# lib.sh builds the bench host and sets KEY, BIN and SETTINGS (rate tiers and logging off the measured path).
BENCH_DB=postgres
BENCH_PG="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=connectory"
source bench/lib.sh

# One master key file for every instance, as the README asks of instances that share a database.
echo "k1 $(head -c 32 /dev/urandom | base64)" >"$WORK/master.keys"
chmod 600 "$WORK/master.keys"
SETTINGS+=(--Secrets:MasterKeyFile="$WORK/master.keys")

echo "== seeding $CONNECTIONS connections in $SPACES spaces"
"$BIN" seed --urls=http://127.0.0.1:0 --connections="$CONNECTIONS" --spaces="$SPACES" --ids-file="$WORK/ids.txt" \
  "${SETTINGS[@]}" | grep '^seeded'
# Autovacuum would otherwise analyze the fresh table during the first rung and count as PostgreSQL's CPU per request.
"$PG_BIN/psql" -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d connectory -c "VACUUM ANALYZE" -c "CHECKPOINT" >/dev/null

# The first page of run.sh's list_first rung, so the figures compare with the ladder's.
LIST='/api/v1/data-connections?filter=qType%20eq%20%22QvOdbcPostgres.exe%22&sort=%2BqName&limit=100&noDatafiles=true'

start_instances() { # count
  local n=$1 i port ports=() servers=""
  PROXY_PORT=$(free_port)
  for i in $(seq "$n"); do
    port=$(free_port)
    ports+=("$port")
    # Its own data directory (nothing of it is shared); the database and the master key are.
    "$BIN" serve --urls="http://127.0.0.1:$port" "${SETTINGS[@]}" --data-dir="$WORK/data$i" \
      --RateLimits:Instances="$n" --Hosting:PublicUrl="http://127.0.0.1:$PROXY_PORT" >"$WORK/instance$n.$i.log" 2>&1 &
    INSTANCE_PIDS+=($!)
    servers+="  server i$i 127.0.0.1:$port"$'\n'
  done
  for port in "${ports[@]}"; do
    wait_ready "http://127.0.0.1:$port" || { cat "$WORK"/instance"$n".*.log; exit 1; }
  done
  # Keep-alive to the instances (haproxy's default, http-reuse safe): each request is still balanced on its own, and
  # the proxy reuses idle backend connections instead of opening one per request as http-server-close would; that
  # connect/close cost would be the proxy's and the instances', not what this measures.
  cat >"$WORK/haproxy.cfg" <<EOF
global
  maxconn 2000
defaults
  mode http
  timeout connect 5s
  timeout client 60s
  timeout server 60s
frontend connectory
  bind 127.0.0.1:$PROXY_PORT
  default_backend instances
backend instances
  balance roundrobin
$servers
EOF
  haproxy -q -f "$WORK/haproxy.cfg" &
  HAPROXY_PID=$!
  wait_ready "http://127.0.0.1:$PROXY_PORT"
}

# CPU seconds so far of each measured process: each instance, PostgreSQL (the postmaster, every live backend, and
# the backends that already exited, which the kernel adds to the postmaster's children times), haproxy.
cpu_snapshot() {
  python3 - "$PG_PID" "$HAPROXY_PID" "${INSTANCE_PIDS[@]}" <<'PY'
import os, sys
tick = os.sysconf("SC_CLK_TCK")
def stat(pid):
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return int(f[1]), (int(f[11]) + int(f[12])) / tick, (int(f[13]) + int(f[14])) / tick  # ppid, own, reaped children
pg, proxy, instances = sys.argv[1], sys.argv[2], sys.argv[3:]
pg_cpu = sum(stat(pg)[1:])
for p in os.listdir("/proc"):
    if p.isdigit():
        try:
            ppid, own, _ = stat(p)
        except (FileNotFoundError, ProcessLookupError):
            continue
        if str(ppid) == pg:
            pg_cpu += own
print(" ".join(f"{sum(stat(p)[1:]):.2f}" for p in instances), f"{pg_cpu:.2f}", f"{sum(stat(proxy)[1:]):.2f}")
PY
}

# {phase} in an argument becomes warm or run: create.lua's names restart their counter with each wrk, and a repeated
# name would be a 409.
# --timeout: wrk's default of 2 s counts a slow answer as a socket error and leaves it out of the latencies; on a
# shared machine a slow answer belongs in p99, and an error is a request that failed.
measure() { # instance count, rung name, then wrk arguments
  local n=$1 name=$2; shift 2
  wrk -t"$THREADS" -c"$CLIENTS" -d"${WARMUP}s" --timeout "$TIMEOUT" "${@//\{phase\}/warm}" >/dev/null 2>&1
  cpu_snapshot >"$WORK/$n.$name.cpu"
  wrk -t"$THREADS" -c"$CLIENTS" -d"${DURATION}s" --timeout "$TIMEOUT" --latency "${@//\{phase\}/run}" >"$WORK/$n.$name.txt" 2>&1 \
    || { echo "wrk failed on $name:"; cat "$WORK/$n.$name.txt"; exit 1; }
  cpu_snapshot >>"$WORK/$n.$name.cpu"
}

W=bench/wrk
for n in $COUNTS; do
  start_instances "$n"
  echo "== $n instance(s) behind haproxy on 127.0.0.1:$PROXY_PORT"
  URL=http://127.0.0.1:$PROXY_PORT
  measure "$n" read -s $W/ids.lua "$URL" -- "$WORK/ids.txt" "/api/v1/data-connections/%s" "$KEY"
  measure "$n" list -H "Authorization: Bearer $KEY" "$URL$LIST"
  measure "$n" create -s $W/create.lua "$URL" -- "s$n-{phase}" "$KEY"
  if grep -q '"LogLevel":"\(Error\|Critical\)"' "$WORK"/instance"$n".*.log; then
    echo "an instance logged errors:"; grep -h '"LogLevel":"\(Error\|Critical\)"' "$WORK"/instance"$n".*.log | head -5
    echo "instance log errors" >>"$WORK/log-errors"
  fi
  stop_instances
done

status=0
python3 - "$WORK" "$CONNECTIONS" "$SPACES" "$(nproc)" "$COUNTS" "$PROJECT_CORES" <<'PY' || status=$?
import re, sys, pathlib
work, n_conn, n_spaces, cores, counts, project = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5].split(), int(sys.argv[6])
def ms(v, unit): return float(v) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
def parse(n, rung):
    t = pathlib.Path(f"{work}/{n}.{rung}.txt").read_text()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))
    requests = int(re.search(r"(\d+) requests in", t).group(1))
    lat = dict((p, ms(v, u)) for p, v, u in re.findall(r"\s(50|99)%\s+([\d.]+)(us|ms|s)\b", t))
    errors = sum(int(x) for x in re.findall(r"Non-2xx or 3xx responses: (\d+)", t))
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", t)
    errors += sum(int(x) for x in sock.groups()) if sock else 0
    before, after = (list(map(float, l.split())) for l in pathlib.Path(f"{work}/{n}.{rung}.cpu").read_text().split("\n")[:2])
    per_1k = [(a - b) / requests * 1000 for a, b in zip(after, before)]  # instances..., PostgreSQL, haproxy
    return dict(rps=rps, p50=lat.get("50", 0), p99=lat.get("99", 0), errors=errors,
                svc=per_1k[:-2], pg=per_1k[-2], proxy=per_1k[-1])
rungs = ["read", "list", "create"]
r = {(n, rung): parse(n, rung) for n in counts for rung in rungs}
print(f"\n{n_conn} connections in {n_spaces} spaces, PostgreSQL, {cores} cores; wrk through haproxy")
print("CPU columns: CPU seconds per 1,000 requests (each instance; PostgreSQL, all its processes; haproxy)\n")
print("| instances | rung | req/s | vs 1 instance | p50 ms | p99 ms | errors | CPU each instance | CPU PostgreSQL | CPU haproxy |")
print("| ---: | --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |")
for rung in rungs:
    for n in counts:
        x, base = r[(n, rung)], r[(counts[0], rung)]
        svc = " / ".join(f"{c:.2f}" for c in x["svc"])
        print(f"| {n} | {rung} | {x['rps']:.0f} | {x['rps'] / base['rps']:.2f} | {x['p50']:.2f} | {x['p99']:.2f} | {x['errors']} "
              f"| {svc} | {x['pg']:.2f} | {x['proxy']:.2f} |")

# CPU per request does not depend on the instance count, so the analysis takes the mean over all counts (less noise).
print("\nWhere the bottleneck is (CPU seconds per 1,000 requests, mean over the instance counts):\n")
def mean(values): return sum(values) / len(values)
for rung in rungs:
    x = r[(counts[0], rung)]
    svc = mean([sum(r[(n, rung)]["svc"]) for n in counts])
    pg = mean([r[(n, rung)]["pg"] for n in counts])
    proxy = mean([r[(n, rung)]["proxy"] for n in counts])
    one = sum(x["svc"]) + x["pg"] + x["proxy"]
    big = project  # a larger machine, haproxy and the load generator elsewhere: cores split in the ratio of CPU per request
    print(f"- {rung}: service {svc:.2f}, PostgreSQL {pg:.2f}, haproxy {proxy:.2f}; service / PostgreSQL = {svc / pg:.1f}.\n"
          f"  One core serves about {1000 / svc:.0f} req/s of service or {1000 / pg:.0f} req/s of PostgreSQL. Here the {cores} cores "
          f"hold all three (and wrk): with one instance at most about {cores * 1000 / one:.0f} req/s by its own CPU figures; measured {x['rps']:.0f}.\n"
          f"  On a larger machine instances scale until PostgreSQL's CPU per request x rate saturates its cores: about "
          f"{1000 / pg:.0f} req/s per PostgreSQL core, each wanting {svc / pg:.1f} cores of instances; with {big} cores "
          f"({big * pg / (svc + pg):.1f} for PostgreSQL, {big * svc / (svc + pg):.1f} for instances) about {big * 1000 / (svc + pg):.0f} req/s.")
more = [n for n in counts if n != counts[0]]
if more:
    worst = min(r[(n, rung)]["rps"] / r[(counts[0], rung)]["rps"] for n in more for rung in rungs)
    print(f"\nLowest throughput of any rung with more instances, against {counts[0]}: {worst:.2f}x. On {cores} cores the "
          "instances, PostgreSQL, haproxy and wrk share the same cores, so more instances cannot add throughput here; "
          "near 1 means they add no contention of their own.")
errors = sum(x["errors"] for x in r.values())
print(f"errors: {errors}")
for n in counts:
    for rung in rungs:
        if r[(n, rung)]["errors"]:
            t = pathlib.Path(f"{work}/{n}.{rung}.txt").read_text()
            print(f"  {n} instance(s), {rung}:", "; ".join(l.strip() for l in t.splitlines() if "Non-2xx" in l or "Socket errors" in l))
sys.exit(1 if errors else 0)
PY
if [ -f "$WORK/log-errors" ]; then status=1; fi
exit $status
