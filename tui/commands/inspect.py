"""`keyprobe inspect`: bring your own failing request; lint it, check its signature, decode its answer.

Exit codes: 0 when every request is clean (no error finding, signature matching, unchecked or not checked by
the venue, no error answer), 1 when something is wrong with one of them or the time budget left some of them
unexamined, 2 for unreadable input or usage errors.
"""

from __future__ import annotations

import argparse
import os
import sys

from tui.commands._args import help_formatter
from tui.inspect import FORMATS

HELP = "lint a request your own code sent, find what it signed, and decode its answer"


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "inspect",
        help=HELP,
        description=(
            "Read one or more requests your own code sent (a curl command, raw HTTP text with its response, ccxt "
            "verbose output, the BitMart SDK's debug log, a HAR file (its WebSocket messages too), a WebSocket login "
            "frame pasted as JSON, or keyprobe history or a saved request), lint "
            "them without the secret, recompute the signature with your key material (--profile or KEYPROBE_*), and "
            "when it differs, name the known mistake that reproduces it. One input gets 10 s in all; what it leaves "
            "is named. Exit 0 when all is well, 1 when a problem is found (or requests were left unexamined), 2 for "
            "bad input."
        ),
        epilog="examples:\n  keyprobe inspect failing.curl --profile main\n  pbpaste | keyprobe inspect - --json\n"
        "  keyprobe inspect bot.log --format ccxt --uid 1234567",
        formatter_class=help_formatter(argparse.RawDescriptionHelpFormatter),
    )
    p.add_argument("file", nargs="?", default="-", metavar="FILE", help="the input file ('-' or nothing: stdin)")
    p.add_argument("--profile", metavar="NAME", help="the key to check signatures with (else KEYPROBE_* variables)")
    p.add_argument("--uid", metavar="UID", help="your account UID: also tried as a memo (the memo-uid mistake)")
    p.add_argument("--format", choices=FORMATS, default="auto", help="the input's format (default: detected)")
    p.add_argument("--venue", choices=("wooxpro", "bitmart"), metavar="VENUE",
                   help="the header names a loopback or unknown host reads, wooxpro (X-API-*) or bitmart (X-BM-*), "
                   "when the input has no answer to tell (a curl command)")
    p.add_argument("--json", action="store_true", help="print one JSON object: {format, requests: [...]}")
    # Logging is masked only when something that could log is loaded (the key file, below): inspect's own path
    # imports no logging at all, so no record can carry a secret (tests/test_cli_startup.py holds it to that).
    p.set_defaults(func=run, may_log_secrets=False)


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


def own_key_material(profile: str | None) -> list:
    """The user's own credentials: the profile's, else KEYPROBE_*'s (tui.inspect.batch adds the demo keys for
    loopback requests). InspectError when they hold a character no request can carry (the door check)."""
    from tui.inspect.model import InspectError

    out = []
    if profile:
        from keys.redact_logging import install_logging
        from tui.commands._profile import load_profile

        install_logging()  # the key file's code is a library's too: mask whatever it might log

        out.append(load_profile(profile).credentials)
    else:
        from keys.environment import environment_credentials  # not tui.signing_context: that loads httpx

        if (creds := environment_credentials()) is not None:
            out.append(creds)
    for creds in out:
        if creds.refusal:
            raise InspectError(creds.refusal)
    return out


def run(args: argparse.Namespace, budget=None) -> int:
    from tui.startup_gc import pause_gc, resume_gc

    pause_gc()  # until the first result: what is imported until then lives as long (tui/startup_gc.py)
    try:
        return _run(args, budget)
    finally:
        resume_gc()


def _run(args: argparse.Namespace, budget) -> int:  # noqa: ANN001
    from tui.inspect.batch import inspect_all, unexamined
    from tui.startup_gc import resume_gc
    from tui.inspect.budget import Budget
    from tui.inspect.detect import read
    from tui.inspect.model import InspectError
    from tui.output.terminal_safe import shown
    from keys.hosts import LOOPBACK_HOSTS

    budget = budget or Budget()  # one total time for reading and inspecting this input
    try:
        reading = read(read_input(args.file), args.format, budget)
        own = own_key_material(args.profile)
    except InspectError as exc:
        print(f"keyprobe inspect: {shown(exc)}", file=sys.stderr)
        return 2
    if not own and any(r.host in LOOPBACK_HOSTS for r in reading.requests):
        # said, not silent: a MATCH here is about the demo key, not the user's
        print("keyprobe inspect: no --profile or KEYPROBE_* given: loopback requests are checked with the emulator's "
              "demo keys.", file=sys.stderr)
    examined, problems = 0, False
    printer = _printer(args.json, reading.format)
    try:
        for inspection in inspect_all(reading, own, budget, uid=args.uid, responder=args.venue):
            printer.add(inspection)  # printed as it is made: a big input is never held whole
            examined += 1
            problems = problems or problem(inspection)
            # The first result is out: the rest of a long input runs with the collector, which need not walk what
            # the start-up built again when this run is the process (tui/startup_gc.py).
            resume_gc(freeze=getattr(args, "whole_process", False))
        stopped = unexamined(reading, examined, budget)
        printer.end(stopped)
        if stopped:
            print(f"keyprobe inspect: {stopped}", file=sys.stderr)
        sys.stdout.flush()
    except BrokenPipeError:  # `keyprobe inspect big.log | head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1 if problems else 0
    return 1 if problems or stopped else 0


class _printer:
    """--json: one object {format, requests: [...], unexamined}, written a request at a time; else the human view."""

    def __init__(self, as_json: bool, fmt: str) -> None:
        self.as_json, self.count = as_json, 0
        if as_json:
            from tui.output.terminal_safe import dumps

            self.dumps = dumps
            sys.stdout.write(f'{{"format": {dumps(fmt)}, "requests": [')

    def add(self, inspection) -> None:
        if self.as_json:
            sys.stdout.write((",\n" if self.count else "\n") + self.dumps(inspection.to_dict()))
        else:
            from tui.inspect.render import print_inspection

            print_inspection(self.count + 1, inspection)
        self.count += 1

    def end(self, stopped: str | None) -> None:
        if self.as_json:
            sys.stdout.write(f'\n], "unexamined": {self.dumps(stopped)}}}\n')


def problem(ins) -> bool:
    d = ins.diagnosis
    return (ins.verdict.status == "mismatch" or any(f.severity == "error" for f in ins.findings)
            or (d is not None and d.code not in (None, 1000))
            or (d is not None and d.code is None and (d.actual_status or 0) >= 400))  # a 404 page has no code
