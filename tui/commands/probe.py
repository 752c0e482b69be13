"""`keyprobe probe`: find the failing layer (public -> clock -> keyed -> signed) for a key on a venue.

Exit codes: 0 every layer passed; 1 a layer failed (the verdict says which and what to fix);
2 a usage problem; 3 the venue did not answer at all (the public layer got no response).
"""

from __future__ import annotations

import argparse
import sys

from tui.commands._args import whole_number
from tui.commands._target_options import add_target_options

HELP = "find which layer fails for a key: public call, clock, keyed call, signature"


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "probe",
        help=HELP,
        description="Climb a ladder of harmless requests and stop at the first layer that fails: 1 a public call "
        "(network, host, TLS), 2 the clock (the 60 s timestamp window), 3 a KEYED call (key exists, active, IP "
        "allowed), 4 a SIGNED call that cancels an order id that cannot exist (only 'order not found' can come "
        "back, which proves the signature verified). Then the verdict: the failing layer and its fix.",
        epilog="Exit 0 when every layer passes, 1 when one fails, 2 on a usage error, 3 when the venue does not answer.",
    )
    p.add_argument("--json", action="store_true",
                   help='print {"steps": [{"name","ok","code","detail","ms","dialect"}], "first_failure": name or null, '
                        '"dialect": the auth header prefix the venue accepted, ...}')
    p.add_argument("--samples", type=whole_number(1, 50), default=5, metavar="N", help="clock samples (default 5)")
    add_target_options(p)
    p.set_defaults(func=run)


def exit_code(report) -> int:
    if report.passed:
        return 0
    public = report.steps[0] if report.steps else None
    if public is not None and public.ok is False and public.exchange is not None and public.exchange.failure is not None:
        return 3
    return 1


def run(args: argparse.Namespace) -> int:
    from tui.terminal_safe import dumps as safe_json
    import asyncio

    from tui.commands._target import TargetError, resolve_target

    try:
        target = resolve_target(args)
    except TargetError as exc:
        print(f"keyprobe probe: {exc}", file=sys.stderr)
        return 2
    with target:
        if not args.json:
            for note in target.notes:
                print(note, file=sys.stderr)
        report = asyncio.run(_probe(args, target))
    if args.json:
        out = report.to_dict()
        out["key"] = target.credential_source
        print(safe_json(out))
    else:
        _print_verdict(report)
    return exit_code(report)


async def _probe(args: argparse.Namespace, target):
    from tui.probe import run_probe
    from tui.commands._target import wire_options
    from tui.ws.probe_rung import rung_for
    from tui.render import console
    from tui.wire import Wire

    out = console()
    if not args.json:
        out.print(f"Probing {target.venue.name} at {target.venue.base_url}", style="bold", markup=False)
        out.print(f"Key: {target.credential_source}", style="dim", markup=False)
        if target.credentials is None:
            out.print("No key: the keyed and signed layers will fail. Pass --profile NAME or set KEYPROBE_API_KEY, "
                      "KEYPROBE_SECRET and KEYPROBE_MEMO.", style="yellow", markup=False)
    number = 0

    def on_step(step) -> None:
        nonlocal number
        number += 1
        if not args.json:
            _print_step(out, number, step)

    # The WebSocket rung where the venue's private stream is known (BitMart's; the emulator's once its port takes upgrades).
    websocket = rung_for(target, timeout_s=target.timeout or 10.0, proxy=args.proxy or (True if args.trust_env else None))
    async with Wire(**wire_options(args)) as wire:  # type: ignore[arg-type]
        return await run_probe(target, wire=wire, on_step=on_step, clock_samples=args.samples, websocket=websocket)


MARKS = {True: ("✓", "green"), False: ("✗", "bold red"), None: ("–", "dim")}


def _print_step(out, number: int, step) -> None:
    from tui.terminal_safe import shown
    from rich.text import Text

    mark, style = MARKS[step.ok]
    line = Text(f" {mark} ", style=style)
    line.append(f"{number} {step.name:<9}", style="bold")
    line.append(shown(step.title))
    if step.ok is not None:
        line.append(f"  {step.ms:.1f} ms", style="dim")
    out.print(line)
    out.print(Text(f"     {shown(step.detail)}", style="dim" if step.ok is not False else ""))


def _print_verdict(report) -> None:
    from tui.terminal_safe import shown
    from rich.text import Text

    from tui.render import console

    out = console()
    failed = report.first_failure
    out.print()
    mark, style = MARKS[True if report.passed else (False if failed else None)]
    line = Text(f" {mark} ", style=style)
    line.append(f"{len(report.layers) + 1} verdict  ", style="bold")
    line.append(shown(report.verdict))
    out.print(line)
    for i, fix in enumerate(report.fixes, start=1):
        out.print(Text(f"     {i}. {shown(fix)}"))
