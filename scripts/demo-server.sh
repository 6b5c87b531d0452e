# Sourced by scripts that probe a live demo (schemathesis.sh, adversarial.sh): starts
# `consentry serve --demo` on loopback port $port with a throw-away data directory, waits
# until it is ready, stops it (and removes the data) on exit, and loads the demo's keys.
# Sets $bin, $data, $server, $base and CSR_KEY, LOYALTY_KEY, ORDER_KEY, INSIGHT_KEY, OPERATOR_KEY, OFFICER_KEY.
data="$(mktemp -d)"
bin="$(swift build --show-bin-path)/consentry"
"$bin" serve --demo --data-dir "$data/demo" --port "$port" >"$data/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$data"' EXIT
base="http://127.0.0.1:$port"
for _ in $(seq 1 100); do
  curl -sf "$base/health/ready" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -sf "$base/health/ready" >/dev/null || { cat "$data/server.log"; exit 1; }
# shellcheck disable=SC1091
. "$data/demo/demo-keys.env"
