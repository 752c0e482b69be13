"""`keyprobe skew`: how far the venue's clock is from this machine's, with an error bound."""

from __future__ import annotations

import argparse
import sys

from tui.commands._args import whole_number
from tui.commands._target_options import add_target_options

HELP = "measure the venue's clock offset (for 30007) with an error bound"


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "skew",
        help=HELP,
        description=(
            "Measure the server's clock minus this machine's, in milliseconds: a warm-up request, then N samples "
            "of the venue's time endpoint on one kept-alive connection. Samples with a round trip over twice the "
            "shortest are dropped; each remaining sample bounds the offset to an interval [S - t1, S + 1 ms - t0], "
            "and the intersection of those intervals is the answer (its middle the offset, its half-width the bound): "
            "never wider than the shortest round trip's own estimate. Venues without a time endpoint are read from "
            "the HTTP Date header (whole seconds), with requests timed to reach the server as its second ticks over."
        ),
        epilog="Exit status: 0 within the venue's 60 s window, 1 outside it (signed requests would get 30007), "
        "3 when the venue could not be reached, 2 for a usage error.",
    )
    p.add_argument("--samples", type=whole_number(1, 64), default=8, metavar="N", help="samples after the warm-up (default 8)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    add_target_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from tui.terminal_safe import dumps as safe_json, shown
    from tui.clock import ClockUnavailable, measure_once
    from tui.commands._target import TargetError, resolve_target, wire_options

    try:
        target = resolve_target(args)
    except TargetError as exc:
        print(f"keyprobe skew: {exc}", file=sys.stderr)
        return 2
    with target:
        for note in target.notes:
            print(note, file=sys.stderr)
        try:
            estimate = measure_once(target.venue, args.samples, **wire_options(args))
        except ClockUnavailable as exc:
            if args.json:
                kind = exc.failure.kind.value if exc.failure is not None else "no-clock"
                print(safe_json({"error": str(exc), "failure": kind}))
            else:
                print(f"keyprobe skew: {shown(exc)}", file=sys.stderr)
            return 3 if exc.failure is not None else 1
    if args.json:
        out = {"venue": target.venue.id, "base_url": target.venue.base_url, **estimate.to_dict()}
        print(safe_json(out))
    else:
        from tui.render import print_estimate

        print_estimate(estimate, target.venue)
    # A script checking the clock before trading wants to stop when signing would earn 30007.
    return 1 if estimate.verdict == "outside-30007-window" else 0
