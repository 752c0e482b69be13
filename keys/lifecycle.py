"""The venues' lifecycles as data, beside the host table: each venue's states, when each began, what stopped
then, and where that is written. The clock is injectable, so a test can stand before, between or after the
dates (`clock_at`), and an exchange is judged at its own time: the answer's Date header, else the local clock.

BitMart is winding down. Its "Important Notice Regarding the Orderly Cessation of BitMart Operations" of
2026-07-26 (BitMart support article 53544595916059) sets three dates (field-notes section 9). What stops is
named by the endpoint kinds of tui/endpoints.py ("order", "deposit", "spot-order" ...), so the endpoint table
says what an endpoint is and this table says when that kind of endpoint stopped working.
"""

from __future__ import annotations

import contextlib
import time
from collections import namedtuple
from datetime import datetime, timezone

TYPE_CHECKING = False  # typing's flag without importing typing: `keyprobe decode` loads this module
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

UTC = timezone.utc
EVERY_KIND = "*"
# The kinds whose money is still the user's until operations cease: they get the withdrawal deadline as a note.
DEADLINE_KINDS = frozenset({"balance", "transfer", "withdrawal"})


# Named tuples, not dataclasses: `keyprobe decode` says the venue's state and loads no dataclasses (its start-up cost).
class Phase(namedtuple("Phase", "state start stops sentence ahead", defaults=("",))):
    """One state of a venue, from `start` (UTC; None for the state before the record begins) until the next.

    state: "operating", "winding-down", "trading-discontinued", "ceased", "live"; stops: the endpoint kinds that
    stop working in this phase ("*": every one); sentence: what happened, leading a diagnosis of a kind it stopped;
    ahead: the same said before it happens, for a note in the phase before ("" for none)."""

    __slots__ = ()


class Lifecycle(namedtuple("Lifecycle", "venue name phases notice source deadline", defaults=(None,))):
    """venue: the family key of keys.hosts.FAMILY_HOSTS; phases: in time order; notice: "notice of 2026-07-26",
    appended to every sentence ("" for a live venue); deadline: withdraw before this (None: no deadline)."""

    __slots__ = ()

    def phase_at(self, when: datetime) -> Phase:
        current = self.phases[0]
        for phase in self.phases[1:]:
            if phase.start is not None and when >= phase.start:
                current = phase
        return current

    def stopped_by(self, when: datetime, kind: str) -> Phase | None:
        """The latest phase, begun by `when`, that stopped this kind of endpoint (None: it still works)."""
        found = None
        for phase in self.phases:
            if phase.start is not None and when >= phase.start and (kind in phase.stops or EVERY_KIND in phase.stops):
                found = phase
        return found


