# What the wrk benchmarks share; sourced after the script has set WORK (its temp directory).
# Defines KEY (the bootstrap admin's API key), BIN (the bench host, built), SETTINGS (the store, the key, rate tiers and
# logging off the measured path) and wait_ready URL.

command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }

KEY="cnx_bench_$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"

dotnet build bench/Connectory.Bench -c Release -v q -nologo >/dev/null
BIN=bench/Connectory.Bench/bin/Release/net10.0/connectory-bench

# The rate tiers are off the measured path: the load is one user far above any per-minute limit.
SETTINGS=(--data-dir="$WORK/data" --Auth:BootstrapApiKey="$KEY" --RateLimits:Tier1PerMinute=1000000000 --RateLimits:Tier2PerMinute=1000000000
  --Logging:LogLevel:Default=Warning --Logging:LogLevel:Microsoft.Hosting.Lifetime=Warning)
if [ "${BENCH_DB:-sqlite}" = postgres ]; then
  SETTINGS+=(--Database:Provider=postgres --Database:MigrateAtStart=true "--ConnectionStrings:Connectory=$BENCH_PG")
fi

wait_ready() { # url
  for _ in $(seq 120); do curl -sf "$1/health/ready" >/dev/null && return 0; sleep 0.5; done
  echo "the service at $1 did not become ready in 60 s" >&2
  return 1
}
