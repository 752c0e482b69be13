"""Which hosts a key may sign for, as data: the venues' host tables, at the bottom so keys/ needs nothing above it.

A key signs only for the hosts of its venue's family (BitMart keys work on both BitMart hosts; a WOO X Pro
key only on WOO X Pro's), plus the extra hosts its profile allows. tui/venues.py builds its venue table
from these bindings, so the names and hosts are written once.
"""

from __future__ import annotations

from collections import namedtuple

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})

FAMILY_HOSTS: dict[str, frozenset[str]] = {
    "bitmart": frozenset(
        {"api-cloud.bitmart.com", "api-cloud-v2.bitmart.com", "api-cloud.bitmart.news", "api-cloud-v2.bitmart.news"}
    ),
    "wooxpro": frozenset({"cloud-api.wooxpro.com"}),
}


class HostBinding(namedtuple("HostBinding", "name hosts")):
    """A venue as a key sees it: the `name` used in a refusal, and the `hosts` (a frozenset) it may sign for.
    A named tuple, not a dataclass (keys.headers.HeaderSet says why)."""

    __slots__ = ()


BINDINGS: dict[str, HostBinding] = {
    "bitmart": HostBinding("BitMart futures v2", FAMILY_HOSTS["bitmart"]),
    "bitmart-spot": HostBinding("BitMart spot", FAMILY_HOSTS["bitmart"]),
    "wooxpro": HostBinding("WOO X Pro", FAMILY_HOSTS["wooxpro"]),
    "emulator": HostBinding("Local emulator", LOOPBACK_HOSTS),
}


def signing_hosts(hosts: frozenset[str], extra_hosts: frozenset[str] | tuple[str, ...] = ()) -> frozenset[str]:
    """`hosts` plus the extra hosts a profile (or --allow-host) names, lower-cased."""
    return hosts | frozenset(h.lower() for h in extra_hosts)


def host_port(host: str, port: int) -> str:
    """The "host:port" form a profile lists to allow a port other than 443 (IPv6 in brackets)."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def binds(allowed: frozenset[str], host: str, port: int | None) -> bool:
    """Whether a key bound to `allowed` may go to host:port: its hosts on 443 (https' own port), or a
    "host:port" it lists. Loopback is the emulator's, on any port."""
    if host in LOOPBACK_HOSTS and host in allowed:
        return True  # the emulator's, on any port (unless only a host:port is listed, below)
    if port in (None, 443) and host in allowed:
        return True
    return host_port(host, port or 443) in allowed


def transport_refusal(scheme: str, host: str, port: int | None, allowed: frozenset[str], venue_name: str) -> str | None:
    """Why a request that carries a key may not go to scheme://host:port, or None. The policy: https only
    (loopback aside), only to the key's hosts, and only on port 443 unless the profile lists the port."""
    loopback = host in LOOPBACK_HOSTS
    listed = host in allowed or any(a.startswith((f"{host}:", f"[{host}]:")) for a in allowed)
    if not listed:
        hosts = ", ".join(sorted(allowed)) or "no hosts"
        return f"Refusing to sign for {host}: this key belongs to {venue_name}, whose hosts are {hosts}."
    if scheme != "https" and not loopback:
        return (f"Refusing to send a key to {host} over plain {scheme}: a request that carries a key goes only over https "
                f"(loopback aside), so nobody on the way can read it. Use https://{host}.")
    if binds(allowed, host, port):
        return None
    if loopback:
        ports = ", ".join(sorted(a for a in allowed if a.startswith((f"{host}:", f"[{host}]:"))))
        return (f"Refusing to sign for {host_port(host, port or 80)}: this key signs on loopback only at {ports}; "
                "a saved request cannot send it elsewhere (pass --profile, or --base-url).")
    return (f"Refusing to sign for {host_port(host, port or 443)}: this key signs for {host} on port 443 only. If that port "
            f"is really the venue's, store it with the key: --allow-host {host_port(host, port or 443)}.")


def shown_proxy(proxy: str | None) -> str | None:
    """A proxy URL as outputs name it: scheme, host and port; a user:password in it is never shown. (Here, not in
    keys.profile: every send names its proxy, and importing the key file's profile cost a send ~1 ms.)"""
    if not proxy:
        return None
    from urllib.parse import urlsplit  # here: the host tables import nothing they do not need

    try:
        parts = urlsplit(proxy)
        host = parts.hostname or "?"
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "(an unreadable proxy URL)"
    host = f"[{host}]" if ":" in host else host
    return f"{parts.scheme}://{host}{port}"
