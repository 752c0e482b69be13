"""`keyprobe send METHOD PATH`: sign one request, send it, show what went out, what came back, and why.

Exit codes: 0 the API answered code 1000; 1 any other answer (an error code, an HTML page, a body
with no code); 2 a usage problem, found before anything is sent (bad JSON body, bad option, no key
for a signed call, a key asked to sign for a host it is not bound to); 3 a transport failure.
"""

from __future__ import annotations

import argparse
import sys
import time

from tui.commands._target_options import add_target_options

METHODS = ("GET", "POST", "PUT", "DELETE")
SUCCESS_CODE = 1000
BODY_FILE_CAP = 32 * 1024 * 1024  # the wire keeps answers up to 32 MiB; a body as large is already absurd

HELP = "sign and send one request, then diagnose the answer"


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "send",
        help=HELP,
        description=(
            "Sign one request with the venue's headers, send it, and show the request exactly as sent (key and "
            "signature masked), the answer with its timings, and what the answer means. "
            "Exit 0 on code 1000, 1 on an API error, 2 on a usage error, 3 on a transport failure."
        ),
        epilog="Example: keyprobe send POST /contract/private/submit-order --body '{\"symbol\":\"BTCUSDT\"}'",
    )
    p.add_argument("method", metavar="METHOD", type=str.upper, choices=METHODS, help="GET, POST, PUT or DELETE")
    p.add_argument("path", metavar="PATH", help="the path, e.g. /contract/private/assets-detail (a ?query is kept)")
    p.add_argument("--query", action="append", default=[], metavar="K=V", help="a query parameter (repeatable, order kept)")
    body = p.add_mutually_exclusive_group()
    body.add_argument("--body", metavar="JSON", default=None, help="the JSON body, sent and signed byte for byte as given")
    body.add_argument("--body-file", metavar="FILE", default=None, help="read the body from FILE ('-' for stdin)")
    p.add_argument("--auth", choices=("none", "keyed", "signed"), default=None,
                   help="auth level (default: the endpoint table's, else signed)")
    p.add_argument("--sync-clock", action="store_true", help="measure the server's clock first and sign with the offset")
    p.add_argument("--json", action="store_true", help="print one JSON object: request, response, timings_ms, diagnosis")
    p.add_argument("--full", action="store_true",
                   help="print whole bodies: the request's (otherwise its first 4,096 characters) and, on a terminal, the response's")
    p.add_argument("--no-history", action="store_true", help="do not add this send to the history")
    p.add_argument("--save", metavar="NAME", default=None,
                   help="also save the request as NAME.request.json (no key, signature or timestamp) for `keyprobe replay`")
    p.add_argument("--dir", metavar="D", default=None, help="folder for --save (default: the saved-requests folder)")
    add_target_options(p)
    p.set_defaults(func=run)


class UsageError(Exception):
    """A sentence for stderr; exit 2, nothing sent."""


def _path_and_query(path: str, extra: list[str]) -> tuple[str, tuple[tuple[str, str], ...], str | None]:
    """The path, the query pairs, and the query text as typed (sent byte for byte) when PATH carries one."""
    from urllib.parse import parse_qsl, urlencode, urlsplit

    if "://" in path:
        try:
            only = urlsplit(path).path or "/"
        except ValueError:
            only = "/..."
        raise UsageError(f"PATH is the path only ({only}); put the scheme and host in --base-url.")
    path, mark, qs = path.partition("?")
    pairs = parse_qsl(qs, keep_blank_values=True) if qs else []
    added: list[tuple[str, str]] = []
    for item in extra:
        if "=" not in item:
            raise UsageError(f"--query takes K=V, not {item!r}.")
        k, v = item.split("=", 1)
        if not k:
            raise UsageError(f"--query needs a name before '=', not {item!r}.")
        added.append((k, v))
    raw = None
    if mark and qs:  # `send GET '/p?a=b%20c'` goes out as written; --query pairs are encoded and appended
        raw = qs + ("&" + urlencode(added) if added else "")
    return (path if path.startswith("/") else "/" + path), tuple(pairs + added), raw


def _read_body(args: argparse.Namespace) -> str:
    from keys.bounded import UnreadableInput, read_file, read_stream

    if args.body is not None:
        try:  # a byte that is not UTF-8 reaches argv as a surrogate: it could be neither sent as typed nor recorded
            args.body.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise UsageError(f"--body is not UTF-8 text (character {exc.start}).") from None
        return args.body
    if args.body_file is None:
        return ""
    try:
        if args.body_file == "-":
            raw = read_stream(sys.stdin.buffer, BODY_FILE_CAP, "body on stdin")
        else:
            raw = read_file(args.body_file, BODY_FILE_CAP, "request body")
        return raw.decode("utf-8")
    except UnreadableInput as exc:
        raise UsageError(f"--body-file: {exc}") from None
    except UnicodeDecodeError as exc:
        raise UsageError(f"--body-file {args.body_file} is not UTF-8 text (byte {exc.start}).") from None


def exit_code(exchange, diagnosis) -> int:
    from tui.exchange import FailureKind

    if exchange.failure is not None:
        return 2 if exchange.failure.kind is FailureKind.SIGNING_REFUSED else 3
    return 0 if diagnosis.code == SUCCESS_CODE else 1


