# What the scripts that run a throwaway PostgreSQL cluster share; sourced with the Debian packages they need as
# arguments (postgresql and what else is missing is installed). Defines as_root, free_port, PG_BIN (the newest
# PostgreSQL's bin directory) and PG_RUN (runs a command as the postgres user when we are root: PostgreSQL refuses root).

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

missing=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
for package in "$@"; do command -v "$package" >/dev/null || missing+=("$package"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing ${missing[*]} from Debian"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
fi
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
PG_RUN=()
if [ "$(id -u)" = 0 ]; then PG_RUN=(runuser -u postgres --); fi
