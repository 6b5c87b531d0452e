#!/usr/bin/env python3
"""Runs the examples of README.md and docs/OPERATING.md against a fresh demo, as a reader
would type them, and fails when one errs or prints something else than the text shows.

How it reads the documents:
- every ```sh block runs, in document order, in ONE bash session (variables carry over),
  except a block right after `<!-- readme-check: skip (why) -->`; ```bash blocks are
  commands for the reader's own shell (the two commands, benchmarks) and do not run;
- a `<!-- readme-check: stop-server -->` or `restart-server` line stops or restarts the demo
  there, as the text asks the reader to (Ctrl-C, then `swift run consentry serve --demo`);
- the `# ` lines right after a command are its expected output: `...` stands for anything,
  and times, ids, hashes, keys and tokens match any value of their shape; a line starting
  `# (` is prose, not output. Expected lines must appear in order, others may sit between;
- a command must exit 0, unless its expected output starts with `consentry:` (a CLI error);
- `swift build` lines do not run: the checker uses the binary that is already built.

It works in a temporary copy of the documents, Fixtures/, Policies/ and scripts/ (with
`.build` linked), so the demo's `.consentry` never touches yours. The demo listens on
127.0.0.1:8080, as the README says: that port must be free.

It also checks that docs/architecture.svg is what docs/architecture.py draws.

Usage: python3 scripts/readme-check.py   (from anywhere, after `swift build`)
"""
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
DOCUMENTS = ["README.md", "docs/OPERATING.md"]
PORT = 8080

