#!/usr/bin/env bash
# Issue #10: the two engines side by side in one run, release build, wrk on loopback.
#   1. guarded GET (key, decision, read, decrypt, mask, durable audit) and
#   2. consent change (token, receipt, history, state, outbox, audit)
# on SQLite (one server), PostgreSQL with one server, and PostgreSQL with two servers on the
# same database (two wrk processes, one per server, rates added). PostgreSQL, the servers and
# wrk share this machine's cores. PostgreSQL is a throw-away cluster (scripts/postgres.sh).
#   Benchmarks/engines.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-20}"
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)" >&2; exit 1; }
swift build -c release --product consentry >&2
bin=.build/release/consentry
work="$(mktemp -d)"
eval "$(scripts/postgres.sh start)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  scripts/postgres.sh stop "$PG_TEST_DIR"
  rm -rf "$work"
}
trap cleanup EXIT
server_url=$CONSENTRY_TEST_POSTGRES_URL
summarize() {  # wrk --latency output → rate, p50, p99
  awk '/Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /Non-2xx/ {bad=$NF}
    END {printf "%s %s %s %s\n", rps, p50, p99, (bad == "" ? 0 : bad)}'
}
start() {  # data-dir port [database-url] [demo]
  local dir=$1 port=$2 url=${3:-} demo=${4:-}
  local args=(serve --data-dir "$dir" --port "$port" --log-level warning --retention-hours 0)
  [ -n "$url" ] && args+=(--database "$url")
  if [ -n "$demo" ]; then
    args+=(--demo)
  else
    # A second server of the same installation accepts the demo's customer tokens too.
    args+=(--jwt-issuer consentry-dev --jwt-audience consentry-self-service --jwt-secret-file "$dir/dev-jwt-secret")
  fi
  "$bin" "${args[@]}" >>"$work/serve-$port.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1 && return 0; sleep 0.2; done
  echo "server on $port did not start" >&2; cat "$work/serve-$port.log" >&2; exit 1
}
prepare() {  # data-dir port: a customer id to read and 50 customer tokens
  local dir=$1 port=$2 url=${3:-}
  . "$dir/demo-keys.env"
  local api="http://127.0.0.1:$port/tmf-api"
  id=$(curl -s -H "Authorization: Bearer $CSR_KEY" -H 'X-Purpose: customer-care' "$api/customerManagement/v4/customer?limit=20" \
    | python3 -c 'import json,sys; print(next(c["id"] for c in json.load(sys.stdin) if c["privacyDecision"]["outcome"]=="partial" and c["engagedParty"]["@referredType"]=="Individual"))')
  ids=$(curl -s -H "Authorization: Bearer $CSR_KEY" -H 'X-Purpose: customer-care' "$api/party/v4/individual?limit=200&fields=engagedParty.birthDate,loginSubject" \
    | python3 -c 'import json,sys; print("\n".join([c["id"] for c in json.load(sys.stdin) if (c.get("birthDate") or c.get("maskedBirthDate","9"))[:4] < "2000" and "loginSubject" in c][:50]))')
  : >"$dir/tokens"
  for customer in $ids; do "$bin" token --customer "$customer" --data-dir "$dir" ${url:+--database "$url"} --lifetime 7200 >>"$dir/tokens"; done
}
read_load() {  # port connections → summary
  wrk -t1 -c"$2" -d"${duration}s" --latency -H "Authorization: Bearer $CSR_KEY" -H 'X-Purpose: customer-care' \
    "http://127.0.0.1:$1/tmf-api/customerManagement/v4/customer/$id" | summarize
}
change_load() {  # dir port connections → summary
  TOKENS="$1/tokens" wrk -t1 -c"$3" -d"${duration}s" --latency -s Benchmarks/consent-toggle.lua "http://127.0.0.1:$2" | summarize
}
line() { printf "%-44s %10s req/s   p50 %8s   p99 %8s   non-2xx %s\n" "$1" $2; }
add() { awk -v a="$1" -v b="$2" 'BEGIN {split(a, x, " "); split(b, y, " "); printf "%.0f %s/%s %s/%s %d\n", x[1] + y[1], x[2], y[2], x[3], y[3], x[4] + y[4]}'; }

echo "== $(nproc) cores; wrk -c64 -d${duration}s per row on loopback"
# SQLite, one server.
start "$work/sqlite" 18601 "" demo
prepare "$work/sqlite" 18601
line "SQLite, 1 server: guarded GET" "$(read_load 18601 64)"
line "SQLite, 1 server: consent change" "$(change_load "$work/sqlite" 18601 64)"
kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true

# PostgreSQL, one server.
psql "$server_url" -qc "CREATE DATABASE bench"
url="${server_url%/*}/bench"
start "$work/pg" 18602 "$url" demo
prepare "$work/pg" 18602 "$url"
line "PostgreSQL, 1 server: guarded GET" "$(read_load 18602 64)"
line "PostgreSQL, 1 server: consent change" "$(change_load "$work/pg" 18602 64)"

# PostgreSQL, two servers on the same database (the demo's keys are shared through it).
start "$work/pg" 18603 "$url"
read_load 18602 32 >"$work/a" & first=$!; read_load 18603 32 >"$work/b"; wait "$first"
line "PostgreSQL, 2 servers: guarded GET" "$(add "$(cat "$work/a")" "$(cat "$work/b")")"
change_load "$work/pg" 18602 32 >"$work/a" & first=$!; change_load "$work/pg" 18603 32 >"$work/b"; wait "$first"
line "PostgreSQL, 2 servers: consent change" "$(add "$(cat "$work/a")" "$(cat "$work/b")")"
echo "PostgreSQL audit after the runs: $("$bin" audit verify --data-dir "$work/pg" --database "$url" | head -1)"
echo "peak RSS: server 1 $(awk '/VmHWM/ {print $2/1024 " MiB"}' /proc/${pids[-2]}/status), server 2 $(awk '/VmHWM/ {print $2/1024 " MiB"}' /proc/${pids[-1]}/status)"
