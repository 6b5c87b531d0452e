#!/usr/bin/env bash
# The README's test command: the whole suite on SQLite (embedded), every example of the
# README and docs/OPERATING.md against a fresh demo, the web pages in headless chromium
# (installed if missing), then the suite on PostgreSQL (a throw-away cluster on loopback
# that this script starts and stops).
set -euo pipefail
cd "$(dirname "$0")/.."
export SWIFT_DETERMINISTIC_HASHING=1
# The transparency tests run the independent Python verifier, which needs PyPI's cryptography.
python3 -c "import cryptography" 2>/dev/null || python3 -m pip install -q --disable-pip-version-check cryptography
swift build --build-tests

echo "== the policy's own tests (Policies/tests), every purpose, module and jurisdiction covered =="
.build/debug/consentry policy test --require-coverage --quiet

echo "== suite on SQLite =="
swift test --skip-build

echo "== the README's examples against a fresh demo =="
python3 scripts/readme-check.py

echo "== the web pages in a real browser (chromium, headless) =="
scripts/browser-tests.sh

echo "== suite on PostgreSQL =="
if ! started=$(scripts/postgres.sh start); then
  if [ "${CI:-}" = true ]; then
    echo "PostgreSQL could not be started; CI never skips the PostgreSQL suite" >&2
    exit 1
  fi
  printf '\n%s\n%s\n%s\n\n' "############################################################" \
    "#  SKIPPED: the PostgreSQL pass (PostgreSQL could not start) #" \
    "############################################################" >&2
  exit 0
fi
eval "$started"
trap 'scripts/postgres.sh stop "$PG_TEST_DIR"' EXIT
CONSENTRY_TEST_ENGINE=postgres swift test --skip-build
