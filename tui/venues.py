"""The venues keyprobe talks to, as data: hosts, header set, time endpoint, error document.

A key signs only for the hosts of its family (BitMart keys work on both BitMart hosts; a WOO X Pro
key only on WOO X Pro's), plus the extra hosts its profile allows.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from keys.signing import BITMART_HEADERS, WOOXPRO_HEADERS, HeaderSet

FAMILIES = ("bitmart", "wooxpro")
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})

FAMILY_HOSTS: dict[str, frozenset[str]] = {
    "bitmart": frozenset(
        {"api-cloud.bitmart.com", "api-cloud-v2.bitmart.com", "api-cloud.bitmart.news", "api-cloud-v2.bitmart.news"}
    ),
    "wooxpro": frozenset({"cloud-api.wooxpro.com"}),
}


@dataclass(frozen=True)
class Venue:
    id: str
    name: str
    family: str  # which header set and which error-code document: "bitmart" | "wooxpro"
    base_url: str
    hosts: frozenset[str]
    time_path: str | None  # None: no known time endpoint, the clock falls back to HTTP Date
    assumed_auth: bool = False  # WOO X Pro's REST signing is inferred (BitMart-compatible), not documented
    is_emulator: bool = False

    @property
    def header_set(self) -> HeaderSet:
        return BITMART_HEADERS if self.family == "bitmart" else WOOXPRO_HEADERS

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).hostname or ""

    def at(self, base_url: str) -> Venue:
        """The same venue on another base URL (a mirror, or the emulator's port)."""
        return replace(self, base_url=base_url.rstrip("/"))


VENUES: dict[str, Venue] = {
    v.id: v
    for v in (
        Venue("bitmart", "BitMart futures v2", "bitmart", "https://api-cloud-v2.bitmart.com", FAMILY_HOSTS["bitmart"], "/system/time"),
        Venue("bitmart-spot", "BitMart spot", "bitmart", "https://api-cloud.bitmart.com", FAMILY_HOSTS["bitmart"], "/system/time"),
        Venue("wooxpro", "WOO X Pro", "wooxpro", "https://cloud-api.wooxpro.com", FAMILY_HOSTS["wooxpro"], None, assumed_auth=True),
        Venue("emulator", "Local emulator", "bitmart", "http://127.0.0.1:8640", LOOPBACK_HOSTS, "/system/time", is_emulator=True),
    )
}


def get_venue(venue_id: str) -> Venue:
    try:
        return VENUES[venue_id]
    except KeyError:
        raise ValueError(f"unknown venue {venue_id!r}; choose one of {', '.join(VENUES)}") from None


def emulator_venue(base_url: str, flavour: str = "bitmart") -> Venue:
    """The local emulator at `base_url`, speaking BitMart's or WOO X Pro's dialect."""
    if flavour not in FAMILIES:
        raise ValueError(f"emulator flavour must be bitmart or wooxpro, not {flavour!r}")
    name = "Local emulator" if flavour == "bitmart" else "Local emulator (WOO X Pro)"
    return replace(VENUES["emulator"], base_url=base_url.rstrip("/"), family=flavour, name=name)


def signing_hosts(venue: Venue, extra_hosts: frozenset[str] | tuple[str, ...] = ()) -> frozenset[str]:
    """Hosts a key bound to `venue` may sign for."""
    return venue.hosts | frozenset(h.lower() for h in extra_hosts)
