#!/usr/bin/env bash
# What reaching spaces through groups costs. Seeds BENCH_CONNECTIONS connections in BENCH_SPACES shared spaces, then
# through the API gives two plain users the same dataconsumer role in the same BENCH_REACHED spaces: one by user
# assignments, the other through BENCH_REACHED groups (one assigned per space) among BENCH_GROUPS groups they belong
# to. Measures GET by id and the first list page as each, interleaved, twice, and prints requests/s and the
# through-groups / direct ratios (figures in bench/README.md). SQLite by default; BENCH_DB=postgres with
# BENCH_PG="<Npgsql connection string>" for PostgreSQL. Stops by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
CONNECTIONS=${BENCH_CONNECTIONS:-20000}
SPACES=${BENCH_SPACES:-200}
REACHED=${BENCH_REACHED:-50}
GROUP_COUNT=${BENCH_GROUPS:-200}
DURATION=${BENCH_SECONDS:-5}
THREADS=${BENCH_THREADS:-2}
CLIENTS=${BENCH_CLIENTS:-16}
PORT=${BENCH_PORT:-5092}
URL=http://127.0.0.1:$PORT

WORK=$(mktemp -d /tmp/connectory-bench-groups.XXXXXX)
SERVER_PID=""
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

source bench/lib.sh

echo "== seeding $CONNECTIONS connections in $SPACES spaces (${BENCH_DB:-sqlite})"
"$BIN" seed --urls=http://127.0.0.1:0 --connections="$CONNECTIONS" --spaces="$SPACES" --ids-file="$WORK/all-ids.txt" "${SETTINGS[@]}" >/dev/null
"$BIN" serve --urls="$URL" "${SETTINGS[@]}" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
wait_ready "$URL"

echo "== two users reach $REACHED spaces: one directly, one through $REACHED of its $GROUP_COUNT groups"
python3 - "$URL" "$KEY" "$REACHED" "$GROUP_COUNT" "$WORK" <<'PY'
import json, sys, urllib.request
url, key, reached, groups, work = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
def call(method, path, body=None, token=key):
    req = urllib.request.Request(url + path, method=method, data=None if body is None else json.dumps(body).encode(),
                                 headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        text = r.read()
        return json.loads(text) if text else None
spaces, path = [], "/api/v1/spaces?type=shared&limit=100"
while path and len(spaces) < reached:
    page = call("GET", path)
    spaces += [s["id"] for s in page["data"]]
    nxt = page.get("links", {}).get("next", {}).get("href")
    path = nxt[len(url):] if nxt else None
spaces = spaces[:reached]
assert len(spaces) == reached, f"found {len(spaces)} shared spaces, wanted {reached}"
def user(name):
    made = call("POST", "/api/v1/users", {"subject": name, "name": name})
    token = call("POST", "/api/v1/api-keys", {"description": name, "sub": made["id"]})["token"]
    return made["id"], token
direct, direct_key = user("bench-direct")
grouped, grouped_key = user("bench-grouped")
for i in range(groups):
    group = call("POST", "/api/v1/groups", {"name": f"bench-group-{i:04d}", "providerType": "custom"})["id"]
    call("PUT", f"/api/v1/groups/{group}/members/{grouped}")
    if i < reached:
        call("POST", f"/api/v1/spaces/{spaces[i]}/assignments", {"type": "group", "assigneeId": group, "roles": ["dataconsumer"]})
for space in spaces:
    call("POST", f"/api/v1/spaces/{space}/assignments", {"type": "user", "assigneeId": direct, "roles": ["dataconsumer"]})
# The ids both may read: every connection of the reached spaces.
ids, path = [], "/api/v1/data-connections?limit=100&noDatafiles=true"
while path:
    page = call("GET", path, token=direct_key)
    ids += [c["qID"] for c in page["data"]]
    nxt = page.get("links", {}).get("next", {}).get("href")
    path = nxt[len(url):] if nxt else None
seen = call("GET", "/api/v1/data-connections?limit=100&noDatafiles=true&countTotal=true", token=grouped_key)
first = [c["qID"] for c in seen["data"]]
assert ids and first == ids[:len(first)], f"the two users must see the same connections ({len(ids)} direct, {len(first)} on a first page)"
open(f"{work}/ids.txt", "w").write("\n".join(ids) + "\n")
open(f"{work}/keys.env", "w").write(f"DIRECT_KEY={direct_key}\nGROUPED_KEY={grouped_key}\nVISIBLE={len(ids)}\n")
PY
source "$WORK/keys.env"
echo "== each sees $VISIBLE connections"

W=bench/wrk
LIST="/api/v1/data-connections?sort=%2BqName&limit=100&noDatafiles=true"
run() { # file, then wrk arguments
  wrk -t"$THREADS" -c"$CLIENTS" -d"${DURATION}s" --latency "${@:2}" >"$WORK/$1" 2>&1 || { echo "wrk failed:"; cat "$WORK/$1"; exit 1; }
}
for ROUND in 1 2; do
  echo "== round $ROUND"
  for WHO in direct grouped; do
    TOKEN=$([ "$WHO" = direct ] && echo "$DIRECT_KEY" || echo "$GROUPED_KEY")
    run "get_by_id.$WHO.$ROUND" -s $W/ids.lua "$URL" -- "$WORK/ids.txt" "/api/v1/data-connections/%s" "$TOKEN"
    run "list_first.$WHO.$ROUND" -H "Authorization: Bearer $TOKEN" "$URL$LIST"
  done
done

python3 - "$WORK" "$CONNECTIONS" "$SPACES" "$REACHED" "$GROUP_COUNT" "${BENCH_DB:-sqlite}" <<'PY'
import re, sys, pathlib
work, n, s, reached, groups, db = sys.argv[1:]
def parse(path):
    t = pathlib.Path(path).read_text()
    errors = sum(int(x) for x in re.findall(r"Non-2xx or 3xx responses: (\d+)", t))
    return float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1)), errors
print(f"\n{n} connections in {s} spaces, {db}; {reached} spaces reached directly or through {reached} of {groups} groups; mean of 2 interleaved rounds\n")
print("| rung | direct req/s | through groups req/s | groups / direct | errors |")
print("| --- | ---: | ---: | ---: | ---: |")
for name in ["get_by_id", "list_first"]:
    d = [parse(f"{work}/{name}.direct.{r}") for r in (1, 2)]
    g = [parse(f"{work}/{name}.grouped.{r}") for r in (1, 2)]
    md, mg = sum(x[0] for x in d) / 2, sum(x[0] for x in g) / 2
    print(f"| {name} | {md:.0f} | {mg:.0f} | {mg / md:.2f} | {sum(x[1] for x in d + g)} |")
PY
