#!/usr/bin/env python3
"""A module's event endpoint, for trying Consentry's events out (standard library only).

Listens on 127.0.0.1:PORT, checks each delivery's X-Consentry-Signature with the
subscription's secret (HMAC-SHA256 over "<t>." + body, t within 5 minutes), prints the
event, and answers 204; a bad signature gets 401 and is printed as such.

    python3 scripts/event-receiver.py --port 9099 --secret "$SECRET"
"""
import argparse
import base64
import hashlib
import hmac
import http.server
import json
import time


def valid(header, body, secret):
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    t, v1 = parts.get("t", ""), parts.get("v1", "")
    if not t.isdigit() or abs(time.time() - int(t)) > 300:
        return False
    expected = hmac.new(secret, t.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, v1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=9099)
    parser.add_argument("--secret", required=True, help="the subscription's secret (base64), from POST /hub")
    args = parser.parse_args()
    secret = base64.b64decode(args.secret)

    class Receiver(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if not valid(self.headers.get("X-Consentry-Signature", ""), body, secret):
                print("REJECTED: bad signature", flush=True)
                self.send_response(401)
                self.end_headers()
                return
            event = json.loads(body)
            detail = event.get("event", {})
            resource = detail.get("customer") or detail.get("partyPrivacyProfile") or {}
            change = (resource.get("partyPrivacyProfileCharacteristic") or [{}])[0]
            print("verified", event["eventType"], "eventId", event["eventId"], "customer", resource.get("id", "-"),
                  "purpose", change.get("privacyUsagePurpose", "-"), "state", change.get("value", resource.get("status", "-")),
                  "attempt", self.headers.get("X-Consentry-Delivery-Attempt"), flush=True)
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    http.server.HTTPServer(("127.0.0.1", args.port), Receiver).serve_forever()


if __name__ == "__main__":
    main()
