"""`keyprobe emulator`: run the local venue in the foreground until Ctrl-C."""

from __future__ import annotations

import argparse
import json
import sys

# What each demo key provokes, for the table printed at start (README `emulator` says the same).
PROVOKES = {
    "active": "1000 OK (a working key)",
    "frozen": "30003 on every KEYED/SIGNED call",
    "expired": "30011 on every KEYED/SIGNED call",
    "ip-restricted": "30010: whitelisted to 203.0.113.7 only",
    "read-only": "30019 placing/cancelling orders; 30012 on transfers",
}


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "emulator",
        help="run the local BitMart / WOO X Pro emulator until Ctrl-C",
        description="Run a local venue with demo keys in every state, for trying keyprobe (or any client) offline.",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8640, help="port to listen on; 0 picks a free one (default 8640)")
    p.add_argument("--venue", choices=("bitmart", "wooxpro"), default="bitmart", help="which venue's headers and wording (default bitmart)")
    p.add_argument("--skew", type=float, default=0.0, metavar="SECONDS", help="run the emulator's clock this far ahead (negative: behind)")
    p.add_argument("--latency", type=float, default=0.0, metavar="MS", help="delay added on each direction of every request")
    p.add_argument("--json", action="store_true", help="print one JSON line (base_url, venue, keys) instead of the table")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from tui.emulator import Emulator

    if not 0 <= args.port <= 65535:
        print(f"keyprobe emulator: --port must be between 0 and 65535, not {args.port}", file=sys.stderr)
        return 2
    emu = Emulator(flavour=args.venue, host=args.host, port=args.port, skew_s=args.skew, latency_ms=args.latency)
    try:
        emu.start()
    except OSError as exc:
        print(f"keyprobe emulator: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}. "
              "Is another emulator running? Try --port 0 for a free port.", file=sys.stderr)
        return 3
    _stop_on_sigterm()
    try:
        listing = [k.listing() for k in emu.keys]
        if args.json:
            print(json.dumps({"base_url": emu.base_url, "venue": args.venue, "keys": listing}), flush=True)
        else:
            print(_table(emu.base_url, args, listing), flush=True)
        emu.wait()
    except KeyboardInterrupt:
        pass
    finally:
        emu.stop()
    if not args.json:
        print("emulator stopped", file=sys.stderr)
    return 0


def _stop_on_sigterm() -> None:
    """`kill` (SIGTERM) stops the emulator as cleanly as Ctrl-C does."""
    import signal

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    try:
        signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread (run() called from a test thread): leave the default
        pass


def _table(base_url: str, args: argparse.Namespace, listing: list[dict[str, str]]) -> str:
    prefix = "X-BM-" if args.venue == "bitmart" else "X-API-"
    lines = [
        f"keyprobe emulator ({args.venue}, headers {prefix}KEY/SIGN/TIMESTAMP) listening on {base_url}",
        f"clock skew {args.skew:+g} s, latency {args.latency:g} ms each way. Ctrl-C stops it.",
        "Demo keys (public demo values, not real credentials):",
        "",
    ]
    headings = ("name", "state", "api_key", "secret", "memo", "provokes")
    rows = [[k["name"], k["state"], k["api_key"], k["secret"], k["memo"], PROVOKES.get(k["state"], "")] for k in listing]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headings)]
    lines.append("  ".join(h.ljust(w) for h, w in zip(headings, widths)).rstrip())
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    return "\n".join(lines)
