#!/usr/bin/env bash
# The secrets benchmark: the product's envelope encryption per secret against bare AES-256-GCM (single thread, after
# a warm-up), and `keys rotate` over BENCH_SECRETS credentials seeded into a fresh SQLite data directory through the
# product's model. Prints markdown tables. Stops by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${BENCH_SECRETS:-100000}
OPS=${BENCH_OPS:-200000}

WORK=$(mktemp -d /tmp/connectory-bench-secrets.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

dotnet build bench/Connectory.Bench -c Release -v q -nologo >/dev/null
BIN=bench/Connectory.Bench/bin/Release/net10.0/connectory-bench
# ReloadSeconds=0: one process, so `keys rotate` need not wait for other instances to re-read the key file.
"$BIN" secrets --urls=http://127.0.0.1:0 --count="$COUNT" --ops="$OPS" --data-dir="$WORK/data" \
  --Secrets:ReloadSeconds=0 --Logging:LogLevel:Default=Warning --Logging:LogLevel:Microsoft.Hosting.Lifetime=Warning
