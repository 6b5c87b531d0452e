#!/usr/bin/env bash
# The web pages in a real browser: Debian's chromium, headless, driven through selenium
# (PyPI) and Debian's chromedriver, against a fresh `consentry serve --demo` on loopback.
# Installs chromium, chromium-driver, selenium and axe-core-python when missing. Screenshots
# (desktop and phone), axe-core results and page weights go to artifacts/browser/.
# With --update-screenshots, the README's screenshots (docs/screenshots/) are refreshed.
# Needs a built `consentry` (swift build).
set -euo pipefail
cd "$(dirname "$0")/.."

skip() {
  if [ "${CI:-}" = true ]; then
    echo "browser tests cannot run: $1; CI never skips them" >&2
    exit 1
  fi
  printf '\n%s\n%s\n%s\n\n' "############################################################" \
    "#  SKIPPED: the browser tests ($1)" \
    "############################################################" >&2
  exit 0
}

if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  echo "installing chromium and chromium-driver (Debian)"
  if [ "$(id -u)" = 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    { apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null; } || skip "apt could not install chromium"
  else
    skip "chromium is missing and this user cannot install it (apt-get install chromium chromium-driver)"
  fi
fi
python3 -c "import selenium, axe_core_python" 2>/dev/null \
  || python3 -m pip install -q --disable-pip-version-check selenium axe-core-python \
  || skip "pip could not install selenium and axe-core-python"
# Selenium must use the system's driver, never download one.
export SE_OFFLINE=true

port="${BROWSER_TEST_PORT:-18495}"
# shellcheck source=scripts/demo-server.sh
. scripts/demo-server.sh
out="${BROWSER_ARTIFACTS:-artifacts/browser}"
rm -rf "$out"
status=0
python3 Tests/Browser/browser_tests.py --base "$base" --data "$data/demo" --out "$out" || status=$?
if [ $status -ne 0 ]; then
  echo "== server log (last 40 lines)"; tail -40 "$data/server.log"
  exit $status
fi
if [ "${1:-}" = --update-screenshots ]; then
  mkdir -p docs/screenshots
  for page in privacy-consents privacy-access console-requests console-request console-reports; do
    cp "$out/screenshots/$page-desktop.png" "docs/screenshots/$page.png"
  done
  cp "$out/screenshots/privacy-consents-phone.png" docs/screenshots/privacy-consents-phone.png
  echo "README screenshots updated in docs/screenshots/"
fi
