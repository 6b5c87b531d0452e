#!/usr/bin/env python3
"""A small adversarial HTTP suite against a live `consentry serve --demo` (#11).

Tries what an attacker would: forged and hostile customer tokens, forged API keys,
duplicate JSON keys, wrong content types, hostile query parameters and path segments,
injection strings, callbacks aimed at internal addresses. Every probe states the exact
answer it expects; any 5xx, any echo of the hostile text and any stored change from a
refused request is a failure. Python standard library only.

    scripts/adversarial.py http://127.0.0.1:8080 <demo data dir> <a customer's token>

(`scripts/adversarial.sh` starts the demo and mints the token.)
"""
import base64
import hashlib
import hmac
import json
import os
import sys
import time
import urllib.error
import urllib.request

BASE = sys.argv[1].rstrip("/")
DATA = sys.argv[2]
VALID_TOKEN = sys.argv[3]
KEYS = dict(line.strip().split("=", 1) for line in open(os.path.join(DATA, "demo-keys.env")) if "=" in line)
SECRET = base64.b64decode(open(os.path.join(DATA, "dev-jwt-secret")).read().strip())
API = BASE + "/tmf-api/customerManagement/v4"
failures = []
probes = 0


def call(method, path, headers=None, body=None):
    request = urllib.request.Request(BASE + path if path.startswith("/") else path, method=method, data=body, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


def expect(name, status, text, wanted, hostile=None):
    global probes
    probes += 1
    problems = []
    if status != wanted:
        problems.append(f"status {status}, expected {wanted}")
    if status >= 500:
        problems.append("server error")
    if hostile and len(hostile) >= 8 and hostile in text:
        problems.append("the hostile text is echoed")
    if status >= 400 and '"status"' not in text:
        problems.append("not a problem document")
    if problems:
        failures.append(f"{name}: {'; '.join(problems)}: {text[:160]}")


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt(claims, header=None, key=SECRET):
    head = b64(json.dumps(header or {"alg": "HS256", "typ": "JWT", "kid": "hs256"}).encode())
    body = b64(json.dumps(claims).encode())
    signature = b64(hmac.new(key, f"{head}.{body}".encode(), hashlib.sha256).digest())
    return f"{head}.{body}.{signature}"


module = {"Authorization": "Bearer " + KEYS["CSR_KEY"], "X-Purpose": "customer-care"}
json_module = dict(module, **{"Content-Type": "application/json"})
# A real subject, from a valid token of the demo's identity provider: the forgeries below break it.
now = int(time.time())
good = {"iss": "consentry-dev", "aud": ["consentry-self-service"], "iat": now, "exp": now + 600}
subject = json.loads(base64.urlsafe_b64decode(VALID_TOKEN.split(".")[1] + "==")).get("sub")
status, text = call("GET", "/self/v1/me", {"Authorization": "Bearer " + VALID_TOKEN})
expect("the valid token itself", status, text, 200)

print("== customer tokens")
forged = {
    "alg none": jwt(dict(good, sub="x"), {"alg": "none", "typ": "JWT"}).rsplit(".", 1)[0] + ".",
    "wrong key": jwt(dict(good, sub="x"), key=b"not-the-secret-not-the-secret-00"),
    "expired": jwt(dict(good, sub="x", iat=now - 7200, exp=now - 3600)),
    "not yet valid": jwt(dict(good, sub="x", nbf=now + 3600)),
    "issued in the future": jwt(dict(good, sub="x", iat=now + 3600, exp=now + 4000)),
    "lives a year": jwt(dict(good, sub="x", exp=now + 365 * 86400)),
    "other issuer": jwt(dict(good, sub="x", iss="https://evil.example")),
    "other audience": jwt(dict(good, sub="x", aud=["billing"])),
    "no subject": jwt(good),
    "unknown subject": jwt(dict(good, sub="idp|nobody-at-all")),
    "RS256 header, HMAC signature": jwt(dict(good, sub="x"), {"alg": "RS256", "typ": "JWT"}),
    "garbage": "eyJhbGciOi.not-a-token.at-all",
    "empty": "",
}
for name, token in forged.items():
    status, text = call("GET", "/self/v1/me", {"Authorization": "Bearer " + token})
    expect(f"token: {name}", status, text, 401, hostile=token if len(token) > 20 else None)
status, text = call("GET", "/self/v1/me", {"Authorization": "Basic " + b64(b"csr:toolbox")})
expect("token: Basic scheme", status, text, 401)

print("== API keys")
for name, key in {"unknown": "csk_000000000000_" + "A" * 43, "malformed": "csk_" + "'; DROP TABLE customer; --", "customer token as key": jwt(dict(good, sub="x"))}.items():
    status, text = call("GET", f"{API}/customer?limit=1", {"Authorization": "Bearer " + key, "X-Purpose": "customer-care"})
    expect(f"api key: {name}", status, text, 401, hostile=key)

print("== parser differentials: duplicate keys, content types")
if subject:
    token = jwt(dict(good, sub=subject))
    me = {"Authorization": "Bearer " + token}
    status, before = call("GET", "/self/v1/me/consents", me)
    status, text = call("PUT", "/self/v1/me/consents/loyalty", dict(me, **{"Content-Type": "application/json"}),
                        b'{"status":"given","status":"withdrawn"}')
    expect("duplicate key in a consent change", status, text, 400)
    status, after = call("GET", "/self/v1/me/consents", me)
    if json.loads(before) != json.loads(after):
        failures.append("a refused duplicate-key body changed the consents")
    for media in ["text/plain", "application/x-www-form-urlencoded", "application/xml", "multipart/form-data; boundary=x"]:
        status, text = call("PUT", "/self/v1/me/consents/loyalty", dict(me, **{"Content-Type": media}), b'{"status":"given"}')
        expect(f"consent change as {media}", status, text, 415)
else:
    failures.append("no demo customer with a login subject was found for the /self probes")
status, text = call("POST", f"{API}/customer", dict(module, **{"Content-Type": "text/plain"}), b'{"engagedParty":{}}')
expect("create as text/plain", status, text, 415)
status, text = call("POST", f"{API}/customer/search", json_module, b'{"email":"a@b.example","email":"c@d.example"}')
expect("duplicate key in a search body", status, text, 400)

print("== hostile parameters and paths")
long_value = "contactMedium" + "x" * 10000
hostile = {
    "10,000-character fields=": (f"{API}/customer?fields={long_value}", 400, long_value),
    "unknown parameter": (f"{API}/customer?sort=%27%3BDROP%20TABLE%20customer", 400, "DROP TABLE"),
    "negative offset": (f"{API}/customer?offset=-1", 400, None),
    "huge limit": (f"{API}/customer?limit=100000000000000000000", 400, None),
    "SQL in a search": (f"{API}/customer?email=%27%20OR%201%3D1%20--", 200, None),
    "traversal id": (f"{API}/customer/..%2F..%2Fetc%2Fpasswd", 404, "etc/passwd"),
    "long id": (f"{API}/customer/" + "9" * 5000, 404, "9" * 5000),
    "unicode id": (f"{API}/customer/%E2%80%AE%F0%9F%92%A3", 404, None),
    "NUL in a search": (f"{API}/customer?email=a%00b%40example.org", 200, None),
}
for name, (path, wanted, echo) in hostile.items():
    status, text = call("GET", path, module)
    expect(f"param: {name}", status, text, wanted, hostile=echo)
    if name == "SQL in a search" and status == 200 and json.loads(text) != []:
        failures.append("an injection string in a search found customers")
status, text = call("GET", f"{API}/customer?limit=1", {"Authorization": "Bearer " + KEYS["CSR_KEY"], "X-Purpose": "x" * 5000})
expect("5,000-character purpose", status, text, 403, hostile="x" * 5000)

print("== callbacks aimed inside")
port = BASE.rsplit(":", 1)[1]
for name, callback in {
    "cloud metadata": "http://169.254.169.254/latest/meta-data/",
    "Consentry's own admin": f"http://127.0.0.1:{port}/admin/v1/policy/reload",
    "a host outside callbackHosts": "https://attacker.example.com/hook",
    "private address over https": "https://10.0.0.7/hook",
}.items():
    status, text = call("POST", "/tmf-api/privacyManagement/v4/hub", {"Authorization": "Bearer " + KEYS["CSR_KEY"], "Content-Type": "application/json"},
                        json.dumps({"callback": callback}).encode())
    expect(f"callback: {name}", status, text, 422)

print("== the web pages and the transparency log")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def page(method, path, headers=None, body=None):
    """A web page as a browser would get it, without following redirects."""
    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(BASE + path, method=method, data=body, headers=headers or {})
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, response.headers, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode("utf-8", "replace")


def expect_page(name, status, headers, text, wanted, location=None, hostile=None):
    global probes
    probes += 1
    problems = []
    if status != wanted:
        problems.append(f"status {status}, expected {wanted}")
    if location and headers.get("Location") != location:
        problems.append(f"Location {headers.get('Location')}, expected {location}")
    if hostile and hostile in text:
        problems.append("the hostile text is echoed unescaped")
    if "frame-ancestors 'none'" not in (headers.get("Content-Security-Policy") or ""):
        problems.append("no Content-Security-Policy")
    if problems:
        failures.append(f"{name}: {'; '.join(problems)}: {text[:160]}")


form = {"Content-Type": "application/x-www-form-urlencoded"}
status, headers, text = page("POST", "/privacy/consents", {**form, "Origin": "https://attacker.example"}, b"purpose=loyalty&status=given")
expect_page("web: a form posted from another origin", status, headers, text, 403)
script = "<script>alert(document.cookie)</script>"
status, headers, text = page("POST", "/privacy/sign-in/demo", form, ("subject=" + urllib.request.quote(script)).encode())
expect_page("web: sign-in without the CSRF token", status, headers, text, 403, hostile=script)
status, headers, text = page("POST", "/privacy/sign-in/demo", {**form, "Cookie": "consentry_csrf=" + "A" * 43},
                             ("csrf=" + "A" * 43 + "&subject=" + urllib.request.quote(script)).encode())
expect_page("web: sign-in as a hostile subject", status, headers, text, 401, hostile=script)
status, headers, text = page("GET", "/privacy/access?module=" + urllib.request.quote(script))
expect_page("web: a page without a session", status, headers, text, 303, location="/privacy")
status, headers, text = page("GET", "/console/requests", {"Cookie": "consentry_console=" + "B" * 43})
expect_page("web: the console with a forged session", status, headers, text, 303, location="/console")
status, headers, text = page("POST", "/console/sign-in", {**form, "Cookie": "consentry_csrf=" + "C" * 43},
                             ("csrf=" + "C" * 43 + "&key=" + urllib.request.quote("' OR 1=1 --" + script)).encode())
expect_page("web: console sign-in with a hostile key", status, headers, text, 401, hostile=script)
status, headers, text = page("POST", "/console/sign-in", {**form, "Cookie": "consentry_csrf=" + "C" * 43},
                             ("csrf=" + "C" * 43 + "&key=" + urllib.request.quote(KEYS["CSR_KEY"])).encode())
expect_page("web: console sign-in with a module's key", status, headers, text, 401)
for path, wanted in {"/transparency/v1/consistency?from=0&to=1": 400, "/transparency/v1/consistency?from=abc&to=1": 400,
                     "/transparency/v1/consistency?from=1": 400, "/transparency/v1/heads/-1": 400,
                     "/transparency/v1/heads/999999999": 404}.items():
    status, text = call("GET", path)
    expect(f"transparency: {path}", status, text, wanted)
status, text = call("GET", "/self/v1/me/dashboard/access/1/proof", {"Authorization": "Bearer " + VALID_TOKEN})
expect("transparency: another customer's entry", status, text, 404)

print("== jurisdictions, opt-outs and the breach register")
me = {"Authorization": "Bearer " + VALID_TOKEN}
status, text = call("PUT", "/self/v1/me/opt-outs/sale-sharing", me)
expect("opt-out where the law grants none (GDPR customer)", status, text, 409)
status, text = call("PUT", "/self/v1/me/opt-outs/" + urllib.request.quote("do-not-<script>"), me)
expect("an opt-out right that does not exist", status, text, 404, hostile="<script>")
status, text = call("GET", "/self/v1/me/opt-outs", {"Authorization": "Bearer forged.token.here", "Sec-GPC": "1"})
expect("GPC with a forged token", status, text, 401)
status, text = call("GET", "/self/v1/me/opt-outs", {**me, "Sec-GPC": "1"})
if status != 200 or json.loads(text)["rights"] != [] or any(r.get("optedOut") for r in json.loads(text)["rights"]):
    failures.append(f"GPC from a GDPR customer changed something: {text[:160]}")
probes += 1
status, text = call("POST", "/self/v1/me/requests", {**me, "Content-Type": "application/json"}, b'{"type":"human_review","purpose":"billing"}')
expect("human review of a purpose that decides nothing automatically", status, text, 422)
officer = {"Authorization": "Bearer " + KEYS["OFFICER_KEY"], "Content-Type": "application/json"}
breach = {"title": "t", "description": "d", "discoveredAt": "2026-12-01T09:00:00Z", "consequences": "c", "measures": "m",
          "affected": {"customers": ["no-such-customer"]}}
status, text = call("POST", "/compliance/v1/breaches", {"Authorization": "Bearer " + KEYS["CSR_KEY"], "Content-Type": "application/json"}, json.dumps(breach).encode())
expect("breach recorded with a module's key", status, text, 403)
status, text = call("POST", "/compliance/v1/breaches", officer, json.dumps(breach).encode())
expect("breach naming an unknown customer", status, text, 422)
status, text = call("POST", "/compliance/v1/breaches", officer, json.dumps({**breach, "discoveredAt": "2999-01-01T00:00:00Z"}).encode())
expect("breach discovered in the future", status, text, 422)
status, text = call("POST", "/compliance/v1/breaches", officer, json.dumps({**breach, "affected": {"module": "csr-toolbox", "from": "x", "until": "y", "customers": []}}).encode())
expect("breach with both a query and a list", status, text, 422)
status, text = call("POST", "/compliance/v1/breaches", officer, b'{"title":"a","title":"b"}')
expect("breach body with a duplicate key", status, text, 400)
before = len(json.loads(call("GET", "/compliance/v1/breaches", officer)[1]))
if before != 0:
    failures.append(f"refused breach reports were stored: {before}")
probes += 1
hostile_title = "<script>alert(1)</script>"
status, text = call("POST", "/compliance/v1/breaches", officer, json.dumps({**breach, "title": hostile_title, "affected": {"module": "csr-toolbox", "from": "2026-01-01T00:00:00Z", "until": "2026-01-02T00:00:00Z"}}).encode())
expect("breach with a hostile title", status, text, 201)
if status == 201:
    status, html = call("GET", f"/compliance/v1/breaches/{json.loads(text)['id']}?format=html", officer)
    if status != 200 or hostile_title in html:
        failures.append(f"breach record HTML: status {status} or the title unescaped")
    probes += 1

print(f"{probes} probes, {len(failures)} failures")
for failure in failures:
    print("FAIL", failure)
sys.exit(1 if failures else 0)
