#!/usr/bin/env bash
# The adversarial HTTP suite (#11) against a live demo: starts `consentry serve --demo` on a
# loopback port with a throw-away data directory, mints a customer's token, and runs
# scripts/adversarial.py (forged tokens, duplicate keys, wrong content types, hostile
# parameters, callbacks aimed inside). Needs a built `consentry` (swift build).
set -euo pipefail
cd "$(dirname "$0")/.."

port="${ADVERSARIAL_PORT:-18490}"
# shellcheck source=scripts/demo-server.sh
. scripts/demo-server.sh
person=$(curl -sf -H "Authorization: Bearer $CSR_KEY" -H 'X-Purpose: customer-care' \
  "$base/tmf-api/party/v4/individual?limit=1&offset=2&fields=id" | grep -o '"id":"[^"]*"' | head -1 | cut -d'"' -f4)
token=$("$bin" token --customer "$person" --data-dir "$data/demo")
python3 scripts/adversarial.py "$base" "$data/demo" "$token"
# Nothing the probes sent may reach the log as a value.
if grep -q -e 'DROP TABLE' -e 'etc/passwd' "$data/server.log"; then
  echo "FAIL hostile input reached the server log" >&2
  exit 1
fi
