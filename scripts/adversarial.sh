#!/usr/bin/env bash
# The adversarial HTTP suite (#11) against a live demo: starts `consentry serve --demo` on a
# loopback port with a throw-away data directory, mints a customer's token, and runs
# scripts/adversarial.py (forged tokens, duplicate keys, wrong content types, hostile
# parameters, callbacks aimed inside). Needs a built `consentry` (swift build).
set -euo pipefail
cd "$(dirname "$0")/.."

port="${ADVERSARIAL_PORT:-18490}"
data="$(mktemp -d)"
bin="$(swift build --show-bin-path)/consentry"
"$bin" serve --demo --data-dir "$data/demo" --port "$port" >"$data/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$data"' EXIT
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null || { cat "$data/server.log"; exit 1; }
# shellcheck disable=SC1091
. "$data/demo/demo-keys.env"
person=$(curl -sf -H "Authorization: Bearer $CSR_KEY" -H 'X-Purpose: customer-care' \
  "http://127.0.0.1:$port/tmf-api/partyManagement/v4/individual?limit=1&offset=2&fields=id" | grep -o '"id":"[^"]*"' | head -1 | cut -d'"' -f4)
token=$("$bin" token --customer "$person" --data-dir "$data/demo")
python3 scripts/adversarial.py "http://127.0.0.1:$port" "$data/demo" "$token"
# Nothing the probes sent may reach the log as a value.
if grep -q -e 'DROP TABLE' -e 'etc/passwd' "$data/server.log"; then
  echo "FAIL hostile input reached the server log" >&2
  exit 1
fi
