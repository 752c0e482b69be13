"""`keyprobe inspect`: bring your own failing request; lint it, check its signature, decode its answer.

Exit codes: 0 when every request is clean (no error finding, signature matching or unchecked, no error
answer), 1 when something is wrong with one of them, 2 for unreadable input or usage errors.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

from tui.inspect.detect import FORMATS

SEARCH_BUDGET_S = 10.0  # forensics time for one whole input, however many requests it holds


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "inspect",
        help="lint a request your own code sent, find what it signed, and decode its answer",
        description=(
            "Read one or more requests your own code sent (a curl command, raw HTTP text with its response, ccxt "
            "verbose output, a HAR file, or keyprobe history or a saved request), lint them without the secret, "
            "recompute the signature with your key material (--profile or KEYPROBE_*), and when it differs, name "
            "the known mistake that reproduces it. Exit 0 when all is well, 1 when a problem is found, 2 for bad input."
        ),
        epilog="examples:\n  keyprobe inspect failing.curl --profile main\n  pbpaste | keyprobe inspect - --json\n"
        "  keyprobe inspect bot.log --format ccxt --uid 1234567",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("file", nargs="?", default="-", metavar="FILE", help="the input file ('-' or nothing: stdin)")
    p.add_argument("--profile", metavar="NAME", help="the key to check signatures with (else KEYPROBE_* variables)")
    p.add_argument("--uid", metavar="UID", help="your account UID: also tried as a memo (the memo-uid mistake)")
    p.add_argument("--format", choices=FORMATS, default="auto", help="the input's format (default: detected)")
    p.add_argument("--json", action="store_true", help="print one JSON object: {format, requests: [...]}")
    p.set_defaults(func=run)


def read_input(name: str) -> bytes:
    """At most MAX_INPUT_BYTES + 1 bytes of FILE or stdin; OSError and special files become a sentence."""
    import os
    import stat

    from tui.inspect.model import MAX_INPUT_BYTES, InspectError

    if name == "-":
        if sys.stdin.isatty():
            raise InspectError("Paste the request, then Ctrl-D (or pass a FILE).")
        return sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
    try:
        mode = os.stat(name).st_mode
        if stat.S_ISDIR(mode):
            raise InspectError(f"{name} is a folder, not a file.")
        if not stat.S_ISREG(mode) and not stat.S_ISFIFO(mode):
            raise InspectError(f"{name} is not a regular file.")
        with open(name, "rb") as fh:
            return fh.read(MAX_INPUT_BYTES + 1)
    except FileNotFoundError:
        raise InspectError(f"{name}: no such file.") from None
    except OSError as exc:
        raise InspectError(f"{name}: cannot be read ({exc.strerror or exc}).") from None


def key_material(profile: str | None, loopback: bool) -> list:
    """The profile's credentials, else KEYPROBE_*'s, and the emulator's demo keys for loopback requests."""
    from tui.signing_context import environment_credentials as env_credentials

    out = []
    if profile:
        from tui.commands._profile import load_profile

        out.append(load_profile(profile).credentials)
    elif (creds := env_credentials()) is not None:
        out.append(creds)
    if loopback:
        from keys.demo import DEMO_KEYS

        out += [k.credentials for k in DEMO_KEYS]
    return out


def run(args: argparse.Namespace) -> int:
    from tui.inspect.detect import parse
    from tui.inspect.model import InspectError
    from tui.inspect.report import inspect_request
    from tui.venues import LOOPBACK_HOSTS

    try:
        fmt, requests = parse(read_input(args.file), args.format)
    except InspectError as exc:
        print(f"keyprobe inspect: {exc}", file=sys.stderr)
        return 2
    creds = key_material(args.profile, any(r.host in LOOPBACK_HOSTS for r in requests))
    budget = time.monotonic() + SEARCH_BUDGET_S
    inspections = []
    for r in requests:
        # Each unexplained signature may search for up to a second; a log of hundreds of them gets
        # SEARCH_BUDGET_S in all, then only the match check (the verdict says the search was cut short).
        left = max(0.0, budget - time.monotonic())
        inspections.append(inspect_request(r, creds, uid=args.uid, max_seconds=min(1.0, left)))
    try:
        if args.json:
            print(json.dumps({"format": fmt, "requests": [i.to_dict() for i in inspections]}, ensure_ascii=False))
        else:
            from tui.inspect.render import print_inspections

            print_inspections(inspections)
        sys.stdout.flush()
    except BrokenPipeError:  # `keyprobe inspect big.log | head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 1 if any(problem(i) for i in inspections) else 0


def problem(ins) -> bool:
    d = ins.diagnosis
    return (ins.verdict.status == "mismatch" or any(f.severity == "error" for f in ins.findings)
            or (d is not None and d.code not in (None, 1000)))
