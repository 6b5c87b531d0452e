#!/usr/bin/env python3
"""Browser tests of the privacy center and the compliance console.

Drives Debian's chromium headless through selenium (PyPI) and Debian's chromedriver, against
a live `consentry serve --demo` (started by scripts/browser-tests.sh, which passes its URL and
data directory). Every flow runs twice: with JavaScript, and with JavaScript disabled (forms
that post). Each page is checked with axe-core (from the axe-core-python package, which
bundles it) and photographed at desktop and phone widths; page weights are measured.

    python3 Tests/Browser/browser_tests.py --base http://127.0.0.1:18490 --data DIR --out artifacts/browser
"""
import argparse
import http.server
import json
import os
import pathlib
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException, StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

import axe_core_python

AXE_SCRIPT = (pathlib.Path(axe_core_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")
DESKTOP = (1280, 900)
PHONE = (390, 844)

failures = []
accessibility = {}
weights = {}


def check(condition, message):
    print(("  ok   " if condition else "  FAIL ") + message, flush=True)
    if not condition:
        failures.append(message)
    return condition


class Browser:
    """One headless chromium, with or without JavaScript, downloading into its own folder."""

    def __init__(self, base, javascript, downloads):
        options = webdriver.ChromeOptions()
        options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
        for flag in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--lang=en-GB",
                     f"--window-size={DESKTOP[0]},{DESKTOP[1]}"]:
            options.add_argument(flag)
        prefs = {"download.default_directory": downloads, "download.prompt_for_download": False,
                 "intl.accept_languages": "en-GB,en"}
        if not javascript:
            prefs["profile.managed_default_content_settings.javascript"] = 2
        options.add_experimental_option("prefs", prefs)
        service = Service(executable_path=os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
        self.driver = webdriver.Chrome(service=service, options=options)
        self.driver.set_page_load_timeout(30)
        self.base = base
        self.javascript = javascript
        self.downloads = downloads

    def open(self, path):
        self.driver.get(self.base + path)
        return self

    def text(self):
        return self.driver.find_element(By.TAG_NAME, "body").text

    def click(self, css):
        return self.click_element(self.driver.find_element(By.CSS_SELECTOR, css))

    def click_element(self, element):
        """Clicks, answers a confirmation, and waits until the page (or, with JavaScript, the
        main part the script replaces) is a new one."""
        element.click()
        self.accept_confirm()
        try:
            WebDriverWait(self.driver, 10).until(EC.staleness_of(element))
        except TimeoutException:
            pass
        return self

    def accept_confirm(self):
        if not self.javascript:
            return
        try:
            WebDriverWait(self.driver, 1).until(EC.alert_is_present())
            self.driver.switch_to.alert.accept()
        except (TimeoutException, NoAlertPresentException):
            pass

    def wait_text(self, text, timeout=10):
        try:
            WebDriverWait(self.driver, timeout, ignored_exceptions=(StaleElementReferenceException,)).until(
                lambda d: text in d.find_element(By.TAG_NAME, "body").text)
            return True
        except TimeoutException:
            return False

    def wait_download(self, name, timeout=15):
        path = pathlib.Path(self.downloads) / name
        deadline = time.time() + timeout
        while time.time() < deadline:
            if path.exists() and path.stat().st_size > 0:
                return path
            time.sleep(0.2)
        return None

    def quit(self):
        self.driver.quit()


def api(base, path, key, purpose=None):
    headers = {"Authorization": f"Bearer {key}"}
    if purpose:
        headers["X-Purpose"] = purpose
    with urllib.request.urlopen(urllib.request.Request(base + path, headers=headers)) as response:
        return json.loads(response.read())


def audit_page(browser, name):
    """axe-core on the current page (needs JavaScript), a screenshot at both widths, page weight."""
    driver = browser.driver
    driver.execute_script(AXE_SCRIPT)
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations.map(v => "
        "({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length}))));")
    accessibility[name] = result
    serious = [v for v in result if v["impact"] in ("serious", "critical")]
    check(not serious, f"{name}: no serious or critical accessibility violation"
          + ("" if not serious else " — " + "; ".join(f"{v['id']} ({v['impact']}, {v['nodes']}x): {v['help']}" for v in serious)))
    sizes = driver.execute_script(
        "const nav = performance.getEntriesByType('navigation')[0];"
        "const res = performance.getEntriesByType('resource');"
        "return {html: nav ? nav.decodedBodySize : 0, assets: res.reduce((s, r) => s + r.decodedBodySize, 0),"
        " requests: 1 + res.length};")
    weights[name] = sizes
    shots = pathlib.Path(OUT) / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    for label, (width, height) in (("desktop", DESKTOP), ("phone", PHONE)):
        driver.set_window_size(width, height)
        full = driver.execute_script("return Math.min(document.documentElement.scrollHeight, 4000)")
        driver.set_window_size(width, max(height, full))
        driver.save_screenshot(str(shots / f"{name}-{label}.png"))
    driver.set_window_size(*DESKTOP)


def sign_in_customer(browser, subject):
    browser.open("/privacy")
    check("Sign in to your privacy center" in browser.text(), "the sign-in page lists synthetic customers")
    browser.click(f'button[data-subject="{subject}"]')
    return check("What we hold about you" in browser.text(), f"signed in as {subject}: what is held, by category")


def customer_flow(browser, base, keys, subject, label, photograph):
    """Sign-in, export, module reads, consent given then withdrawn, erasure request."""
    print(f"== customer {subject} ({label})", flush=True)
    if not sign_in_customer(browser, subject):
        return None
    if photograph:
        audit_page(browser, "privacy-overview")

    # Download my data (JSON): the export carries the customer's id, used below for module reads.
    browser.click('a[href="/privacy/export?format=json"]')
    exported = browser.wait_download("my-data.json")
    check(exported is not None, "the JSON export downloads")
    if exported is None:
        return None
    data = json.loads(exported.read_text(encoding="utf-8"))
    customer_id = data["customer"]["id"]
    check("consentHistory" in data, "the export holds the consent history")
    exported.rename(exported.with_name(f"my-data-{label}.json"))
    browser.open("/privacy")
    browser.click('a[href="/privacy/export?format=csv"]')
    check(browser.wait_download("my-data.csv") is not None, "the CSV export downloads")
    (pathlib.Path(browser.downloads) / "my-data.csv").unlink(missing_ok=True)

    # Modules read the customer: the access history shows it, with a timeline.
    api(base, f"/tmf-api/customerManagement/v4/customer/{customer_id}", keys["CSR_KEY"], "customer-care")
    api(base, f"/tmf-api/customerManagement/v4/customer/{customer_id}", keys["ORDER_KEY"], "order-management")
    browser.open("/privacy/access")
    check("csr-toolbox" in browser.text() and "Customer care" in browser.text(), "who read my data lists the module and purpose")
    check(len(browser.driver.find_elements(By.CSS_SELECTOR, "svg.chart circle")) > 0, "the access timeline is drawn")
    if photograph:
        audit_page(browser, "privacy-access")

    # The first entry's proof, downloaded as a customer would, verifies with the independent
    # Python verifier and the published key alone.
    link = browser.driver.find_element(By.CSS_SELECTOR, 'main a[href$="/proof"][download]')
    name = "access-proof-" + link.get_attribute("href").split("/")[-2] + ".json"
    link.click()
    proof = browser.wait_download(name)
    if check(proof is not None, "the entry's proof downloads"):
        jwks = pathlib.Path(browser.downloads) / "jwks.json"
        with urllib.request.urlopen(base + "/transparency/v1/jwks") as response:
            jwks.write_bytes(response.read())
        verifier = pathlib.Path(__file__).resolve().parent.parent.parent / "scripts" / "transparency-verify.py"
        result = subprocess.run([sys.executable, str(verifier), "--jwks", str(jwks), "--proof", str(proof)], capture_output=True, text=True)
        check(result.returncode == 0 and result.stdout.startswith("verified: entry"),
              "the proof verifies with scripts/transparency-verify.py: " + result.stdout.strip())

    # Consent: give, then withdraw, with one switch; the very next module read follows.
    def switch_state():
        return browser.driver.find_element(By.CSS_SELECTOR, 'button[data-purpose="direct-marketing"]').get_attribute("aria-checked")

    browser.open("/privacy/consents")
    if switch_state() == "true":
        browser.click('button[data-purpose="direct-marketing"]')
        browser.wait_text("withdrawn, effective now")
    browser.click('button[data-purpose="direct-marketing"]')
    check(browser.wait_text("Your consent is recorded."), "consent given, with a notice")
    check(switch_state() == "true", "the switch shows consent given")
    check(len(browser.driver.find_elements(By.CSS_SELECTOR, 'main a[href^="/privacy/receipts/"][download]')) > 0, "the receipt is offered for download")
    read = api(base, f"/tmf-api/customerManagement/v4/customer/{customer_id}", keys["LOYALTY_KEY"], "direct-marketing")
    check(read.get("privacyDecision", {}).get("customerReason") is None and "contactMedium" in read, "a marketing read now sees the contact details")
    if photograph:
        audit_page(browser, "privacy-consents")
    browser.click('button[data-purpose="direct-marketing"]')
    check(browser.wait_text("Your consent is withdrawn, effective now."), "consent withdrawn as easily as it was given")
    check(switch_state() == "false", "the switch shows consent withdrawn")
    read = api(base, f"/tmf-api/customerManagement/v4/customer/{customer_id}", keys["LOYALTY_KEY"], "direct-marketing")
    check(read.get("privacyDecision", {}).get("customerReason") == "CONSENT_WITHDRAWN" and "contactMedium" not in read,
          "the very next module read withholds the data (CONSENT_WITHDRAWN)")

    # File an erasure request.
    browser.open("/privacy/requests")
    browser.driver.find_element(By.CSS_SELECTOR, "#type-erasure").click()
    browser.click('#file-request button[type="submit"]')
    check(browser.wait_text("Your request is filed."), "an erasure request is filed")
    check("Erase my data" in browser.text(), "the request is listed with its status and due date")
    if photograph:
        audit_page(browser, "privacy-requests")
    return customer_id


def officer_flow(browser, keys, customer_id, label, photograph):
    print(f"== officer carries out the erasure ({label})", flush=True)
    browser.open("/console")
    if photograph:
        audit_page(browser, "console-sign-in")
    browser.driver.find_element(By.ID, "key").send_keys(keys["OFFICER_KEY"])
    browser.click('form[action="/console/sign-in"] button[type="submit"]')
    check("Data-subject requests" in browser.text(), "the officer's key opens the request queue")
    check("overdue by" in browser.text(), "overdue requests are marked in words")
    if photograph:
        audit_page(browser, "console-requests")
    rows = browser.driver.find_elements(By.XPATH, f'//tr[td/code[text()="{customer_id}"] and td[text()="erasure"]]//a')
    if not check(len(rows) == 1, "the customer's erasure request is in the queue"):
        return
    browser.click_element(rows[0])
    for status in ["identity_verified", "in_progress"]:
        browser.click(f'button[data-status="{status}"]')
        check(browser.wait_text("The request moved on."), f"marked {status.replace('_', ' ')}")
    if photograph:
        audit_page(browser, "console-request")
    browser.click("#carry-out")
    check(browser.wait_text("The erasure is carried out."), "the erasure is carried out")
    check("Module acknowledgements" in browser.text(), "the module acknowledgements are shown")


def console_pages(browser):
    print("== console pages", flush=True)
    browser.open("/console/reports")
    check("Consent over time" in browser.text() and len(browser.driver.find_elements(By.CSS_SELECTOR, "svg.chart")) > 0,
          "reports with consent over time drawn")
    audit_page(browser, "console-reports")
    browser.open("/console/reports/record-of-processing")
    check("Record of processing" in browser.text() or "record of processing" in browser.text().lower(), "the record of processing shows in the page")
    audit_page(browser, "console-report")
    browser.open("/console/audit")
    audit_page(browser, "console-audit")
    browser.click("#verify")
    check("Intact." in browser.text(), "the audit chain verifies")
    browser.open("/console/events")
    audit_page(browser, "console-events")


def customer_sees_done(browser, label):
    browser.open("/privacy/requests")
    check("Your data is erased" in browser.text() and "Completed" in browser.text(), f"the customer sees the erasure completed ({label})")


def guardian_pages(browser):
    print("== a guardian", flush=True)
    browser.open("/privacy")
    buttons = browser.driver.find_elements(By.XPATH, '//li[.//span[contains(text(), "guardian of")]]//button')
    if not check(len(buttons) > 0, "the demo offers a guardian"):
        return
    browser.click_element(buttons[0])
    browser.open("/privacy/dependants")
    check(len(browser.driver.find_elements(By.CSS_SELECTOR, 'input[name="dependant"]')) > 0, "the guardian sees their dependants")
    audit_page(browser, "privacy-dependants")
    browser.click('form[action="/privacy/sign-out"] button')
    check("You are signed out." in browser.text(), "sign-out")
    audit_page(browser, "privacy-sign-in")


def californian_pages(browser, base, keys):
    """A customer under the CPRA: the opt-outs section, the switch, and its effect on a module."""
    print("== a Californian (CPRA opt-outs)", flush=True)
    if not sign_in_customer(browser, "idp|us-0001"):
        return
    browser.open("/privacy/consents")
    check("Do not sell or share my personal information" in browser.text(), "a Californian sees the sale and sharing opt-out")
    check("California Consumer Privacy Act" in browser.text(), "the page names the law that applies")
    audit_page(browser, "privacy-consents-california")
    browser.click('#opt-out-sale-sharing button[name="opted_out"]')
    WebDriverWait(browser.driver, 10, ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda d: d.find_element(By.CSS_SELECTOR, '#opt-out-sale-sharing button[name="opted_out"]').get_attribute("aria-checked") == "true")
    check("You opted out" in browser.text(), "the switch opts out, and the page says so")
    customer = api(base, "/tmf-api/customerManagement/v4/customer?email=maya.lopez@example.com&fields=id", keys["CSR_KEY"], "customer-care")[0]["id"]
    read = api(base, f"/tmf-api/customerManagement/v4/customer/{customer}?fields=contactMedium", keys["INSIGHT_KEY"], "partner-advertising")
    check(read["privacyDecision"]["customerReason"] == "OPTED_OUT_OF_SALE_OR_SHARING", "the module's next read is stopped by the opt-out")
    browser.click('form[action="/privacy/sign-out"] button')


def forged_form(browser, base, keys, subject):
    """A page on another origin (another port of the same host: same site, so a Lax cookie
    would go along) posts to the privacy center without the token: refused, nothing changed."""
    print("== forged form", flush=True)
    sign_in_customer(browser, subject)
    browser.open("/privacy/consents")
    before = browser.driver.find_element(By.CSS_SELECTOR, 'button[data-purpose="loyalty"]').get_attribute("aria-checked")
    status = "withdrawn" if before == "true" else "given"
    folder = tempfile.mkdtemp()
    pathlib.Path(folder, "forged.html").write_text(
        f'<!doctype html><html lang="en"><title>Win a prize</title><form method="post" action="{base}/privacy/consents">'
        f'<input type="hidden" name="purpose" value="loyalty"><input type="hidden" name="status" value="{status}">'
        '<button id="go">Claim</button></form></html>')

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=folder, **kwargs)

        def log_message(self, *args):
            pass

    server = socketserver.TCPServer(("127.0.0.1", 0), Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        browser.driver.get(f"http://127.0.0.1:{server.server_address[1]}/forged.html")
        browser.click("#go")
        check("sent from another site and was refused" in browser.text(), "the forged form is refused")
        browser.open("/privacy/consents")
        after = browser.driver.find_element(By.CSS_SELECTOR, 'button[data-purpose="loyalty"]').get_attribute("aria-checked")
        check(after == before, "the forged form changed nothing")
    finally:
        server.shutdown()


def main():
    global OUT
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--data", required=True, help="the demo's data directory (for demo-keys.env)")
    parser.add_argument("--out", default="artifacts/browser")
    args = parser.parse_args()
    OUT = args.out
    pathlib.Path(OUT).mkdir(parents=True, exist_ok=True)
    keys = dict(line.split("=", 1) for line in pathlib.Path(args.data, "demo-keys.env").read_text().split())

    downloads = tempfile.mkdtemp()
    with_js = Browser(args.base, True, downloads)
    try:
        customer = customer_flow(with_js, args.base, keys, "idp|00000001", "JavaScript", photograph=True)
        if customer:
            officer_flow(with_js, keys, customer, "JavaScript", photograph=True)
            customer_sees_done(with_js, "JavaScript")
        console_pages(with_js)
        guardian_pages(with_js)
        californian_pages(with_js, args.base, keys)
        forged_form(with_js, args.base, keys, "idp|00000005")
    finally:
        with_js.quit()

    no_js = Browser(args.base, False, tempfile.mkdtemp())
    try:
        customer = customer_flow(no_js, args.base, keys, "idp|00000002", "no JavaScript", photograph=False)
        if customer:
            officer_flow(no_js, keys, customer, "no JavaScript", photograph=False)
            customer_sees_done(no_js, "no JavaScript")
    finally:
        no_js.quit()

    pathlib.Path(OUT, "accessibility.json").write_text(json.dumps(accessibility, indent=2))
    pathlib.Path(OUT, "page-weights.json").write_text(json.dumps(weights, indent=2))
    print("\n== accessibility (axe-core): violations by impact per page")
    for page, violations in sorted(accessibility.items()):
        counts = {}
        for violation in violations:
            counts[violation["impact"]] = counts.get(violation["impact"], 0) + 1
        print(f"  {page:22} {counts or 'none'}")
    print("\n== page weight: HTML + assets (decoded bytes), requests")
    for page, size in sorted(weights.items()):
        print(f"  {page:22} {size['html']:>7} + {size['assets']:>6} bytes, {size['requests']} requests")
    print(f"\nscreenshots in {OUT}/screenshots")
    if failures:
        print(f"\n{len(failures)} browser check(s) failed:")
        for failure in failures:
            print("  - " + failure)
        sys.exit(1)
    print("all browser checks passed")


if __name__ == "__main__":
    main()
