#!/usr/bin/env bash
# Issue #12: the hot paths in one run, one table, each beside the bare framework route.
#   guarded GET (key, decision, read, decrypt, mask, durable audit), a bare Hummingbird route
#   with the same JSON, consent change (token, receipt, history, state, outbox, audit), and
#   import of N synthetic customers; then, at N customers, a list page at depth, a /metrics
#   scrape and the server's peak RSS under load.
#   Benchmarks/hot-paths.sh [SECONDS] [CUSTOMERS]      # defaults: 15 s per load, 100000
# Public tools only: wrk, curl, /usr/bin/time (GNU time).
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-15}"
customers="${2:-100000}"
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "needs GNU time (apt-get install time)" >&2; exit 1; }
for product in consentry consentry-bare consentry-bench; do swift build -c release --product "$product" >&2; done
bin=.build/release
work="$(mktemp -d)"
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"' EXIT
data="$work/data"

# Import N customers into a new installation.
"$bin/consentry-bench" fixtures "$work" "$customers" >&2
"$bin/consentry" init --data-dir "$data" >&2
/usr/bin/time -f "%e %M" -o "$work/import.time" "$bin/consentry" import "$work/customers.jsonl" --data-dir "$data" >"$work/import.out" 2>&1 || true
read -r import_seconds import_kib <"$work/import.time"
import_rate=$(awk -v n="$customers" -v s="$import_seconds" 'BEGIN {printf "%.0f", n / s}')

# Keys and customer sign-ins for the loads.
key=$("$bin/consentry" modules key create csr-toolbox --data-dir "$data" 2>/dev/null | tail -1)
# The development identity provider's signing key, as `serve --demo` makes it.
(umask 077; head -c 32 /dev/urandom | base64 >"$data/dev-jwt-secret")
port=18621 bare_port=18622
"$bin/consentry" serve --data-dir "$data" --port $port --log-level warning --retention-hours 0 \
  --jwt-issuer consentry-dev --jwt-audience consentry-self-service --jwt-secret-file "$data/dev-jwt-secret" >"$work/serve.log" 2>&1 &
server=$!; pids+=($server)
"$bin/consentry-bare" $bare_port >"$work/bare.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1 && break; sleep 0.2; done
api="http://127.0.0.1:$port/tmf-api"
id=$(curl -s -H "Authorization: Bearer $key" -H 'X-Purpose: customer-care' "$api/customerManagement/v4/customer?limit=20" \
  | python3 -c 'import json,sys; print(next(c["id"] for c in json.load(sys.stdin) if c["privacyDecision"]["outcome"]=="partial" and c["engagedParty"]["@referredType"]=="Individual"))')
ids=$(curl -s -H "Authorization: Bearer $key" -H 'X-Purpose: customer-care' "$api/party/v4/individual?limit=300&fields=engagedParty.birthDate,loginSubject" \
  | python3 -c 'import json,sys; print("\n".join([c["id"] for c in json.load(sys.stdin) if (c.get("birthDate") or c.get("maskedBirthDate","9"))[:4] < "2000" and "loginSubject" in c][:50]))')
: >"$work/tokens"
for customer in $ids; do "$bin/consentry" token --customer "$customer" --data-dir "$data" --lifetime 7200 >>"$work/tokens"; done

summarize() { awk '/Requests\/sec/ {rps=$2} /^ +99%/ {p99=$2} END {printf "%s %s\n", rps, p99}'; }
read -r get_rate get_p99 < <(wrk -t2 -c64 -d"${duration}s" --latency -H "Authorization: Bearer $key" -H 'X-Purpose: customer-care' \
  "$api/customerManagement/v4/customer/$id" | summarize)
read -r bare_rate bare_p99 < <(wrk -t2 -c64 -d"${duration}s" --latency "http://127.0.0.1:$bare_port/tmf-api/customerManagement/v4/customer/$id" | summarize)
read -r change_rate change_p99 < <(TOKENS="$work/tokens" wrk -t2 -c64 -d"${duration}s" --latency -s Benchmarks/consent-toggle.lua "http://127.0.0.1:$port" | summarize)
rss=$(awk '/VmHWM/ {printf "%.0f", $2 / 1024}' /proc/$server/status)

# Costs that must not grow with the data.
deep=$(( customers * 9 / 10 ))
list_time=$(curl -s -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $key" -H 'X-Purpose: customer-care' \
  "$api/customerManagement/v4/customer?offset=$deep&limit=100&fields=id")
first_time=$(curl -s -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $key" -H 'X-Purpose: customer-care' \
  "$api/customerManagement/v4/customer?offset=0&limit=100&fields=id")
metrics_time=$(curl -s -o /dev/null -w '%{time_total}' "http://127.0.0.1:$port/metrics")

ratio() { awk -v a="$1" -v b="$bare_rate" 'BEGIN {printf "%.2f", a / b}'; }
echo "== $(nproc) cores; release build; wrk -t2 -c64 -d${duration}s on loopback; $customers customers"
printf "%-44s %12s %10s %16s\n" "path" "rate" "p99" "vs bare route"
printf "%-44s %10s/s %10s %16s\n" "bare Hummingbird route (same JSON)" "$bare_rate" "$bare_p99" "1.00"
printf "%-44s %10s/s %10s %16s\n" "guarded GET" "$get_rate" "$get_p99" "$(ratio "$get_rate")"
printf "%-44s %10s/s %10s %16s\n" "consent change (PUT /self)" "$change_rate" "$change_p99" "$(ratio "$change_rate")"
printf "%-44s %10s/s %10s %16s\n" "import (JSON Lines, $customers)" "$import_rate" "-" "peak RSS $((import_kib / 1024)) MiB"
printf "%-44s %12s\n" "list page at offset $deep (limit 100)" "${list_time}s (first page ${first_time}s)"
printf "%-44s %12s\n" "/metrics scrape" "${metrics_time}s"
printf "%-44s %12s\n" "server peak RSS after the loads" "${rss} MiB"
"$bin/consentry" audit verify --data-dir "$data" | head -1
