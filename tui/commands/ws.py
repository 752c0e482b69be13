"""`keyprobe ws`: open a venue's WebSocket, log in, ping, subscribe a private and a public channel, and say
which step fails and why.

Exit codes as everywhere: 0 every step passed, 1 the venue refused something (the login, a subscription),
2 a usage problem or a key refused before anything was sent, 3 the venue could not be reached or went silent.
"""

from __future__ import annotations

import argparse
import sys

from tui.commands._target_options import add_target_options

HELP = "log in on a venue's WebSocket, subscribe, and diagnose what fails"


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "ws",
        help=HELP,
        description="Open the venue's private WebSocket, log in with the key (HMAC-SHA256 over timestamp#memo#marker, "
        "the marker being bitmart.WebSocket or wooxpro.WebSocket), answer-check a ping, subscribe a private channel, "
        "then a public one on the public link, and report each step with its time, the frames both ways (compressed "
        "ones inflated, keys as fingerprints) and the diagnosis of any refusal. --base-url takes ws://, wss:// or the "
        "emulator's http:// address.",
        epilog="Exit 0 when every step passes, 1 when the venue refuses one, 2 on a usage error or a key refused before "
        "sending, 3 when the venue cannot be reached or does not answer.",
    )
    p.add_argument("--market", choices=("spot", "futures"), default=None,
                   help="which stream: spot or futures v2 (default: the venue's own; BitMart's emulator: spot)")
    p.add_argument("--channel", action="append", default=[], metavar="TOPIC",
                   help="a topic to subscribe, repeatable (default: one private and one public, e.g. spot/user/order:BTC_USDT "
                        "and spot/ticker:BTC_USDT)")
    p.add_argument("--json", action="store_true", help="print one JSON object: steps, frames, login, verdict")
    add_target_options(p)
    p.set_defaults(func=run)


def _split_base(args: argparse.Namespace) -> str | None:
    """The WebSocket base the person gave, with args.base_url rewritten to its http(s) form for resolve_target
    (which checks the host, port and path as for REST)."""
    base = getattr(args, "base_url", None)
    if not base:
        return None
    scheme, sep, rest = base.strip().partition("://")
    mapping = {"ws": "http", "wss": "https", "http": "http", "https": "https"}
    if not sep or scheme.lower() not in mapping:
        return base  # resolve_target says what is wrong with it
    args.base_url = f"{mapping[scheme.lower()]}://{rest}"
    return f"{'wss' if mapping[scheme.lower()] == 'https' else 'ws'}://{rest.rstrip('/')}"


def run(args: argparse.Namespace) -> int:
    from tui.commands._target import TargetError, resolve_target

    for topic in args.channel:
        try:
            topic.encode("utf-8")
        except UnicodeEncodeError:  # argv bytes that were not UTF-8 arrive as surrogates
            print("keyprobe ws: --channel holds bytes that are not UTF-8 text; a topic is text like spot/ticker:BTC_USDT.",
                  file=sys.stderr)
            return 2
    given = getattr(args, "base_url", None)
    ws_base = _split_base(args)
    try:
        target = resolve_target(args)
    except TargetError as exc:
        said = (str(exc).replace("--base-url must look like https://host", "--base-url must look like wss://host")
                .replace("(the path goes in PATH)", "(keyprobe adds the stream's path)"))
        if given and args.base_url:
            said = said.replace(repr(args.base_url), repr(given))  # the person's URL, not the http form checked
        print(f"keyprobe ws: {said}", file=sys.stderr)
        return 2
    with target:
        try:
            plan = _plan(args, target, ws_base)
        except ValueError as exc:
            print(f"keyprobe ws: {exc}", file=sys.stderr)
            return 2
        return _run(args, target, plan)


def _plan(args: argparse.Namespace, target, ws_base: str | None):  # noqa: ANN001, ANN202 - a tui.ws.client.Plan
    from tui.ws.urls import plan_for

    # The emulator's streams are on its own port; an overridden base URL takes the stream with it (tui.ws.urls).
    return plan_for(target, args.market, tuple(args.channel), ws_base=ws_base, credential_source=target.credential_source,
                    timeout_s=target.timeout or 10.0, proxy=args.proxy or (True if args.trust_env else None))


def _run(args: argparse.Namespace, target, plan) -> int:  # noqa: ANN001
    import asyncio

    from tui.output.render import console
    from tui.output.terminal_safe import dumps
    from tui.ws.client import run_session
    from tui.ws.render import print_report, print_step

    out = console()
    if not args.json:
        for note in target.notes:
            print(note, file=sys.stderr)
        out.print(f"WebSocket {plan.dialect.name}: {plan.private_url or plan.public_url}", style="bold", markup=False)
        out.print(f"Key: {target.credential_source}", style="dim", markup=False)
    number = 0

    def on_step(step) -> None:  # noqa: ANN001
        nonlocal number
        number += 1
        if not args.json:
            print_step(out, number, step)

    report = asyncio.run(run_session(plan, on_step))
    if args.json:
        print(dumps(report.to_dict()))
    else:
        print_report(out, report)
    return report.exit_code
