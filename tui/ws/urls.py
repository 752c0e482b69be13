"""Where a venue's WebSocket streams are, given where its REST API is: the stream follows the REST base URL.

- The emulator (in-process or started apart) serves its streams on its own port: ws://host:port/spot/user,
  /futures/api, ... (`?protocol=1.1`), so any loopback base URL gets those paths on the same host and port.
- A REST base URL overridden to another host (a mirror) takes the stream to that host and port too, over
  wss://, at the venue's own paths (/user, /api).
- Otherwise the venue's documented stream (BitMart's two hosts); WOO X Pro documents none, so there is none
  and the sentence says what to pass.

So a loopback base URL never sends a login to a real venue's host, and a test never reaches one.
"""

from __future__ import annotations

from typing import NamedTuple
from urllib.parse import urlsplit

from keys.hosts import LOOPBACK_HOSTS
from tui.venues import VENUES, Venue
from tui.ws.dialects import Dialect, emulator_urls

PROTOCOL = "?protocol=1.1"


class StreamUrls(NamedTuple):
    public: str | None
    private: str | None
    why_none: str = ""  # when private is None: why, and what to pass


def ws_form(base: str) -> str:
    """http(s)://host:port -> ws(s)://host:port (ws and wss kept)."""
    scheme, sep, rest = base.strip().partition("://")
    mapping = {"http": "ws", "https": "wss", "ws": "ws", "wss": "wss"}
    return f"{mapping.get(scheme.lower(), scheme)}{sep}{rest.rstrip('/')}"


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def stream_urls(venue: Venue, dialect: Dialect, ws_base: str | None = None) -> StreamUrls:
    """(public, private) stream URLs of `venue` speaking `dialect`. `ws_base` (ws(s)://host[:port]) is one the
    person gave for the stream itself; without it the stream follows the venue's REST base URL."""
    base = ws_form(ws_base) if ws_base else None
    if base is None:
        default = VENUES.get(venue.id)
        overridden = venue.is_emulator or default is None or _host(venue.base_url) not in venue.hosts | {_host(default.base_url)}
        if overridden:
            base = ws_form(venue.base_url)
    if base is not None:
        if venue.is_emulator or _host(base) in LOOPBACK_HOSTS:
            return StreamUrls(*emulator_urls(base, dialect))
        return StreamUrls(f"{base}/api{PROTOCOL}", f"{base}/user{PROTOCOL}")
    if dialect.private_url is None:
        return StreamUrls(dialect.public_url, None, f"{dialect.name}'s WebSocket address is on none of its pages keyprobe has "
                          "read: pass --base-url wss://HOST (and store the host with the key: keys add --allow-host HOST).")
    return StreamUrls(dialect.public_url, dialect.private_url)


def plan_for(signing, market: str | None, topics: tuple[str, ...] = (), *, ws_base: str | None = None,  # noqa: ANN001
             credential_source: str = "none", timeout_s: float = 10.0, proxy: str | bool | None = None, clock=None):  # noqa: ANN001, ANN201
    """The session `keyprobe ws` and the console's WebSocket view run for `signing` (a SigningContext): the dialect
    of its venue on `market`, the stream's URLs (as above), the hosts its key may log in on, and the topics (the
    dialect's private and public defaults when none are given). ValueError (a sentence) when there is no stream."""
    from keys.ws_hosts import ws_signing_hosts
    from tui.ws.client import Plan
    from tui.ws.dialects import dialect_for

    venue = signing.venue
    market = market or ("spot" if venue.is_emulator and venue.family == "bitmart" else None)
    dialect = dialect_for(venue.id, venue.family, market)
    public_url, private_url, why_none = stream_urls(venue, dialect, ws_base)
    if private_url is None:
        raise ValueError(why_none)
    # The demo key's loopback on the emulator; a profile's key keeps its own hosts (and its venue's streams).
    allowed = signing.allowed_hosts if venue.is_emulator else ws_signing_hosts(venue.family, signing.allowed_hosts)
    return Plan(dialect, private_url, public_url, signing.credentials, allowed, venue.name,
                tuple(topics) or (dialect.default_private, dialect.default_public), credential_source,
                clock=clock, timeout_s=timeout_s, proxy=proxy)
