#!/usr/bin/env bash
# Proves /openapi.yaml matches what the server does: starts `consentry serve --demo` on a
# loopback port with a throw-away data directory and runs schemathesis (PyPI) against it:
# with a module key (the guarded API, with and without a fixed purpose), with a customer's
# token (/self), with an officer key (/compliance) and with an operator key (/admin). Needs a built `consentry` (swift build) and schemathesis.
set -euo pipefail
cd "$(dirname "$0")/.."

port="${SCHEMATHESIS_PORT:-18480}"
examples="${SCHEMATHESIS_EXAMPLES:-30}"
# shellcheck source=scripts/demo-server.sh
. scripts/demo-server.sh
checks=not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance,negative_data_rejection,unsupported_method,ignored_auth
run() { schemathesis run "$base/openapi.yaml" --url "$base" --max-examples "$examples" --seed 20261127 "$@"; }

echo "== guarded API, purposes chosen by schemathesis (missing X-Purpose must be rejected)"
run -H "Authorization: Bearer $CSR_KEY" --checks "$checks,missing_required_header" --exclude-path-regex '^/(admin|self|compliance)/'
echo "== guarded API for purpose customer-care (reaches 2xx paths)"
run -H "Authorization: Bearer $CSR_KEY" -H "X-Purpose: customer-care" --checks "$checks" --exclude-path-regex '^/(admin|self|compliance)/'
echo "== self-service API with a customer's token"
person=$(curl -sf -H "Authorization: Bearer $CSR_KEY" -H 'X-Purpose: customer-care' "$base/tmf-api/partyManagement/v4/individual?limit=1&offset=2&fields=id" \
  | grep -o '"id":"[^"]*"' | head -1 | cut -d'"' -f4)
token=$("$bin" token --customer "$person" --data-dir "$data/demo")
run -H "Authorization: Bearer $token" --checks "$checks" --include-path-regex '^/self/'
echo "== compliance API with an officer key"
run -H "Authorization: Bearer $OFFICER_KEY" --checks "$checks,missing_required_header" --include-path-regex '^/compliance/'
echo "== operator API"
run -H "Authorization: Bearer $OPERATOR_KEY" --checks "$checks,missing_required_header" --include-path-regex '^/admin/'
