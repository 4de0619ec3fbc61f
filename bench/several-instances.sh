#!/usr/bin/env bash
# Two Connectory instances over one PostgreSQL database behind haproxy (round-robin), all on 127.0.0.1, and the checks
# of bench/several-instances.mjs against them: same-name creates, paging under churn, revocation across instances, rate
# limits across instances. Installs haproxy and PostgreSQL from Debian if missing, starts a throwaway cluster, stops
# everything and cleans up by itself. Exits non-zero when a check fails.
set -euo pipefail
cd "$(dirname "$0")/.."
TIER1=${SEVERAL_TIER1:-2000}
TIER2=${SEVERAL_TIER2:-300}
SIGN_IN_CACHE_SECONDS=${SEVERAL_SIGN_IN_CACHE_SECONDS:-5}

source bench/cluster.sh haproxy

WORK=$(mktemp -d /tmp/connectory-several.XXXXXX)
chmod 755 "$WORK"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ -d "$WORK/pg" ]; then "${PG_RUN[@]}" "$PG_BIN/pg_ctl" -D "$WORK/pg" -m immediate stop >/dev/null 2>&1 || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "== build"
dotnet build src/Connectory -c Release -v q -nologo 2>&1 | grep -E ' error |warn' || true
BIN=src/Connectory/bin/Release/net10.0/connectory.dll

PG_PORT=$(free_port)
if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$WORK"; fi
"${PG_RUN[@]}" "$PG_BIN/initdb" -D "$WORK/pg" -U postgres -A trust --no-sync >/dev/null
"${PG_RUN[@]}" "$PG_BIN/pg_ctl" -D "$WORK/pg" -l "$WORK/pg.log" -w -t 60 start \
  -o "-p $PG_PORT -k $WORK -c listen_addresses=127.0.0.1 -c max_connections=200" >/dev/null
"$PG_BIN/psql" -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -c "CREATE DATABASE connectory" >/dev/null
echo "== PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT"

# One master key file for both instances, as the README asks of instances that share a database.
echo "k1 $(head -c 32 /dev/urandom | base64)" >"$WORK/master.keys"
chmod 600 "$WORK/master.keys"
ADMIN_KEY="several-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
PROXY_PORT=$(free_port)
A_PORT=$(free_port)
B_PORT=$(free_port)
export Database__Provider=postgres
export ConnectionStrings__Connectory="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=connectory"
export Secrets__MasterKeyFile="$WORK/master.keys"
export Auth__BootstrapApiKey="$ADMIN_KEY" Auth__SignInCacheSeconds="$SIGN_IN_CACHE_SECONDS"
export RateLimits__Instances=2 RateLimits__Tier1PerMinute="$TIER1" RateLimits__Tier2PerMinute="$TIER2"
export Hosting__PublicUrl="http://127.0.0.1:$PROXY_PORT"
export Logging__LogLevel__Default=Warning DOTNET_NOLOGO=1

dotnet exec "$BIN" migrate --data-dir "$WORK/a" >"$WORK/migrate.log" 2>&1 || { cat "$WORK/migrate.log"; exit 1; }
for name in a b; do
  port=$([ $name = a ] && echo "$A_PORT" || echo "$B_PORT")
  dotnet exec "$BIN" serve --urls "http://127.0.0.1:$port" --data-dir "$WORK/$name" >"$WORK/$name.log" 2>&1 &
  PIDS+=($!)
done
for port in "$A_PORT" "$B_PORT"; do
  for _ in $(seq 240); do
    curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && break
    sleep 0.5
  done
  curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null || { echo "an instance did not become ready"; cat "$WORK"/[ab].log; exit 1; }
done
echo "== instances on 127.0.0.1:$A_PORT and 127.0.0.1:$B_PORT, RateLimits:Instances=2, Tier1 $TIER1/min, Tier2 $TIER2/min"

# http-server-close: every request is balanced on its own, even over one kept-alive client connection.
cat >"$WORK/haproxy.cfg" <<EOF
global
  maxconn 2000
defaults
  mode http
  option http-server-close
  timeout connect 5s
  timeout client 60s
  timeout server 60s
frontend connectory
  bind 127.0.0.1:$PROXY_PORT
  default_backend instances
backend instances
  balance roundrobin
  server a 127.0.0.1:$A_PORT
  server b 127.0.0.1:$B_PORT
EOF
haproxy -q -f "$WORK/haproxy.cfg" &
PIDS+=($!)
for _ in $(seq 40); do curl -sf "http://127.0.0.1:$PROXY_PORT/health/ready" >/dev/null && break; sleep 0.25; done
echo "== haproxy $(haproxy -v | head -1 | awk '{print $3}') round-robin on 127.0.0.1:$PROXY_PORT"

start=$(date +%s.%N)
status=0
PROXY="http://127.0.0.1:$PROXY_PORT" INSTANCE_A="http://127.0.0.1:$A_PORT" INSTANCE_B="http://127.0.0.1:$B_PORT" \
  ADMIN_KEY="$ADMIN_KEY" TIER1="$TIER1" TIER2="$TIER2" SIGN_IN_CACHE_SECONDS="$SIGN_IN_CACHE_SECONDS" \
  node bench/several-instances.mjs || status=$?
printf '== checks took %.1f s\n' "$(echo "$(date +%s.%N) - $start" | bc)"
if grep -q '"LogLevel":"\(Error\|Critical\)"' "$WORK"/[ab].log; then
  echo "FAIL an instance logged errors:"; grep '"LogLevel":"\(Error\|Critical\)"' "$WORK"/[ab].log | head -5; status=1
fi
exit $status
