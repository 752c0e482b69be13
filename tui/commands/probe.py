"""`keyprobe probe`: find the failing layer (public -> clock -> keyed -> signed) for a key on a venue.

Exit codes: 0 every layer passed; 1 a layer failed (the verdict says which and what to fix);
2 a usage problem (nothing was sent, or the JUnit file could not be written); 3 the venue did not
answer at all (the public layer got no response). With --all-profiles: 0 when every profile passed,
else 1 when any layer of any profile failed with an answer, else 3.

`--junit FILE` writes the ladders as JUnit XML (tui.probe.junit), one testcase per rung per key, for
a CI job to gate a deploy on; the console output or --json goes to stdout as usual.
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
        epilog="Exit 0 when every layer passes, 1 when one fails, 2 on a usage error (or a JUnit file that cannot be "
        "written), 3 when the venue does not answer. With --all-profiles: 0 when every profile passes, else 1 when a "
        "layer of any profile fails, else 3.",
    )
    p.add_argument("--json", action="store_true",
                   help='print {"steps": [{"name","ok","code","detail","ms","dialect"}], "first_failure": name or null, '
                        '"dialect": the auth header prefix the venue accepted, ...}')
    p.add_argument("--junit", metavar="FILE", default=None,
                   help="also write the result to FILE as JUnit XML (one testcase per rung per key) for CI")
    p.add_argument("--all-profiles", action="store_true",
                   help="probe every profile in the key file, each on its own venue (KEYPROBE_PASSPHRASE in CI)")
    p.add_argument("--samples", type=whole_number(1, 50), default=6, metavar="N", help="clock samples, the first of which may open the connection (default 6)")
    add_target_options(p)
    p.set_defaults(func=run)


def exit_code(report) -> int:
    if report.passed:
        return 0
    public = next((s for s in report.steps if s.name == "public"), None)
    if public is not None and public.ok is False and public.exchange is not None and public.exchange.failure is not None:
        return 3
    return 1


def run(args: argparse.Namespace) -> int:
    import asyncio

    from tui.commands._target import TargetError

    try:
        targets = _targets(args)
    except TargetError as exc:
        print(f"keyprobe probe: {exc}", file=sys.stderr)
        return 2
    probed = []
    codes = []
    for label, target in targets:
        with target:
            if not args.json:
                if probed:
                    print()  # a blank line between one profile's ladder and the next
                for note in target.notes:
                    print(note, file=sys.stderr)
            start = _now_iso()
            report = asyncio.run(_probe(args, target))
        probed.append((label, target, report, start))
        codes.append(exit_code(report))
        if not args.json:
            _print_verdict(report)
    if args.json:
        _print_json(args, probed)
    if args.junit is not None and not _write_junit(args.junit, probed):
        return 2
    return _overall(codes)


def _targets(args: argparse.Namespace) -> list[tuple[str, object]]:
    """(label, Target) for each key to probe: the one the options name, or every profile of the key file."""
    from tui.commands._target import TargetError, resolve_target

    if not args.all_profiles:
        target = resolve_target(args)
        return [(f"profile {target.profile}" if target.profile else target.credential_source.split(" (")[0], target)]
    for option, value in (("--profile", args.profile), ("--demo-key", args.demo_key), ("--venue", args.venue),
                          ("--base-url", args.base_url), ("--allow-host", args.allow_host)):
        if value:
            raise TargetError(f"{option} does not go with --all-profiles: each profile is probed on its own venue and base URL.")
    from keys.vault import VaultError
    from tui.commands._profile import PromptUnavailable, open_vault

    try:
        names = open_vault().names()
    except (VaultError, PromptUnavailable) as exc:
        raise TargetError(f"cannot open the key file for --all-profiles: {exc}") from None
    if not names:
        raise TargetError("the key file holds no profile yet: add one with `keyprobe keys add NAME --venue V`.")
    targets = []
    try:
        for name in names:
            targets.append((f"profile {name}", resolve_target(argparse.Namespace(**{**vars(args), "profile": name}))))
    except BaseException:
        for _, target in targets:
            target.close()
        raise
    return targets


def _now_iso() -> str:
    from datetime import datetime, timezone

    return datetime.now(timezone.utc).isoformat()


def _overall(codes: list[int]) -> int:
    if all(code == 0 for code in codes):
        return 0
    return 1 if 1 in codes else 3


def _print_json(args: argparse.Namespace, probed: list) -> None:
    from tui.output.terminal_safe import dumps as safe_json

    def one(label: str, target, report) -> dict:
        out = report.to_dict()
        out["key"] = target.credential_source
        if args.all_profiles:
            out["profile"] = target.profile
        return out

    if args.all_profiles:
        docs = [one(label, target, report) for label, target, report, _ in probed]
        print(safe_json({"ok": all(d["verdict"]["ok"] for d in docs), "profiles": docs}))
    else:
        label, target, report, _ = probed[0]
        print(safe_json(one(label, target, report)))


def _write_junit(path: str, probed: list) -> bool:
    """Write the JUnit XML to `path`; False, with a sentence on stderr, when it cannot be written."""
    from keys.atomic import atomic_write
    from pathlib import Path

    from tui.probe.junit import ProbedKey, junit_xml

    document = junit_xml([ProbedKey(label, target.credential_source, report, start) for label, target, report, start in probed])
    try:
        atomic_write(Path(path), document + b"\n", mode=0o644)
    except OSError as exc:
        print(f"keyprobe probe: could not write the JUnit file {path}: {exc.strerror or exc}.", file=sys.stderr)
        return False
    return True


async def _probe(args: argparse.Namespace, target):
    from tui.probe.ladder import run_probe
    from tui.commands._target import wire_options
    from tui.ws.probe_rung import missing_rung, rung_for
    from tui.output.render import console
    from tui.transport.wire import Wire

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

    # The WebSocket rung where the venue's private stream is known (BitMart's, the emulator's port, an overridden base URL's).
    websocket = rung_for(target, timeout_s=target.timeout or 10.0, proxy=args.proxy or (True if args.trust_env else None))
    if websocket is None and not args.json and (why := missing_rung(target)):
        out.print(why, style="dim", markup=False)
    async with Wire(**wire_options(args)) as wire:  # type: ignore[arg-type]
        return await run_probe(target, wire=wire, on_step=on_step, clock_samples=args.samples, websocket=websocket)


MARKS = {True: ("✓", "green"), False: ("✗", "bold red"), None: ("–", "dim")}


def _print_step(out, number: int, step) -> None:
    from tui.output.terminal_safe import shown
    from rich.text import Text

    mark, style = MARKS[step.ok]
    line = Text(f" {mark} ", style=style)
    line.append(f"{number} {step.name:<10}", style="bold")
    line.append(shown(step.title))
    if step.ok is not None:
        line.append(f"  {step.ms:.1f} ms", style="dim")
    out.print(line)
    out.print(Text(f"     {shown(step.detail)}", style="dim" if step.ok is not False else ""))


def _print_verdict(report) -> None:
    from tui.output.terminal_safe import shown
    from rich.text import Text

    from tui.output.render import console

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
