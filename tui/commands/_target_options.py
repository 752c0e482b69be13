"""The options shared by send, skew and probe (where to send, with which key), without importing
what resolves them: `keyprobe --help` builds every parser, and must not import httpx to do it."""

from __future__ import annotations

import argparse

from tui.commands._args import VENUE_IDS, seconds

DEMO_STATES = ("active", "frozen", "expired", "ip-restricted", "read-only")


def add_target_options(parser: argparse.ArgumentParser, *, timeout: bool = True) -> None:
    g = parser.add_argument_group("target and key")
    g.add_argument("--venue", choices=VENUE_IDS, default=None,
                   help="where to send (default: the profile's venue, else the local emulator)")
    g.add_argument("--base-url", metavar="URL", default=None,
                   help="another base URL for the venue (a mirror, or a running emulator such as http://127.0.0.1:8640)")
    g.add_argument("--emulator-flavour", choices=("wooxpro", "bitmart"), default="wooxpro",
                   help="which venue the emulator plays (default wooxpro, as a running `keyprobe emulator` does unless "
                        "started with --venue bitmart)")
    g.add_argument("--profile", metavar="NAME", default=None, help="a key from the key file (see `keyprobe keys`)")
    g.add_argument("--demo-key", choices=DEMO_STATES, default=None, metavar="STATE",
                   help=f"on the emulator, use its demo key in this state: {', '.join(DEMO_STATES)} (default active)")
    g.add_argument("--allow-host", action="append", default=[], metavar="HOST",
                   help="also let a key from KEYPROBE_* sign for this host (repeatable); a profile's hosts are stored with it")
    add_network_options(g, timeout=timeout)


def add_network_options(group: argparse._ActionsContainer, *, timeout: bool = True) -> None:
    """--timeout, --proxy and --trust-env: how a command's Wire reaches the venue (send, skew, probe, replay)."""
    if timeout:
        group.add_argument("--timeout", type=seconds, default=None, metavar="S",
                           help="deadline in seconds for each whole exchange, connect to last byte (default 30)")
    group.add_argument("--proxy", metavar="URL", type=proxy_url, default=None,
                       help="send through this HTTP proxy (named in every output); by default no proxy is used")
    group.add_argument("--trust-env", action="store_true",
                       help="use the proxy named by HTTP_PROXY / HTTPS_PROXY / NO_PROXY (ignored unless you pass this)")


def proxy_url(text: str) -> str:
    from keys.profile import ProfileError, check_proxy

    try:
        return check_proxy(text) or ""
    except ProfileError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def wire_options(args: argparse.Namespace) -> dict[str, object]:
    """The Wire's keyword arguments from --timeout, --proxy and --trust-env."""
    return {"timeout": getattr(args, "timeout", None), "proxy": getattr(args, "proxy", None),
            "trust_env": bool(getattr(args, "trust_env", False))}
