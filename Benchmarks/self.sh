#!/usr/bin/env bash
# Self-service benchmarks (issue #4), release build, wrk on loopback:
#  1. consent changes per second through PUT /self/v1/me/consents/{purpose}, each with its
#     history row, derived state, ES256-signed receipt, outbox event and audit entry, in one
#     group-committed transaction (64 connections, 50 customers round robin), while the
#     deliverer POSTs every event to a subscribed module (consentry-bare's POST /events);
#  2. the privacy dashboard's latency for a customer with 10,000 audit entries (one connection).
#   Benchmarks/self.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-20}"
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)" >&2; exit 1; }
swift build -c release --product consentry >&2
swift build -c release --product consentry-bare >&2
bin=.build/release/consentry
data="$(mktemp -d)"
port=18483
"$bin" serve --demo --data-dir "$data/demo" --port $port --log-level warning >"$data/serve.log" 2>&1 &
server=$!
.build/release/consentry-bare 18484 >/dev/null 2>&1 &
receiver=$!
trap 'kill $server $receiver 2>/dev/null || true; rm -rf "$data"' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1 && break; sleep 0.2; done
. "$data/demo/demo-keys.env"
base="http://127.0.0.1:$port"
curl -sf -X POST -H "Authorization: Bearer $LOYALTY_KEY" -H 'Content-Type: application/json' \
  -d '{"callback":"http://127.0.0.1:18484/events","query":"eventType=PartyPrivacyProfileAttributeValueChangeEvent"}' "$base/tmf-api/privacyManagement/v4/hub" >/dev/null
# 50 adult individuals (born before 2000) with a login subject.
ids=$(curl -s -H "Authorization: Bearer $CSR_KEY" -H 'X-Purpose: customer-care' "$base/tmf-api/party/v4/individual?limit=200&fields=engagedParty.birthDate,loginSubject" \
  | python3 -c 'import json,sys; print("\n".join([c["id"] for c in json.load(sys.stdin) if (c.get("birthDate") or c.get("maskedBirthDate","9"))[:4] < "2000" and "loginSubject" in c][:50]))')
: >"$data/tokens"
for id in $ids; do "$bin" token --customer "$id" --data-dir "$data/demo" --lifetime 7200 >>"$data/tokens"; done
summarize() {
  awk -v name="$1" '/Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /requests in/ {n=$1} /Non-2xx/ {bad=$NF}
    END {printf "%-40s %10s req/s   p50 %8s   p99 %8s   (%s requests, %s non-2xx)\n", name, rps, p50, p99, n, (bad == "" ? 0 : bad)}'
}
echo "== $(nproc) cores; $(wc -l <"$data/tokens") customers"
TOKENS="$data/tokens" wrk -t2 -c64 -d"${duration}s" --latency -s Benchmarks/consent-toggle.lua "$base" | summarize "consent change (PUT, receipt, audit)"
db="$data/demo/consentry.sqlite"
echo "receipts written: $(sqlite3 "$db" "SELECT COUNT(*) FROM consent_receipt"), outbox events: $(sqlite3 "$db" "SELECT COUNT(*) FROM event_outbox")"
echo "audit commits during the run: $(sqlite3 "$db" "SELECT COUNT(*) FROM audit_checkpoint")"
for _ in $(seq 1 120); do [ "$(sqlite3 "$db" "SELECT COUNT(*) FROM event_delivery WHERE status = 'pending'")" -eq 0 ] && break; sleep 0.5; done
echo "deliveries: $(sqlite3 "$db" "SELECT status || ' ' || COUNT(*) FROM event_delivery GROUP BY status" | tr '\n' ' ')"
echo "event lag (commit to delivery), ms: $(sqlite3 "$db" "SELECT 'p50 ' || CAST(1000*(julianday(d.delivered_at)-julianday(o.recorded_at))*86400 AS INT) FROM event_delivery d JOIN event_outbox o ON o.seq = d.event_seq WHERE d.status = 'delivered' ORDER BY (julianday(d.delivered_at)-julianday(o.recorded_at)) LIMIT 1 OFFSET (SELECT COUNT(*)/2 FROM event_delivery WHERE status = 'delivered')")"
# 10,000 module reads of one customer, then the dashboard for that customer.
one=$(head -1 <<<"$ids")
token=$(head -1 "$data/tokens")
wrk -t2 -c32 -d60s -H "Authorization: Bearer $CSR_KEY" -H 'X-Purpose: customer-care' "$base/tmf-api/customerManagement/v4/customer/$one" >/dev/null &
reader=$!
while [ "$(sqlite3 "$data/demo/consentry.sqlite" "SELECT COUNT(*) FROM audit_entry WHERE customer_id = '$one'")" -lt 10000 ]; do sleep 0.5; done
kill $reader 2>/dev/null || true; wait $reader 2>/dev/null || true
entries=$(sqlite3 "$data/demo/consentry.sqlite" "SELECT COUNT(*) FROM audit_entry WHERE customer_id = '$one'")
echo "audit entries for the dashboard's customer: $entries"
wrk -t1 -c1 -d10s --latency -H "Authorization: Bearer $token" "$base/self/v1/me/dashboard" | summarize "dashboard (1 connection)"
wrk -t1 -c1 -d10s --latency -H "Authorization: Bearer $token" "$base/self/v1/me/dashboard/access?limit=50" | summarize "access history page of 50 (1 connection)"