def run(args: argparse.Namespace) -> int:
    from tui.startup_gc import pause_gc, resume_gc

    # Until the answer is printed: what is imported and built until then lives until the exit (tui/startup_gc.py).
    pause_gc()
    try:
        return _run(args)
    finally:
        resume_gc(freeze=getattr(args, "whole_process", False))


def _run(args: argparse.Namespace) -> int:
    from keys.signing import AuthLevel
    from tui.commands._target import TargetError, resolve_target, wire_options
    from tui.exchange import Draft
    from tui.venues import VENUES

    try:
        path, query, raw_query = _path_and_query(args.path, args.query)
        body = _read_body(args)
        # Checked before any key is unlocked or any socket opened: a bad body never leaves the machine.
        error = Draft(VENUES["emulator"], args.method, path, body=body).body_error()
        if error:
            raise UsageError(error)
        target = resolve_target(args)
    except (UsageError, TargetError) as exc:
        print(f"keyprobe send: {exc}", file=sys.stderr)
        return 2
    with target:
        auth = AuthLevel.parse(args.auth) if args.auth else None
        draft = Draft(target.venue, args.method, path, query, body, auth, target.profile, raw_query)
        if draft.auth_level is not AuthLevel.NONE and target.credentials is None:
            print(
                f"keyprobe send: a {draft.auth_level.value} request needs a key: pass --profile NAME, or set KEYPROBE_API_KEY, "
                "KEYPROBE_SECRET and KEYPROBE_MEMO (or send to --venue emulator, which has demo keys).",
                file=sys.stderr,
            )
            return 2
        if args.save and (problem := _save(draft, args)) is not None:
            print(f"keyprobe send: {problem}", file=sys.stderr)
            return 2
        if not args.json:
            for note in target.notes:
                print(note, file=sys.stderr)
            if target.credentials is not None and draft.auth_level is not AuthLevel.NONE:
                print(f"Key: {target.credential_source}", file=sys.stderr)
        import asyncio

        exchange, estimate, clock_error = asyncio.run(_send(draft, target, args.sync_clock, wire_options(args)))
    return _report(args, draft, exchange, estimate, clock_error)


def _save(draft, args: argparse.Namespace) -> str | None:
    """Save the Draft (never the signed request) before sending; a sentence if it cannot be saved."""
    from pathlib import Path
    from tui.records import saved

    try:
        path = saved.save(draft, args.save, Path(args.dir) if args.dir else None)
    except saved.SavedRequestError as exc:
        return f"{exc} Nothing was sent."
    print(f"Saved as {path}", file=sys.stderr)
    return None


async def _send(draft, target, sync_clock: bool, wire_options: dict):
    from keys.signing import OffsetClock
    from tui.exchange import Exchange
    from tui.transport.wire import Wire

    estimate = clock_error = None
    async with Wire(**wire_options) as wire:
        clock = OffsetClock(0.0, apply=False)
        if sync_clock:
            from tui.clock.measure import ClockUnavailable, measure  # only here: statistics and the clock cost a send ~7 ms

            try:
                estimate = await measure(wire, target.venue)
                clock = estimate.clock(apply=True)
            except ClockUnavailable as exc:
                clock_error = exc
                if exc.failure is not None:
                    # The venue is unreachable: the request itself would fail the same way (and, on a
                    # timeout, take as long again), so it is reported as not sent, with that failure.
                    return Exchange(draft=draft, request=None, failure=exc.failure, started_at=time.time()), None, exc
        exchange = await wire.send(draft, target.with_clock(clock))
    return exchange, estimate, clock_error


def _report(args, draft, exchange, estimate, clock_error) -> int:
    from tui.output.terminal_safe import shown
    from tui.diagnosis.diagnose import diagnose

    diagnosis = diagnose(exchange)
    problem = None
    if not args.no_history:
        from tui.records import history

        problem = history.record(exchange, diagnosis, source="send")
        if problem and not args.json:
            print(f"(not added to the history: {problem})", file=sys.stderr)
    code = exit_code(exchange, diagnosis)
    if args.json:
        from tui.exchange_json import exchange_to_dict
        from tui.output.terminal_safe import dump

        out = exchange_to_dict(exchange, streamed=True)
        out["diagnosis"] = diagnosis.to_dict()
        out["venue_state"] = out["diagnosis"]["venue_state"]  # the venue's lifecycle at this exchange (keys/lifecycle.py)
        out["clock"] = estimate.to_dict() if estimate is not None else None
        if clock_error is not None:
            out["clock_error"] = str(clock_error)
        out["exit_code"] = code
        out["history_problem"] = problem  # why this send is not in the history (a full disk), else None
        # Written a piece at a time: the body is in it three times (request, payload, pre-image), never as one text.
        dump(out, sys.stdout, default=str)
        sys.stdout.write("\n")
        return code
    from tui.output.render import print_estimate, print_exchange
    from tui.output.styled import Output

    out = Output()  # plain text when piped: rich is loaded only for a terminal
    if estimate is not None:
        print_estimate(estimate, draft.venue, out, signing_with_it=True)  # --sync-clock: it is being done
        out.line()
    elif clock_error is not None:
        out.line([(shown(f"Clock not synced: {clock_error}"), "yellow")])
    print_exchange(exchange, diagnosis, full=args.full, out=out)
    return code
