"""`keyprobe skew`: how far the venue's clock is from this machine's, with an error bound; `--watch` follows it
over time, fits the drift and forecasts when the offset leaves the recvWindow and the 60 s window."""

from __future__ import annotations

import argparse
import sys

from tui.commands._args import bounded_number, duration, whole_number
from tui.commands._target_options import add_target_options

HELP = "measure the venue's clock offset (for 30007) with an error bound; --watch follows its drift"
# BitMart: "Param recvWindow must be less than 60000 and greater than 0" (30007's fourth message).
RECV_WINDOW_MAX_MS = 59_999


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "skew",
        help=HELP,
        description=(
            "Measure the server's clock minus this machine's, in milliseconds: N reads of the venue's time endpoint "
            "on one kept-alive connection. Each bounds the offset to an interval [S - t1, S + 1 ms - t0]; their "
            "intersection is the bound (never wider than the shortest round trip's own), and the offset inside it "
            "allows for each leg's jitter. Venues without a time endpoint are read from the HTTP Date header (whole "
            "seconds), with requests timed to reach the server as its second ticks over. With --watch, the offset is "
            "measured every --interval seconds, the drift fitted (ppm, with the range the measurements allow), and "
            "the moment the offset leaves the recvWindow and the 60 s window forecast; measurements are kept in the "
            "user data folder (clock-samples.json), so the next run continues the fit."
        ),
        epilog="Exit status: 0 within the venue's 60 s window, 1 outside it (signed requests would get 30007) or when "
        "its clock cannot be read, 3 when the venue could not be reached (with --watch: at no measurement), 2 for a "
        "usage error.",
    )
    p.add_argument("--samples", type=whole_number(1, 64), default=9, metavar="N",
                   help="requests per measurement, the first of which may open the connection (default 9)")
    p.add_argument("--recv-window", type=bounded_number(1, RECV_WINDOW_MAX_MS, "--recv-window in ms"), default=None,
                   metavar="MS", help="your bot's recvWindow, for the verdict and the forecast (default: BitMart's 5000; "
                   "none on WOO X Pro, which takes no recvWindow)")
    p.add_argument("--watch", action="store_true", help="measure every --interval seconds, fit the drift, forecast")
    p.add_argument("--interval", type=bounded_number(1, 86_400, "--interval in seconds"), default=None, metavar="S",
                   help="with --watch: seconds between measurements (default 60)")
    p.add_argument("--for", dest="for_s", type=duration, default=None, metavar="DURATION",
                   help="with --watch: stop after this long (90s, 30m, 2h, 1d; default: until Ctrl-C)")
    p.add_argument("--json", action="store_true", help="print one JSON object (with --watch: one line per measurement)")
    add_target_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from tui.clock.measure import ClockUnavailable, measure_once
    from tui.commands._target import TargetError, resolve_target, wire_options
    from tui.output.terminal_safe import dumps as safe_json, shown

    if not args.watch and (args.interval is not None or args.for_s is not None):
        print("keyprobe skew: --interval and --for go with --watch.", file=sys.stderr)
        return 2
    try:
        target = resolve_target(args)
    except TargetError as exc:
        print(f"keyprobe skew: {exc}", file=sys.stderr)
        return 2
    with target:
        for note in target.notes:
            print(note, file=sys.stderr)
        if args.watch:
            from tui.commands._skew_watch import run_watch

            return run_watch(args, target)
        try:
            estimate = measure_once(target.venue, args.samples, recv_window_ms=args.recv_window, **wire_options(args))
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
        from tui.output.render import print_estimate

        print_estimate(estimate, target.venue)
    # A script checking the clock before trading wants to stop when signing would earn 30007.
    return 1 if estimate.verdict == "outside-30007-window" else 0
