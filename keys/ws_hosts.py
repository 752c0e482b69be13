"""Where a WebSocket login may go: the venues' WebSocket hosts, and the transport policy for a login.

A login carries the key as REST headers do, so the same policy holds (keys.hosts): only over wss:// (ws://
to loopback aside), only to hosts the key is bound to, and only on port 443 unless the profile lists the
port. A key bound to a venue family also signs for that family's WebSocket hosts (a BitMart key logs in on
BitMart's streams). WOO X Pro's WebSocket host is not on any of its pages keyprobe has read, so none is
listed: a WOO X Pro login goes only to a host its profile names (--allow-host).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from keys.hosts import LOOPBACK_HOSTS, transport_refusal

WS_FAMILY_HOSTS: dict[str, frozenset[str]] = {
    # The SDK 2.8.0's cloud_consts.py and ccxt pro 4.5.70's bitmart.py (public /api and private /user paths).
    "bitmart": frozenset({"ws-manager-compress.bitmart.com", "openapi-ws-v2.bitmart.com"}),
    "wooxpro": frozenset(),
}


def ws_signing_hosts(family: str, allowed: frozenset[str]) -> frozenset[str]:
    """The hosts a key bound to `allowed` (its REST hosts and extras) may log in on: those and its family's
    WebSocket hosts."""
    return allowed | WS_FAMILY_HOSTS.get(family, frozenset())


def login_refusal(url: str, allowed: frozenset[str], venue_name: str) -> str | None:
    """Why a login (a frame carrying the key) may not be sent on `url`, or None."""
    try:
        parts = urlsplit(url)
        host, port = (parts.hostname or "").lower(), parts.port
    except ValueError:
        return f"{url!r} is not a valid WebSocket URL (check the brackets around an IPv6 address and the port)."
    if parts.scheme not in ("ws", "wss") or not host:
        return f"{url!r} is not a WebSocket URL: it needs wss:// (or ws:// to loopback) and a host."
    if parts.scheme == "ws" and host not in LOOPBACK_HOSTS:
        return (f"Refusing to send a login to {host} over plain ws://: a login carries the key, and goes only over wss:// "
                f"(loopback aside), so nobody on the way can read it. Use wss://{host}.")
    # Past the scheme, the REST rule: the key's hosts, port 443 unless the profile lists another.
    return transport_refusal("https" if parts.scheme == "wss" else "http", host, port, allowed, venue_name)