def _utc(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


BITMART_NOTICE = ("BitMart, \"Important Notice Regarding the Orderly Cessation of BitMart Operations\", 2026-07-26 "
                  "(support article 53544595916059); ccxt PR#29376 and PR#29382 removed the exchange; "
                  "thrasher-corp/gocryptotrader#1855")
TRADING = frozenset({"order", "position", "leverage", "margin", "spot-order"})

LIFECYCLES: dict[str, Lifecycle] = {
    "bitmart": Lifecycle(
        "bitmart",
        "BitMart",
        (
            Phase("operating", None, frozenset(), "BitMart operates as documented"),
            Phase("winding-down", _utc(2026, 7, 26, 1, 30), frozenset({"registration", "deposit", "spot-order"}),
                  "BitMart suspended new registrations, all deposits and new spot orders on 2026-07-26"),
            Phase("trading-discontinued", _utc(2026, 8, 26, 1, 0), TRADING, "BitMart discontinued trading on 2026-08-26",
                  "BitMart discontinues all trading on 2026-08-26 at 01:00 UTC"),
            Phase("ceased", _utc(2027, 1, 31, 15, 59), frozenset({EVERY_KIND}), "BitMart ceased operations on 2027-01-31"),
        ),
        "notice of 2026-07-26",
        BITMART_NOTICE,
        deadline=_utc(2027, 1, 31, 15, 59),
    ),
    "wooxpro": Lifecycle(
        "wooxpro",
        "WOO X Pro",
        (Phase("live", None, frozenset(), "WOO X Pro is live"),),
        "",
        "developer.wooxpro.com, https://cloud-api.wooxpro.com (field-notes section 9)",
    ),
}


# -- the clock ------------------------------------------------------------------------------------------------

def _system_now() -> datetime:
    return datetime.fromtimestamp(time.time(), UTC)


_clock = _system_now


def now() -> datetime:
    """The local clock the lifecycle is judged by when an exchange carries no Date header (injectable)."""
    return _clock()


def set_clock(clock: Callable[[], datetime] | None) -> None:
    """Replace the local clock (None: the system's). Tests use `clock_at`."""
    global _clock
    _clock = clock or _system_now


@contextlib.contextmanager
def clock_at(when: datetime) -> Iterator[None]:
    """Stand at `when` (UTC) until the block ends: every surface judges the venues' states at that time."""
    before = _clock
    set_clock(lambda: when)
    try:
        yield
    finally:
        set_clock(before)


def time_of(date_header: str | None) -> tuple[datetime, str]:
    """When an exchange happened, and how that is known: ("date-header") the answer's Date header, else
    ("local-clock") the local clock, e.g. for a transport failure or a header that does not parse."""
    if date_header:
        from email.utils import parsedate_to_datetime  # here: `decode` and `keys` never read a Date header

        try:
            when = parsedate_to_datetime(date_header)
        except (TypeError, ValueError, IndexError, OverflowError):
            when = None
        if when is not None:
            return (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(UTC), "date-header"
    return now(), "local-clock"


# -- what to say ----------------------------------------------------------------------------------------------

class VenueState(namedtuple("VenueState", "lifecycle phase when judged_by kind leads sentence")):
    """A venue's state at one moment, for one kind of endpoint: the sentence that leads the diagnosis (`leads`)
    or rides as a note ("" when there is nothing to tell), and the facts behind it for `--json`. judged_by:
    "date-header" or "local-clock"; kind: the endpoint kind (tui.endpoints), None when no endpoint is known."""

    __slots__ = ()

    @property
    def quiet(self) -> bool:
        return not self.sentence

    def to_dict(self) -> dict[str, object]:
        lc, deadline = self.lifecycle, self.lifecycle.deadline
        return {
            "venue": lc.venue,
            "name": lc.name,
            "state": self.phase.state,
            "since": _iso(self.phase.start),
            "at": _iso(self.when),
            "judged_by": self.judged_by,
            "endpoint_kind": self.kind,
            "leads": self.leads,
            "sentence": self.sentence or None,
            "withdraw_before": _iso(deadline) if deadline and self.phase.start and self.phase.state != "ceased" else None,
            "source": lc.source,
        }


def _iso(when: datetime | None) -> str | None:
    return None if when is None else when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _with_notice(lc: Lifecycle, sentence: str) -> str:
    return f"{sentence} ({lc.notice})" if lc.notice else sentence


def deadline_sentence(lc: Lifecycle, notice: bool = True) -> str:
    """`Withdraw before 2027-01-31 15:59 UTC: BitMart ceases operations then (notice of 2026-07-26).`"""
    assert lc.deadline is not None
    sentence = f"Withdraw before {lc.deadline:%Y-%m-%d %H:%M} UTC: {lc.name} ceases operations then"
    return (_with_notice(lc, sentence) if notice else sentence) + "."


def state_of(venue: str | None, kind: str | None, when: datetime, judged_by: str = "local-clock") -> VenueState | None:
    """What to tell about `venue` (a FAMILY_HOSTS key) for an endpoint of `kind` at `when`; None for a venue
    without a lifecycle (the emulator, an unknown host).

    A kind the current phase (or an earlier one) stopped leads with that phase's sentence; once operations cease
    every kind, a failed connection included, leads. A balance, transfer or withdrawal between the notice and the
    end carries the withdrawal deadline as a note; any other kind the current phase's sentence."""
    lc = LIFECYCLES.get(venue or "")
    if lc is None:
        return None
    phase = lc.phase_at(when)
    stopped = lc.stopped_by(when, kind or "")  # no kind: only "every kind" (operations ceased) stops it
    if phase.start is None:  # operating, or live: before any notice
        return VenueState(lc, phase, when, judged_by, kind, False, "")
    if stopped is not None:
        return VenueState(lc, phase, when, judged_by, kind, True, _with_notice(lc, stopped.sentence))
    if kind in DEADLINE_KINDS and lc.deadline is not None:
        return VenueState(lc, phase, when, judged_by, kind, False, deadline_sentence(lc))
    note = _with_notice(lc, phase.sentence) + "."
    following = lc.phases[lc.phases.index(phase) + 1:]
    if following and following[0].ahead:
        note += f" {following[0].ahead}."
    if lc.deadline is not None and phase.state != "ceased":
        note += " " + deadline_sentence(lc, notice=False)
    return VenueState(lc, phase, when, judged_by, kind, False, note)


def venue_of_host(host: str | None) -> str | None:
    """The lifecycle a host belongs to (a FAMILY_HOSTS key), None for loopback or a host keyprobe does not know."""
    from keys.hosts import FAMILY_HOSTS

    host = (host or "").lower().strip("[]")
    return next((family for family, hosts in FAMILY_HOSTS.items() if host in hosts), None)


def state_now(venue: str | None) -> VenueState | None:
    """The venue's state by the local clock, for no endpoint in particular (decode, keys add, the status bar)."""
    return state_of(venue, None, now())
