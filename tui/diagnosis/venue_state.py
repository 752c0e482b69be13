"""A venue's lifecycle (keys/lifecycle.py) in a diagnosis: which venue an exchange was with, at what time, on what
kind of endpoint (tui/endpoints.py), and what that changes.

A kind of endpoint the venue has stopped leads the diagnosis with the venue's sentence ("BitMart discontinued
trading on 2026-08-26 (notice of 2026-07-26)"), whatever the code; the documented row is still shown below it.
A balance, transfer or withdrawal carries the withdrawal deadline as a note; anything else the venue's state.
The local emulator and WOO X Pro have nothing to tell. The time is the answer's Date header, else the local clock.
"""

from __future__ import annotations

from keys import lifecycle
from keys.lifecycle import VenueState

TYPE_CHECKING = False
if TYPE_CHECKING:
    from tui.exchange import Draft, SentRequest

    Diagnosis = tuple  # tui.diagnosis.diagnose.Diagnosis, a namedtuple (not imported: tui.diagnosis.diagnose imports this module)

MIGRATION = ("Move the bot to WOO X Pro (https://cloud-api.wooxpro.com), which runs the same API: README, \"Moving a bot "
             "from BitMart to WOO X Pro\" lists what differs (X-API-* headers, no spot endpoints, no time endpoint).")


def venue_of(request: SentRequest | None, draft: Draft | None) -> str | None:
    """The lifecycle an exchange belongs to: the draft's venue when keyprobe sent it (a BitMart profile pointed at a
    mirror or a test server is still BitMart), else the host the request went to. None for the emulator."""
    venue = getattr(draft, "venue", None)
    if venue is not None:
        return venue.lifecycle
    if request is not None:
        from urllib.parse import urlsplit

        try:
            return lifecycle.venue_of_host(urlsplit(request.url).hostname)
        except ValueError:
            return None
    return None


def state_for(request: SentRequest | None, draft: Draft | None, headers: object, called: tuple[str, str] | None) -> VenueState | None:
    """The venue's state at the time of this exchange, for the kind of endpoint called; None without a lifecycle."""
    venue = venue_of(request, draft)
    if venue is None or venue not in lifecycle.LIFECYCLES:
        return None
    from tui import endpoints

    kind = endpoints.kind_of(*called) if called else None
    when, judged_by = lifecycle.time_of(_date_header(headers))
    return lifecycle.state_of(venue, kind, when, judged_by)


def _date_header(headers: object) -> str | None:
    if not headers:
        return None
    pairs = headers.items() if hasattr(headers, "items") else headers
    try:
        return next((str(v) for k, v in pairs if str(k).lower() == "date"), None)  # type: ignore[misc]
    except (TypeError, ValueError):
        return None


def lead_fix(state: VenueState) -> str:
    """The first fix when the venue has stopped this kind of endpoint."""
    lc, deadline = state.lifecycle, state.lifecycle.deadline
    if state.phase.state == "ceased":
        return f"Nothing sent to {lc.name} can succeed any more: its API is gone. {MIGRATION}"
    withdraw = f" Withdraw what is left on {lc.name} before {deadline:%Y-%m-%d %H:%M} UTC." if deadline else ""
    if state.kind == "deposit":
        return f"Send no deposit to {lc.name}: deposits are suspended, and a transfer sent there may not be credited.{withdraw}"
    return f"No key can do this on {lc.name} any more: fixing the key, the signature or the clock will not help. {MIGRATION}{withdraw}"


PHASE_WORDS = {"winding-down": "winding down since", "trading-discontinued": "no trading since", "ceased": "ceased on"}


def status_words(state: VenueState | None) -> str:
    """A few words for the console's status bar: `BitMart: no trading since 2026-08-26` ("" when nothing to tell)."""
    if state is None or not state.sentence or state.phase.start is None:
        return ""
    return f"{state.lifecycle.name}: {PHASE_WORDS.get(state.phase.state, state.phase.state)} {state.phase.start:%Y-%m-%d}"


def notice_line(state: VenueState | None) -> str:
    """One line for the console's composer: `BitMart stopped trading 2026-08-26 01:00 UTC and ends operations
    2027-01-31 15:59 UTC: withdrawals only.` ("" before the notice, and for a venue without a lifecycle)."""
    if state is None or state.phase.start is None:
        return ""
    lc = state.lifecycle
    stops = next((p.start for p in lc.phases if p.state == "trading-discontinued"), None)
    end = f"{lc.deadline:%Y-%m-%d %H:%M} UTC" if lc.deadline else "its end"
    if state.phase.state == "ceased":
        return f"{lc.name} ended operations {end}: nothing sent there can succeed."
    if state.phase.state == "trading-discontinued" and stops is not None:
        return f"{lc.name} stopped trading {stops:%Y-%m-%d %H:%M} UTC and ends operations {end}: withdrawals only."
    stop = f"stops trading {stops:%Y-%m-%d %H:%M} UTC, " if stops is not None else ""
    return f"{lc.name} is winding down since {state.phase.start:%Y-%m-%d}: {stop}ends operations {end}."


def key_warning(state: VenueState | None) -> str:
    """What `keys add` and the console's profile form say about a key for a venue that is winding down ("" if nothing)."""
    if state is None or not state.sentence:
        return ""
    use = {"trading-discontinued": f" A {state.lifecycle.name} key now serves only to read balances and withdraw.",
           "ceased": f" Nothing sent to {state.lifecycle.name} can succeed."}.get(state.phase.state, "")
    return (f"{state.sentence.rstrip('.')}.{use} WOO X Pro runs the same API: "
            "keyprobe keys add NAME --venue wooxpro.")


def lead_cause(state: VenueState) -> str:
    what = f"a {state.kind} endpoint" if state.kind else "any endpoint"
    return (f"{state.sentence}: {what} of {state.lifecycle.name} no longer works, so its answer (or its silence) says "
            "nothing about the key. The documented row of the code it carried is still shown.")


def apply(diagnosis: Diagnosis, state: VenueState | None, fix: type) -> Diagnosis:
    """The diagnosis with the venue's state: leading it (headline, first cause and first fix) when the venue has
    stopped this kind of endpoint, as a note otherwise, and as `venue_state` for --json either way. `fix` is
    tui.diagnosis.diagnose.Fix (passed in: tui.diagnosis.diagnose calls this module)."""
    if state is None:
        return diagnosis
    if state.quiet:
        return diagnosis._replace(venue_state=state)
    if not state.leads:
        return diagnosis._replace(notes=(*diagnosis.notes, state.sentence), venue_state=state)
    return diagnosis._replace(
        headline=f"{state.sentence}. {diagnosis.headline}",
        causes=(lead_cause(state), *diagnosis.causes),
        fixes=(fix(lead_fix(state)), *diagnosis.fixes),
        venue_state=state,
    )
