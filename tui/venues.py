"""The venues keyprobe talks to, as data: hosts, header set, time endpoint, WebSocket login marker, error document.

The names and hosts come from keys/hosts.py (what a key may sign for is decided at the keys level);
this table adds what the core needs to reach each venue.
"""

from __future__ import annotations

from collections import namedtuple
from urllib.parse import urlsplit

from keys import hosts, lifecycle
from keys.hosts import BINDINGS, LOOPBACK_HOSTS
from keys.lifecycle import VenueState
from keys.headers import BITMART_HEADERS, WOOXPRO_HEADERS, HeaderSet

FAMILIES = ("bitmart", "wooxpro")
WS_MARKERS = {"bitmart": "bitmart.WebSocket", "wooxpro": "wooxpro.WebSocket"}


class Venue(namedtuple("Venue", "id name family base_url hosts time_path is_emulator", defaults=(False,))):
    """id, name; family: which header set and which error-code document ("bitmart" | "wooxpro"); base_url; hosts
    (a frozenset); time_path: None when there is no known time endpoint (the clock falls back to HTTP Date);
    is_emulator. A named tuple, not a dataclass: every send loads the table (keys.headers.HeaderSet says why)."""

    __slots__ = ()

    @property
    def header_set(self) -> HeaderSet:
        return BITMART_HEADERS if self.family == "bitmart" else WOOXPRO_HEADERS

    @property
    def ws_marker(self) -> str:
        """What a WebSocket login signs after `timestamp#memo#` (field-notes section 10; WOO X Pro's websocket/login page)."""
        return WS_MARKERS[self.family]

    @property
    def lifecycle(self) -> str | None:
        """The key of keys.lifecycle.LIFECYCLES this venue follows; None for the local emulator (no lifecycle)."""
        return None if self.is_emulator else self.family

    def state_now(self) -> VenueState | None:
        """The venue's lifecycle state by the local clock (keys/lifecycle.py), for no endpoint in particular."""
        return lifecycle.state_now(self.lifecycle)

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).hostname or ""

    def at(self, base_url: str) -> Venue:
        """The same venue on another base URL (a mirror, or the emulator's port)."""
        return self._replace(base_url=base_url.rstrip("/"))


def _venue(venue_id: str, family: str, base_url: str, time_path: str | None, **flags: bool) -> Venue:
    binding = BINDINGS[venue_id]
    return Venue(venue_id, binding.name, family, base_url, binding.hosts, time_path, **flags)


VENUES: dict[str, Venue] = {
    v.id: v
    for v in (
        # WOO X Pro leads every venue list; BitMart is winding down (keys/lifecycle.py) and stays one switch away.
        _venue("wooxpro", "wooxpro", "https://cloud-api.wooxpro.com", None),
        _venue("bitmart", "bitmart", "https://api-cloud-v2.bitmart.com", "/system/time"),
        _venue("bitmart-spot", "bitmart", "https://api-cloud.bitmart.com", "/system/time"),
        _venue("emulator", "bitmart", "http://127.0.0.1:8640", "/system/time", is_emulator=True),
    )
}


def get_venue(venue_id: str) -> Venue:
    try:
        return VENUES[venue_id]
    except KeyError:
        raise ValueError(f"unknown venue {venue_id!r}; choose one of {', '.join(VENUES)}") from None


def emulator_venue(base_url: str, flavour: str = "bitmart") -> Venue:
    """The local emulator at `base_url`, speaking BitMart's or WOO X Pro's dialect. WOO X Pro documents no time
    endpoint (protocol.md section 4), and its emulator serves only what WOO X Pro documents: its clock is read
    from the Date header, as a client of the real WOO X Pro must."""
    if flavour not in FAMILIES:
        raise ValueError(f"emulator flavour must be bitmart or wooxpro, not {flavour!r}")
    if flavour == "bitmart":
        return VENUES["emulator"]._replace(base_url=base_url.rstrip("/"))
    return VENUES["emulator"]._replace(base_url=base_url.rstrip("/"), family=flavour, name="Local emulator (WOO X Pro)",
                                       time_path=VENUES["wooxpro"].time_path)


def signing_hosts(venue: Venue, extra_hosts: frozenset[str] | tuple[str, ...] = ()) -> frozenset[str]:
    """Hosts a key bound to `venue` may sign for."""
    return hosts.signing_hosts(venue.hosts, extra_hosts)
