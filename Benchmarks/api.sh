#!/usr/bin/env bash
# Guarded read benchmark (issue #3): release build, wrk on loopback, 64 connections, 30 s.
# GET one customer for a purpose (API-key check, decision, one database read, decrypt,
# mask, audit entry made durable by group commit before the response), and in the same run
# the same figures for a bare Hummingbird route returning a similar-sized JSON.
#   Benchmarks/api.sh            # 30 s each
#   Benchmarks/api.sh 10         # shorter
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-30}"
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)" >&2; exit 1; }
swift build -c release --product consentry >&2
swift build -c release --product consentry-bare >&2
bin=.build/release
data="$(mktemp -d)"
port=18481 bare_port=18482
"$bin/consentry" serve --demo --data-dir "$data/demo" --port $port --log-level warning >"$data/serve.log" 2>&1 &
server=$!
"$bin/consentry-bare" $bare_port >"$data/bare.log" 2>&1 &
bare=$!
trap 'kill $server $bare 2>/dev/null || true; rm -rf "$data"' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1 && break; sleep 0.2; done
. "$data/demo/demo-keys.env"
api="http://127.0.0.1:$port/tmf-api/customerManagement/v4"
# An individual the purpose may see (not restricted): 11 personal fields decided, most decrypted.
id=$(curl -s -H "Authorization: Bearer $CSR_KEY" -H 'X-Purpose: customer-care' "$api/customer?limit=20" \
  | python3 -c 'import json,sys; print(next(c["id"] for c in json.load(sys.stdin) if c["privacyDecision"]["outcome"]=="partial" and c["engagedParty"]["@referredType"]=="Individual"))')
bytes=$(curl -s -H "Authorization: Bearer $CSR_KEY" -H 'X-Purpose: customer-care' "$api/customer/$id" | wc -c)
before=$(sqlite3 "$data/demo/consentry.sqlite" 'SELECT COUNT(*) FROM audit_entry' 2>/dev/null || echo "?")
summarize() {  # wrk --latency output → one line
  awk -v name="$1" '/Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /requests in/ {n=$1}
    END {printf "%-34s %10s req/s   p50 %8s   p99 %8s   (%s requests)\n", name, rps, p50, p99, n}'
}
echo "== $(nproc) cores; wrk -t2 -c64 -d${duration}s on loopback; response ${bytes} bytes"
wrk -t2 -c64 -d"${duration}s" --latency -H "Authorization: Bearer $CSR_KEY" -H 'X-Purpose: customer-care' "$api/customer/$id" | summarize "guarded GET (decide+decrypt+audit)"
wrk -t2 -c64 -d"${duration}s" --latency "http://127.0.0.1:$bare_port/tmf-api/customerManagement/v4/customer/$id" | summarize "bare Hummingbird route"
after=$(sqlite3 "$data/demo/consentry.sqlite" 'SELECT COUNT(*) FROM audit_entry' 2>/dev/null || echo "?")
checkpoints=$(sqlite3 "$data/demo/consentry.sqlite" 'SELECT COUNT(*) FROM audit_checkpoint' 2>/dev/null || echo "?")
echo "audit entries written during the run: $((after - before)) in $checkpoints group commits; peak server RSS: $(awk '/VmHWM/ {print $2/1024 " MiB"}' /proc/$server/status)"
"$bin/consentry" audit verify --data-dir "$data/demo" | head -1
