#!/usr/bin/env bash
# A long run of the spec-driven fuzz test (tests/Connectory.Tests/Fuzzing): every operation of every API document in
# ../shared/spec with generated valid, boundary and broken requests, on SQLite and PostgreSQL. Prints one summary line
# per database: requests, statuses, rate, memory. Any 5xx or error outside its family's shape fails the run.
#   bash bench/fuzz.sh                         # 100,000 requests per database
#   FUZZ_REQUESTS=5000 FUZZ_SEED=42 bash bench/fuzz.sh
set -euo pipefail
cd "$(dirname "$0")/.."
report=$(mktemp)
trap 'rm -f "$report"' EXIT
export CONNECTORY_TEST_FUZZ_REQUESTS=${FUZZ_REQUESTS:-100000} CONNECTORY_TEST_FUZZ_REPORT=$report
if [ -n "${FUZZ_SEED:-}" ]; then export CONNECTORY_TEST_FUZZ_SEED=$FUZZ_SEED; fi
bash scripts/test.sh --filter "FullyQualifiedName~SpecFuzzTests" | tail -1
cat "$report"
