"""Which hosts a key may sign for, as data: the venues' host tables, at the bottom so keys/ needs nothing above it.

A key signs only for the hosts of its venue's family (BitMart keys work on both BitMart hosts; a WOO X Pro
key only on WOO X Pro's), plus the extra hosts its profile allows. tui/venues.py builds its venue table
from these bindings, so the names and hosts are written once.
"""

from __future__ import annotations

from dataclasses import dataclass

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})

FAMILY_HOSTS: dict[str, frozenset[str]] = {
    "bitmart": frozenset(
        {"api-cloud.bitmart.com", "api-cloud-v2.bitmart.com", "api-cloud.bitmart.news", "api-cloud-v2.bitmart.news"}
    ),
    "wooxpro": frozenset({"cloud-api.wooxpro.com"}),
}


@dataclass(frozen=True)
class HostBinding:
    """A venue as a key sees it: the name used in a refusal, and the hosts it may sign for."""

    name: str
    hosts: frozenset[str]


BINDINGS: dict[str, HostBinding] = {
    "bitmart": HostBinding("BitMart futures v2", FAMILY_HOSTS["bitmart"]),
    "bitmart-spot": HostBinding("BitMart spot", FAMILY_HOSTS["bitmart"]),
    "wooxpro": HostBinding("WOO X Pro", FAMILY_HOSTS["wooxpro"]),
    "emulator": HostBinding("Local emulator", LOOPBACK_HOSTS),
}


def signing_hosts(hosts: frozenset[str], extra_hosts: frozenset[str] | tuple[str, ...] = ()) -> frozenset[str]:
    """`hosts` plus the extra hosts a profile (or --allow-host) names, lower-cased."""
    return hosts | frozenset(h.lower() for h in extra_hosts)
