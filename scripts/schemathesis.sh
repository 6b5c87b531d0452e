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
# The official TM Forum v4 documents (Tests/TMF) as the contract: no server error and no
# response outside the official schemas. Status codes beyond the documents (422, 412, 428...)
# and extensions are docs/tmf-conformance.md's, so only these two checks apply here; the
# listener paths are the client's side of the hub.
official() {
  local file=$1 path=$2; shift 2
  schemathesis run "Tests/TMF/$file.swagger.json" --url "$base/tmf-api/$path" --max-examples "$examples" --seed 20261202 \
    --checks not_a_server_error,response_schema_conformance --exclude-path-regex '/listener/' "$@"
}
for key in "$CSR_KEY customer-care" "$ORDER_KEY order-management"; do
  set -- $key
  echo "== official TMF629 and TMF632 documents, purpose $2"
  official TMF629-Customer-v4.0.0 customerManagement/v4 -H "Authorization: Bearer $1" -H "X-Purpose: $2"
  official TMF632-Party-v4.0.0 party/v4 -H "Authorization: Bearer $1" -H "X-Purpose: $2"
done
echo "== official TMF644 document, purpose customer-care"
official TMF644-Privacy-v4.0.0 privacyManagement/v4 -H "Authorization: Bearer $CSR_KEY" -H "X-Purpose: customer-care"
echo "== self-service API with a customer's token"
person=$(curl -sf -H "Authorization: Bearer $CSR_KEY" -H 'X-Purpose: customer-care' "$base/tmf-api/party/v4/individual?limit=1&offset=2&fields=id" \
  | grep -o '"id":"[^"]*"' | head -1 | cut -d'"' -f4)
token=$("$bin" token --customer "$person" --data-dir "$data/demo")
run -H "Authorization: Bearer $token" --checks "$checks" --include-path-regex '^/self/'
echo "== compliance API with an officer key"
run -H "Authorization: Bearer $OFFICER_KEY" --checks "$checks,missing_required_header" --include-path-regex '^/compliance/'
echo "== operator API"
run -H "Authorization: Bearer $OPERATOR_KEY" --checks "$checks,missing_required_header" --include-path-regex '^/admin/'
