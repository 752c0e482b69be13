"""`keyprobe inspect`: bring your own failing request; lint it, check its signature, decode its answer.

Exit codes: 0 when every request is clean (no error finding, signature matching or unchecked, no error
answer), 1 when something is wrong with one of them, 2 for unreadable input or usage errors.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from tui.inspect import FORMATS

SEARCH_BUDGET_S = 10.0  # forensics time for one whole input, however many requests it holds

HELP = "lint a request your own code sent, find what it signed, and decode its answer"


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "inspect",
        help=HELP,
        description=(
            "Read one or more requests your own code sent (a curl command, raw HTTP text with its response, ccxt "
            "verbose output, a HAR file (its WebSocket messages too), a WebSocket login frame pasted as JSON, or keyprobe "
            "history or a saved request), lint them without the secret, "
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
    """FILE or stdin, at most MAX_INPUT_BYTES; special files, folders and unreadable files become a sentence.
    keys.bounded opens without blocking, so a FIFO is refused instead of waiting forever for a writer."""
    from keys.bounded import UnreadableInput, read_file, read_stream
    from tui.inspect.model import MAX_INPUT_BYTES, InspectError

    try:
        if name == "-":
            if sys.stdin.isatty():
                raise InspectError("Paste the request, then Ctrl-D (or pass a FILE).")
            return read_stream(sys.stdin.buffer, MAX_INPUT_BYTES, "input on stdin")
        return read_file(name, MAX_INPUT_BYTES, "request file")
    except UnreadableInput as exc:
        raise InspectError(str(exc)) from None


def key_material(profile: str | None, loopback: bool) -> list:
    """The profile's credentials, else KEYPROBE_*'s, and the emulator's demo keys for loopback requests.
    InspectError when the user's own key material holds a character no request can carry (the door check)."""
    from tui.inspect.model import InspectError
    from tui.signing_context import environment_credentials as env_credentials

    out = []
    if profile:
        from tui.commands._profile import load_profile

        out.append(load_profile(profile).credentials)
    elif (creds := env_credentials()) is not None:
        out.append(creds)
    for creds in out:
        if creds.refusal:
            raise InspectError(creds.refusal)
    if loopback:
        from keys.demo import DEMO_KEYS

        if not out:  # said, not silent: a MATCH here is about the demo key, not the user's
            print("keyprobe inspect: no --profile or KEYPROBE_* given: loopback requests are checked with the "
                  "emulator's demo keys.", file=sys.stderr)

        out += [k.credentials for k in DEMO_KEYS]
    return out


def run(args: argparse.Namespace) -> int:
    from tui.terminal_safe import dumps, shown
    from tui.inspect.detect import parse
    from tui.inspect.model import InspectError
    from tui.inspect.report import inspect_request
    from tui.inspect.wsframes import inspect_capture
    from tui.venues import LOOPBACK_HOSTS
    from tui.ws.login_check import Capture

    try:
        fmt, requests = parse(read_input(args.file), args.format)
        creds = key_material(args.profile, any(r.host in LOOPBACK_HOSTS for r in requests))
    except InspectError as exc:
        print(f"keyprobe inspect: {shown(exc)}", file=sys.stderr)
        return 2
    budget = time.monotonic() + SEARCH_BUDGET_S
    inspections = []
    for r in requests:
        # Each unexplained signature may search for up to a second; a log of hundreds of them gets
        # SEARCH_BUDGET_S in all, then only the match check (the verdict says the search was cut short).
        left = max(0.0, budget - time.monotonic())
        if isinstance(r, Capture):  # a WebSocket login (a pasted frame, a HAR's _webSocketMessages)
            inspections.append(inspect_capture(r, creds, uid=args.uid, max_seconds=min(1.0, left)))
        else:
            inspections.append(inspect_request(r, creds, uid=args.uid, max_seconds=min(1.0, left)))
    try:
        if args.json:
            print(dumps({"format": fmt, "requests": [i.to_dict() for i in inspections]}))
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
