"""`keyprobe emulator`: run the local venue in the foreground until Ctrl-C."""

from __future__ import annotations

import argparse
import errno
import sys

# What each demo key provokes, for the table printed at start (README `emulator` says the same).
PROVOKES = {
    "active": "1000 OK (a working key)",
    "frozen": "30003 on every KEYED/SIGNED call",
    "expired": "30011 on every KEYED/SIGNED call",
    "ip-restricted": "30010: whitelisted to 203.0.113.7 only",
    "read-only": "30019 placing/cancelling orders; 30012 on transfers and withdrawals",
}

HELP = "run the local WOO X Pro / BitMart emulator until Ctrl-C"


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "emulator",
        help=HELP,
        description="Run a local venue with demo keys in every state, for trying keyprobe (or any client) offline.",
    )
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1; ::1 for IPv6 loopback; 0.0.0.0 or :: expose the demo keys to the network)")
    p.add_argument("--port", type=int, default=8640, help="port to listen on; 0 picks a free one (default 8640)")
    p.add_argument("--venue", choices=("wooxpro", "bitmart"), default="wooxpro",
                   help="which venue's headers, wording and endpoints (default wooxpro; bitmart: BitMart's dialect, kept "
                        "for testing code before it moves, since BitMart is winding down)")
    p.add_argument("--skew", type=float, default=0.0, metavar="SECONDS", help="run the emulator's clock this far ahead (negative: behind)")
    p.add_argument("--drift", type=float, default=0.0, metavar="PPM",
                   help="let the emulator's clock gain PPM millionths of a second per second from the start (negative: lose); "
                        "50 gains 4.3 s a day, for `keyprobe skew --watch`")
    p.add_argument("--latency", type=float, default=0.0, metavar="MS", help="delay added on each direction of every request")
    p.add_argument("--header-prefix", choices=("X-API-", "X-BM-", "both"), default="X-API-",
                   help="wooxpro venue: which auth headers it reads (WOO X Pro's pages show both dialects; default X-API-)")
    p.add_argument("--rate-scale", type=float, default=1.0, metavar="FACTOR",
                   help="multiply every documented rate limit (e.g. 0.1 to hit 30013 quickly, 100 for load tests)")
    p.add_argument("--seed", type=int, default=None, help="seed of the price walk (the same seed gives the same prices)")
    p.add_argument("--json", action="store_true", help="print one JSON line (base_url, venue, keys) instead of the table")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from tui.emulator import Emulator

    if not 0 <= args.port <= 65535:
        print(f"keyprobe emulator: --port must be between 0 and 65535, not {args.port}", file=sys.stderr)
        return 2
    from tui.emulator.state import MAX_DRIFT_PPM

    if not abs(args.drift) <= MAX_DRIFT_PPM:  # also refuses nan
        print(f"keyprobe emulator: --drift must be between -{MAX_DRIFT_PPM:,} and {MAX_DRIFT_PPM:,} ppm, not {args.drift:g}", file=sys.stderr)
        return 2
    if not args.rate_scale > 0:
        print(f"keyprobe emulator: --rate-scale must be above 0, not {args.rate_scale:g}", file=sys.stderr)
        return 2
    emu = Emulator(flavour=args.venue, host=args.host, port=args.port, skew_s=args.skew, latency_ms=args.latency, seed=args.seed,
                   drift_ppm=args.drift)
    emu.controls.header_prefix = args.header_prefix
    emu.controls.rate_scale = args.rate_scale
    _stop_on_sigterm()  # before it listens: from here a SIGTERM or Ctrl-C at any moment stops it
    try:
        emu.start()
    except OSError as exc:
        hint = ("Is another emulator running? Try --port 0 for a free port." if exc.errno == errno.EADDRINUSE
                else "Is it an address of this machine? (127.0.0.1 and ::1 always are; :: needs IPv6.)")
        print(f"keyprobe emulator: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}. {hint}", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        emu.stop()
        return 0
    try:
        if emu.beyond_loopback:
            ipv6_only = " (:: listens on every IPv6 address, not on IPv4.)" if args.host == "::" else ""
            print(f"keyprobe emulator: WARNING: listening on {args.host}, beyond loopback: other machines can reach it, and its "
                  f"demo keys are public. Use --host 127.0.0.1 (or ::1) unless you mean to share it.{ipv6_only}", file=sys.stderr, flush=True)
        listing = [k.listing() for k in emu.keys]
        if args.json:
            import json

            state = _real_venue_state(args.venue)
            print(json.dumps({"base_url": emu.base_url, "venue": args.venue, "ws_urls": ws_urls(emu.ws_url, args.venue),
                              "keys": listing, "venue_state": None if state is None else state.to_dict()}), flush=True)
        else:
            print(_table(emu.base_url, args, listing, ws_urls(emu.ws_url, args.venue)), flush=True)
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


def _real_venue_state(venue: str):  # noqa: ANN202 - a keys.lifecycle.VenueState or None
    """The state of the real venue this emulator plays, by the local clock (None when it has nothing to tell)."""
    from keys import lifecycle

    state = lifecycle.state_now(venue)
    return state if state is not None and state.sentence else None


def ws_urls(ws_base: str, venue: str) -> dict[str, str]:
    """The WebSocket streams on the emulator's own port, by dialect: {"bitmart-spot": private URL, ...}."""
    from tui.emulator.ws.session import dialect_of
    from tui.ws.dialects import emulator_urls

    out = {}
    for market in ("spot", "futures"):
        dialect = dialect_of(venue, market)
        if dialect is not None:
            public, private = emulator_urls(ws_base, dialect)
            out[dialect.id] = {"public": public, "private": private}
    return out


def _table(base_url: str, args: argparse.Namespace, listing: list[dict[str, str]],
           streams: dict[str, dict[str, str]] | None = None) -> str:
    prefix = "X-BM-" if args.venue == "bitmart" else {"both": "X-API- or X-BM-"}.get(args.header_prefix, args.header_prefix)
    lines = [
        f"keyprobe emulator ({args.venue}, headers {prefix}KEY/SIGN/TIMESTAMP) listening on {base_url}",
        f"clock skew {args.skew:+g} s{f', drifting {args.drift:+g} ppm' if args.drift else ''}, latency {args.latency:g} ms "
        f"each way, rate limits x{args.rate_scale:g}. Ctrl-C stops it.",
    ]
    state = _real_venue_state(args.venue)
    if state is not None:  # people test code here before they move it: the dialect stays, the real venue is going
        lines.append(f"The real {state.lifecycle.name} is winding down: {state.sentence.rstrip('.')}. This emulator "
                     "still speaks its dialect, so a bot can be tested before it moves (without --venue bitmart it plays WOO X Pro).")
    from tui.ws.dialects import DIALECTS

    lines += [f"WebSocket {DIALECTS[d].name}: {urls['private']} (private), {urls['public']} (public)"
              for d, urls in (streams or {}).items()]
    lines += [
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