# Values that differ on every run, matched by shape (applied to the expected text).
VOLATILE = [
    (r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"),
    (r"csk_[A-Za-z0-9_-]{10,}", r"csk_[A-Za-z0-9_-]+"),
    (r"eyJ[A-Za-z0-9_-]{8,}", r"eyJ[A-Za-z0-9_.-]*"),
    (r"sha256:[0-9a-f]{16}", r"sha256:[0-9a-f]{16}"),
    # ids, key ids and hashes: 8 or more hex digits with at least one digit and one letter,
    # possibly with dashes (UUIDs)
    (r"\b(?=[0-9a-f-]*\d)(?=[0-9a-f-]*[a-f])[0-9a-f]{8,}(?:-[0-9a-f]+)*\b", r"[0-9a-f-]+"),
]


class Statement:
    def __init__(self, source, line, text, expected):
        self.source, self.line, self.text, self.expected = source, line, text, expected


def is_complete(text):
    """True when `text` is one or more whole bash statements (no open quote, loop or `\\`)."""
    if text.rstrip().endswith("\\"):
        return False
    return subprocess.run(["bash", "-n"], input=text, text=True, capture_output=True).returncode == 0


def parse(path):
    """The runnable statements of one document, with directives as pseudo-statements."""
    lines = path.read_text(encoding="utf-8").split("\n")
    items, skip_next, i = [], False, 0
    while i < len(lines):
        line = lines[i]
        directive = re.match(r"<!-- readme-check: (skip|stop-server|restart-server)\b.*-->", line.strip())
        if directive:
            if directive.group(1) == "skip":
                skip_next = True
            else:
                items.append(directive.group(1))
            i += 1
            continue
        if line.strip() != "```sh":
            i += 1
            continue
        start = i + 1
        end = start
        while lines[end].strip() != "```":
            end += 1
        block = lines[start:end]
        i = end + 1
        if skip_next:
            skip_next = False
            continue
        j = 0
        while j < len(block):
            if not block[j].strip() or block[j].lstrip().startswith("#"):
                j += 1
                continue
            first, text = j, block[j]
            while not is_complete(text):
                j += 1
                if j >= len(block):
                    sys.exit(f"{path.name}:{start + first + 1}: the command does not end inside its block")
                text += "\n" + block[j]
            j += 1
            expected = []
            while j < len(block) and block[j].startswith("#"):
                expected.append(block[j][1:].strip())
                j += 1
            items.append(Statement(path.name, start + first + 1, text, [e for e in expected if not e.startswith("(")]))
    return items


def pattern(expected):
    """A regex for the expected lines: each in order, anything between."""
    parts = []
    for line in expected:
        if line in ("...", ""):
            continue
        pieces = []
        for chunk in line.split("..."):
            regex, last = "", 0
            marks = []
            for volatile, replacement in VOLATILE:
                for m in re.finditer(volatile, chunk):
                    marks.append((m.start(), m.end(), replacement))
            marks.sort()
            for begin, finish, replacement in marks:
                if begin < last:
                    continue
                regex += re.escape(chunk[last:begin]) + replacement
                last = finish
            regex += re.escape(chunk[last:])
            pieces.append(regex)
        parts.append(".*?".join(pieces))
    return r"[\s\S]*?".join(parts)


def script(items, workdir):
    """One bash script that runs every statement between markers the checker splits on."""
    out = [
        "set +e",
        "exec 2>&1  # the CLI's messages go to stderr: the reader sees both",
        f"cd {workdir}",
        "start_server() {",
        f"  ( .build/debug/consentry serve --demo >>server.log 2>&1 & echo $! > server.pid )",
        f"  for _ in $(seq 1 300); do curl -sf http://127.0.0.1:{PORT}/health/ready >/dev/null 2>&1 && return 0; sleep 0.2; done",
        "  echo 'the demo did not become ready:'; tail -20 server.log; exit 3",
        "}",
        "stop_server() { kill \"$(cat server.pid)\"; while kill -0 \"$(cat server.pid)\" 2>/dev/null; do sleep 0.1; done; }",
        "start_server",
    ]
    for index, item in enumerate(items):
        if item == "stop-server":
            out.append("stop_server")
        elif item == "restart-server":
            out.append("start_server")
        elif re.fullmatch(r"swift build\b.*", item.text.split("#")[0].strip()):
            continue
        else:
            out += [f"printf '\\n@@BEGIN {index}@@\\n'", item.text, f"__rc=$?; printf '\\n@@END {index} %s@@\\n' \"$__rc\""]
    out.append("stop_server 2>/dev/null; jobs -p | xargs -r kill 2>/dev/null; exit 0")
    return "\n".join(out) + "\n"


def check_picture():
    sys.path.insert(0, str(ROOT / "docs"))
    import architecture  # noqa: E402

    if (ROOT / "docs" / "architecture.svg").read_text(encoding="utf-8") != architecture.draw():
        return ["docs/architecture.svg is not what docs/architecture.py draws: run python3 docs/architecture.py"]
    return []


def main():
    binary = ROOT / ".build" / "debug" / "consentry"
    if not binary.exists():
        sys.exit(f"{binary} is missing: run `swift build` first")
    if subprocess.run(["curl", "-s", "-o", "/dev/null", f"http://127.0.0.1:{PORT}/"]).returncode == 0:
        sys.exit(f"something already listens on 127.0.0.1:{PORT}; stop it (the README's demo uses that port)")
    failures = check_picture()
    items = [item for name in DOCUMENTS for item in parse(ROOT / name)]
    statements = [item for item in items if isinstance(item, Statement)]
    with tempfile.TemporaryDirectory(prefix="readme-check-") as work:
        workdir = pathlib.Path(work)
        for name in ["README.md", "docs", "Fixtures", "Policies", "scripts"]:
            source = ROOT / name
            (shutil.copytree if source.is_dir() else shutil.copy)(source, workdir / name)
        (workdir / ".build").symlink_to(ROOT / ".build")
        env = {k: v for k, v in os.environ.items() if not k.startswith("CONSENTRY_")}
        run = subprocess.run(
            ["bash", "-c", script(items, workdir)], cwd=workdir, env=env, text=True, capture_output=True, timeout=900)
        output = run.stdout + run.stderr
        if "the demo did not become ready" in output:
            print(output)
            sys.exit("readme-check: the demo did not start")
        blocks = {int(m.group(1)): m for m in re.finditer(r"@@BEGIN (\d+)@@\n([\s\S]*?)\n@@END \1 (\d+)@@", run.stdout)}
        for index, item in enumerate(items):
            if not isinstance(item, Statement) or re.fullmatch(r"swift build\b.*", item.text.split("#")[0].strip()):
                continue
            where = f"{item.source}:{item.line}: {item.text.splitlines()[0]}"
            found = blocks.get(index)
            if not found:
                failures.append(f"{where}\n    did not run to its end")
                continue
            actual, rc = found.group(2), int(found.group(3))
            expects_error = bool(item.expected) and item.expected[0].startswith("consentry:")
            if rc != 0 and not expects_error:
                failures.append(f"{where}\n    exit {rc}; output:\n{indent(actual)}")
            elif item.expected and not re.search(pattern(item.expected), actual):
                failures.append(f"{where}\n    expected (in order):\n{indent(chr(10).join(item.expected))}\n    got:\n{indent(actual)}")
        ran = len([s for s in statements if not re.fullmatch(r"swift build\b.*", s.text.split("#")[0].strip())])
        checked = len([s for s in statements if s.expected])
        if failures:
            print("\n\n".join(failures))
            print(f"\nreadme-check: {len(failures)} of {ran} commands differ from the documents ({checked} with expected output)")
            sys.exit(1)
        print(f"readme-check: {ran} commands of {', '.join(DOCUMENTS)} ran as shown ({checked} with their expected output); the picture is current")


def indent(text):
    return "\n".join("      " + line for line in text.strip("\n").splitlines()[:40])


if __name__ == "__main__":
    main()
