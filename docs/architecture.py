#!/usr/bin/env python3
"""Draws docs/architecture.svg, the README's picture of Consentry.

The picture is data: boxes and arrows below. Edit them and run
`python3 docs/architecture.py`; CI (scripts/readme-check.py) fails when the committed SVG
differs from what this script draws.
"""
import html
import pathlib

WIDTH, HEIGHT = 980, 560

# name: (x, y, width, height, title, lines, style)
BOXES = {
    "customer": (20, 40, 160, 70, "Customers", ["web, app, portal"], "actor"),
    "module": (20, 180, 160, 70, "CRM modules", ["billing, care, marketing,", "orders, collections..."], "actor"),
    "officer": (20, 320, 160, 70, "Compliance officers", ["DPO team"], "actor"),
    "operator": (20, 450, 160, 70, "Operators", ["run and key it"], "actor"),
    "self": (240, 40, 200, 70, "Self-service + dashboard", ["/self/v1/me", "the customer's sign-in (JWT)"], "surface"),
    "guarded": (240, 180, 200, 70, "Guarded data API", ["TMF629, TMF632, TMF644", "API key + X-Purpose"], "surface"),
    "compliance": (240, 320, 200, 70, "Compliance API", ["/compliance/v1: requests,", "reports (officer key)"], "surface"),
    "cli": (240, 450, 200, 70, "consentry CLI, /admin", ["import, keys, backup,", "audit verify (operator key)"], "surface"),
    "policy": (500, 40, 200, 80, "Policy", ["Policies/*.yaml: purposes,", "categories, modules", "plain / masked / withheld"], "core"),
    "usecases": (500, 180, 200, 120, "Use cases", ["purpose gate, guarded reads,", "consent changes + receipts,", "requests, erasure,", "reports, subscriptions", "(no HTTP, no SQL)"], "core"),
    "audit": (500, 360, 200, 70, "Audit trail", ["every decision, hash-chained,", "signed checkpoints"], "core"),
    "store": (790, 180, 175, 120, "Encrypted store", ["SQLite (default) or", "PostgreSQL (fleet);", "AES-256-GCM, a key per", "customer; blind indexes"], "store"),
    "kek": (790, 360, 175, 70, "Key-encryption key", ["key file or CONSENTRY_KEK;", "rotate, rewrap, retire"], "store"),
    "events": (790, 40, 175, 80, "Event deliverer", ["transactional outbox,", "HMAC-signed webhooks,", "retries, dead letters"], "store"),
}

# (from, to, label, kind); kind: "solid", "dashed"
ARROWS = [
    ("customer", "self", "", "solid"),
    ("module", "guarded", "", "solid"),
    ("officer", "compliance", "", "solid"),
    ("operator", "cli", "", "solid"),
    ("self", "usecases", "", "solid"),
    ("guarded", "usecases", "", "solid"),
    ("compliance", "usecases", "", "solid"),
    ("cli", "usecases", "", "solid"),
    ("usecases", "policy", "decides", "solid"),
    ("usecases", "audit", "before the response", "solid"),
    ("usecases", "store", "sealed fields", "solid"),
    ("store", "kek", "wraps keys", "dashed"),
    ("usecases", "events", "consent, erasure...", "solid"),
    ("audit", "store", "", "dashed"),
]

# Routed arrows (through the margins): (points, label, label position)
PATHS = [
    ([(877, 40), (877, 24), (8, 24), (8, 215), (20, 215)], "events to the modules subscribed (at least once)", (440, 18)),
]

STYLE = {
    "actor": ("#fff7e6", "#d48806"),
    "surface": ("#e6f4ff", "#1677ff"),
    "core": ("#f6ffed", "#389e0d"),
    "store": ("#f9f0ff", "#722ed1"),
}


def anchor(box, toward):
    """The point on `box`'s edge facing the centre of `toward`."""
    x, y, w, h = box[:4]
    tx, ty, tw, th = toward[:4]
    cx, cy, ox, oy = x + w / 2, y + h / 2, tx + tw / 2, ty + th / 2
    dx, dy = ox - cx, oy - cy
    if abs(dx) * h >= abs(dy) * w:
        sx = w / 2 if dx > 0 else -w / 2
        return cx + sx, cy + dy * (sx / dx if dx else 0)
    sy = h / 2 if dy > 0 else -h / 2
    return cx + dx * (sy / dy if dy else 0), cy + sy


def draw():
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" '
        'font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="12">',
        "<title>Consentry: who reaches it, what decides, where the data rests</title>",
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
        '<path d="M0,0 L10,5 L0,10 z" fill="#595959"/></marker></defs>',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
    ]
    for start, end, label, kind in ARROWS:
        (x1, y1), (x2, y2) = anchor(BOXES[start], BOXES[end]), anchor(BOXES[end], BOXES[start])
        dash = ' stroke-dasharray="5,4"' if kind == "dashed" else ""
        out.append(f'<line x1="{x1:.0f}" y1="{y1:.0f}" x2="{x2:.0f}" y2="{y2:.0f}" stroke="#595959" stroke-width="1.5"{dash} marker-end="url(#arrow)"/>')
        if label:
            mx, my = (x1 + x2) / 2, (y1 + y2) / 2
            # Beside a vertical arrow, above any other.
            x, y, side = (mx + 6, my + 4, "start") if abs(x1 - x2) < 5 else (mx, my - 5, "middle")
            out.append(f'<text x="{x:.0f}" y="{y:.0f}" text-anchor="{side}" fill="#434343" font-style="italic">{html.escape(label)}</text>')
    for points, label, (lx, ly) in PATHS:
        d = " ".join(f"{'M' if i == 0 else 'L'}{x},{y}" for i, (x, y) in enumerate(points))
        out.append(f'<path d="{d}" fill="none" stroke="#722ed1" stroke-width="1.5" marker-end="url(#arrow)"/>')
        out.append(f'<text x="{lx}" y="{ly}" text-anchor="middle" fill="#722ed1" font-style="italic">{html.escape(label)}</text>')
    for x, y, w, h, title, lines, style in BOXES.values():
        fill, stroke = STYLE[style]
        out.append(f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="8" fill="{fill}" stroke="{stroke}" stroke-width="1.5"/>')
        out.append(f'<text x="{x + w / 2:.0f}" y="{y + 20}" text-anchor="middle" font-weight="bold" font-size="13">{html.escape(title)}</text>')
        for i, line in enumerate(lines):
            out.append(f'<text x="{x + w / 2:.0f}" y="{y + 38 + 15 * i}" text-anchor="middle" fill="#262626">{html.escape(line)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    target = pathlib.Path(__file__).with_name("architecture.svg")
    target.write_text(draw(), encoding="utf-8")
    print(f"wrote {target}")
