"""An Exchange (or a raw response) -> a Diagnosis: the documented row, the status check, ordered fixes.

The body is read defensively: an HTML 502 page, an empty or truncated body, `{"error_msg": ...}`, a
`code` that is a string or a list, bytes that are not UTF-8 all end in a Diagnosis, never an exception.
A code the venue's document lacks is reported as undocumented, never guessed. Fixes whose topic matches
what the sent request shows (tui.diagnosis.evidence) come first, each with that evidence as a sentence of
lengths and flags, never the memo, the secret or the key.
"""

from __future__ import annotations

from collections import namedtuple
from functools import lru_cache
from enum import Enum

from tui.catalog import Advice, Row, http_row, lookup, status_advice
from tui.catalog.advice import MAINTENANCE_40020, VENUE_TEXT, resolve, status_template
from tui.catalog.matching import Reading, read
from tui.diagnosis.slots import Finding, called_endpoint, slots_for
from tui.transport.envelope import SCAN_LIMIT, Envelope, read_envelope
from tui.transport.envelope import clip as _clip
from tui.transport.failure_kind import FailureKind

TYPE_CHECKING = False  # typing's flag without importing typing: `keyprobe decode` loads this module
if TYPE_CHECKING:
    from typing import Any

    from tui.exchange import Draft, Exchange, SentRequest, TransportFailure

SUCCESS_CODE = 1000


class Origin(str, Enum):
    """Who signed the request: its 30005 advice differs (keyprobe's own signing is known to be right)."""

    KEYPROBE = "keyprobe"  # signed by keyprobe's signer and sent by its wire
    ELSEWHERE = "elsewhere"  # signed by other code and imported (a bot's request, a HAR, a curl line)
    UNKNOWN = "unknown"  # a pasted body with no request


class Outcome(str, Enum):
    SUCCESS = "success"
    DOCUMENTED_ERROR = "documented-error"
    UNDOCUMENTED_CODE = "undocumented-code"
    NOT_ENVELOPE = "not-envelope"
    TRANSPORT_FAILURE = "transport-failure"


# Named tuples, not dataclasses: `keyprobe decode` loads this module (tui.catalog.advice_base.Advice says why).
class Fix(namedtuple("Fix", "text evidence", defaults=(None,))):
    """A fix's text, and what in the request shows it (lengths and flags, never a secret) or None."""

    __slots__ = ()


_DIAGNOSIS = ("outcome venue code message body_message row http_status actual_status status_matches category causes "
              "fixes notes headline rows row_chosen origin venue_state")


class Diagnosis(namedtuple("Diagnosis", _DIAGNOSIS, defaults=((), None, Origin.UNKNOWN, None))):
    """venue: the family ("bitmart" | "wooxpro"); message: the document's wording, in the venue's own header
    names; body_message: what the response said; http_status: the documented one; actual_status: the response's;
    causes, fixes (Fix) and notes: tuples; rows: every documented row of the code (several for 30006, 30007,
    60000); row_chosen: None: one row, True: the body's message picked `row`, False: none matched, all apply;
    venue_state: the venue's lifecycle at the time of the exchange (keys.lifecycle.VenueState), None for the
    emulator, a pasted body or a venue with no lifecycle (tui.diagnosis.venue_state applies it)."""

    __slots__ = ()

    def to_dict(self) -> dict[str, Any]:
        row = self.row
        return {
            "outcome": self.outcome.value,
            "venue": self.venue,
            "code": self.code,
            "message": self.message,
            "body_message": self.body_message,
            "row": None if row is None else _row_dict(row),
            "rows": [_row_dict(r) for r in self.rows],
            "row_chosen": self.row_chosen,
            "origin": self.origin.value,
            "http_status": self.http_status,
            "actual_status": self.actual_status,
            "status_matches": self.status_matches,
            "category": self.category,
            "causes": list(self.causes),
            "fixes": [f.text for f in self.fixes],
            "fix_evidence": [f.evidence for f in self.fixes],
            "notes": list(self.notes),
            "headline": self.headline,
            "venue_state": None if self.venue_state is None else self.venue_state.to_dict(),
        }


def _row_dict(row: Row) -> dict[str, Any]:
    return {"table": row.table, "code": row.code, "message": row.message, "http_status": row.http_status,
            "document": row.document}


# -- building the diagnosis ---------------------------------------------------------------------------------------


def family_of(venue: object) -> str:
    """"bitmart" or "wooxpro" from a family, a venue id ("bitmart-spot", "emulator") or a Venue."""
    family = getattr(venue, "family", None)
    if isinstance(family, str) and family in VENUE_TEXT:  # VENUE_TEXT has one entry per family
        return family
    if isinstance(venue, str) and venue in VENUE_TEXT:
        return str(venue)
    from tui.venues import VENUES  # here: `decode` names a family, and needs no venue table

    if isinstance(venue, str) and venue in VENUES:
        return VENUES[venue].family
    raise ValueError(f"unknown venue {venue!r}; choose bitmart or wooxpro")


@lru_cache(maxsize=1024)  # a send repeats the same advice and evidence (a permission, a rate-limit header) often
def _order(item: Advice, found: tuple[Finding, ...]) -> tuple[Fix, ...]:
    """The advice's fixes, those backed by what the request shows first (in the table's order), with that evidence."""
    by_topic: dict[str, list[str]] = {}
    for topic, text in found:
        if text not in by_topic.setdefault(topic, []):
            by_topic[topic].append(text)
    first, rest = [], []
    for i, text in enumerate(item.fixes):
        shown = [e for topic in item.topic_of(i).split("|") if topic for e in by_topic.get(topic, ())]
        if shown:
            first.append(Fix(text, "; ".join(shown)))
        else:
            rest.append(Fix(text))
    return tuple(first + rest)


def _wanted(topics: tuple[str, ...]) -> frozenset[str]:
    """The topics an advice's fixes have ("memo|probe" is two)."""
    return frozenset(t for joined in topics for t in joined.split("|") if t)


def _status_phrase(documented: int | None, actual: int | None) -> str:
    if actual is None:
        return f"documented HTTP {documented}" if documented else "no documented HTTP status (a WebSocket code)"
    if documented is None or documented == actual:
        return f"HTTP {actual} as documented" if documented else f"HTTP {actual}"
    return f"HTTP {actual}, documented {documented}"


def _diagnose(venue: object, status: int | None, headers: object, body: bytes, request: SentRequest | None,
              draft: Draft | None, origin: Origin, known: tuple[Finding, ...]) -> Diagnosis:
    family = family_of(venue)
    name = VENUE_TEXT[family]["{VENUE}"]
    actual = status if isinstance(status, int) and not isinstance(status, bool) else None
    env = read_envelope(body)
    notes: list[str] = []
    if env.partial:
        notes.append(f"The body is too large to parse whole; its code was read from the first {SCAN_LIMIT // 1024} KiB.")
    if env.code is None:
        return _not_envelope(family, name, actual, env, notes, called_endpoint(request, draft))
    reading = read(family, env.code, env.message, origin.value)
    if reading is None:
        return _undocumented(family, name, env.code, actual, env.message, notes, called_endpoint(request, draft))
    row, item = reading.row, reading.advice
    wanted = _wanted(item.topics)
    found = list(known)
    # Only then does the called endpoint matter (this runs per send); every advice with a permission fix has
    # the {PERMISSION} slot (test_every_permission_advice_has_the_permission_slot).
    if reading.slotted:
        slots, named = slots_for(reading.value, called_endpoint(request, draft))
        item, found = resolve(item, slots), found + list(named)
    if wanted and (request is not None or draft is not None or headers):
        # No topic among the fixes (1000 has none), or nothing to read: no evidence could surface, so none is
        # gathered (nor its module imported: `decode CODE` starts without it).
        from tui.diagnosis.evidence import findings, header_pairs

        pairs = header_pairs(headers)
        try:
            found += findings(family, env.code, request, draft, pairs)
        except Exception as exc:  # noqa: BLE001 - evidence is a bonus: the documented answer still stands
            notes.append(f"keyprobe could not read the request's evidence ({type(exc).__name__}); fixes are in the table's order.")
    matches = None if actual is None or row.http_status is None else actual == row.http_status
    if matches is False:
        notes.append(f"The document gives HTTP {row.http_status} for {env.code}; this response came with HTTP {actual}.")
    if reading.notes:
        notes += reading.notes
    # 1000 is worded "OK", "Ok" or "success" by endpoint (field-notes section 12): not a difference worth a note.
    if reading.chosen is not False and env.message is not None and not reading.matched and env.code != SUCCESS_CODE:
        notes.append(f"The body's message differs from the document's wording: {_clip(env.message, 200)!r}.")
    if family == "wooxpro" and row.table == "auth" and env.code in range(30001, 30013):
        notes.append("WOO X Pro's REST signing is not publicly documented: keyprobe assumes BitMart's scheme with X-API-* headers.")
    fixes = _order(item, tuple(f for f in found if f[0] in wanted))
    phrase = _status_phrase(row.http_status, actual)
    message = reading.title
    if env.code == SUCCESS_CODE:
        outcome, headline = Outcome.SUCCESS, f"{env.code} {row.message}: success, {phrase}."
    else:
        outcome = Outcome.DOCUMENTED_ERROR
        # One whole clause of the first evidence, not a cut sentence: the rest is under the fix it backs.
        shows = f"; the request shows: {_clip(fixes[0].evidence.split('; ')[0], 120)}" if fixes and fixes[0].evidence else ""
        headline = f"{env.code} {_clip(message)}: {item.category}, {phrase}{shows}."
    return Diagnosis(outcome, family, env.code, row.message, env.message, row, row.http_status, actual, matches,
                     item.category, item.causes, fixes, item.notes + tuple(notes), headline,
                     reading.rows, reading.chosen, origin)


def _by_status(actual: int, family: str, called: tuple[str, str] | None) -> tuple[Advice, tuple[Fix, ...]]:
    """The advice for an HTTP status (403 naming the called endpoint's permission), its fixes with that evidence."""
    slots, found = slots_for(None, called)
    item = resolve(status_template(actual, family), slots)
    return item, _order(item, tuple(f for f in found if f[0] in _wanted(item.topics)))


def _undocumented(family: str, name: str, code: int, actual: int | None, body_message: str | None,
                  notes: list[str], called: tuple[str, str] | None = None) -> Diagnosis:
    cited = http_row(family, actual)
    # A BitMart code WOO X Pro does not document. (For BitMart itself this is None: the code is undocumented.)
    elsewhere = lookup("bitmart", code)
    if elsewhere is not None:
        table = TABLE_WORDS[elsewhere.table]
        causes = [f"Code {code} is a BitMart {table} code ({elsewhere.message!r} "
                  f"in BitMart's documents) that WOO X Pro does not document, so keyprobe does not guess what it means here."]
        headline = f"Code {code} is a BitMart {table} code that WOO X Pro does not document"
    else:
        documents = "documents" if family == "bitmart" else "document"  # BitMart's futures and spot/account pages
        causes = [f"Code {code} is not in {name}'s error-code {documents}, so keyprobe does not guess what it means."]
        headline = f"Code {code} is not in {name}'s error-code {documents}"
    if body_message:
        causes.append(f"The body's own message: {_clip(body_message, 200)!r}.")
    fixes = [Fix("Read the body's message: it is the only description of this code. Search the venue's API change log for it.")]
    if actual is not None and actual >= 400:
        if cited:
            causes.append(f"HTTP {actual} is documented in the global table: {cited.message}.")
        fixes += _by_status(actual, family, called)[1]
    if code == 25601:
        notes.append(MAINTENANCE_40020)
    if family == "bitmart":
        notes.append("BitMart's documents list 1000, 30000-30031, 40001-42000 (futures), 50000-59011, 60000-61008, "
                     "70000-71005 (spot, margin, account) and 90001-95000 (WebSocket); this code is in none of them.")
    else:
        notes.append("WOO X Pro's document lists 1000, 30000-30031 and 40001-42000 (futures).")
    tail = f" (HTTP {actual}: {_clip(cited.message, 60)})" if cited else (f" (HTTP {actual})" if actual else "")
    says = f"; the body says {_clip(body_message, 60)!r}" if body_message else ""
    return Diagnosis(Outcome.UNDOCUMENTED_CODE, family, code, None, body_message, cited,
                     cited.http_status if cited else None, actual, None, "undocumented", tuple(causes), tuple(fixes),
                     tuple(notes), f"{headline}{tail}{says}.")


# Every table of BitMart's documents but the global HTTP one (lookup never answers with an HTTP row).
TABLE_WORDS = {"funding": "funding account", "spot-public": "spot market", "spot": "spot", "websocket": "WebSocket",
               "auth": "authentication", "contract": "futures"}


def _not_envelope(family: str, name: str, actual: int | None, env: Envelope, notes: list[str],
                  called: tuple[str, str] | None = None) -> Diagnosis:
    cited = http_row(family, actual)
    problem = env.problem  # read_envelope says why whenever it finds no code
    causes = [f"The response is not {name}'s JSON envelope: {problem}."]
    if env.message:
        causes.append(f"The body's own message: {_clip(env.message, 200)!r}.")
    if actual is None:
        item = Advice("unknown", (), ("Pass the HTTP status (--status) to compare it with the documented rows.",))
        fixes = tuple(Fix(t) for t in item.fixes)
        lead = "A response"
    else:
        item, fixes = _by_status(actual, family, called)
        lead = f"HTTP {actual}"
        if cited:
            causes.append(f"HTTP {actual} in the global table: {cited.message}.")
    causes += item.causes
    headline = f"{lead} without {name}'s JSON envelope: {problem}"
    if env.message:
        headline += f", saying {_clip(env.message, 60)!r}"
    if cited:
        headline += f" (documented: {_clip(cited.message, 70)})"
    return Diagnosis(Outcome.NOT_ENVELOPE, family, None, cited.message if cited else None, env.message, cited,
                     cited.http_status if cited else None, actual, None, item.category, tuple(causes),
                     fixes, item.notes + tuple(notes), headline + ".")


TRANSPORT_FIXES = {
    FailureKind.DNS: "Check the host name in the base URL and that this machine can resolve names (network, VPN, DNS).",
    FailureKind.REFUSED: "Nothing listens at that address: start the emulator (`keyprobe emulator`) or fix the base URL's port.",
    FailureKind.CONNECT_TIMEOUT: "The host did not accept a connection in time: check the network, a firewall or proxy, and the base URL.",
    FailureKind.READ_TIMEOUT: "The server took the request but did not answer in time: raise --timeout or retry. Query before "
    "re-sending an order: it may have gone through.",
    FailureKind.WRITE_TIMEOUT: "The request could not be written in time: check the network and the body's size.",
    FailureKind.POOL_TIMEOUT: "Too many requests in flight on one connection pool: lower the concurrency.",
    FailureKind.TLS: "The TLS handshake failed: check the system clock, an HTTPS-intercepting proxy, and http versus https.",
    FailureKind.RESET: "The connection was cut: retry; if it repeats, a proxy or firewall may be dropping it.",
    FailureKind.PROTOCOL: "The answer was not valid HTTP: check that the base URL points at an HTTP API (http versus https).",
    FailureKind.SIGNING_REFUSED: "Nothing was sent. A key signs only for its venue's hosts: choose the profile for this venue, "
    "or add the host to the profile's extra hosts if it is a mirror you trust.",
    FailureKind.DEADLINE: "The exchange did not finish within its deadline: raise --timeout if the venue is slow. Query before "
    "re-sending an order: it may have gone through.",
    FailureKind.PROXY: "The proxy you chose failed: check that it runs and lets this host through, or send without it.",
}
# A refusal that is not about the key's hosts (plain http, a port, a CR in the key...) says its own fix.
OTHER_REFUSAL_FIX = ("Nothing was sent: change what the sentence above names (the URL's scheme or port, the key as entered, or text "
                     "that is not UTF-8), then send again.")


def _transport(family: str, failure: TransportFailure | None) -> Diagnosis:
    sentence = failure.sentence if failure else "No response was recorded for this request."
    kind = failure.kind if failure else FailureKind.OTHER
    fixes = [Fix(TRANSPORT_FIXES[kind])] if kind in TRANSPORT_FIXES else []
    if kind is FailureKind.SIGNING_REFUSED and not (" belongs to " in sentence and sentence.startswith("Refusing to sign for")):
        fixes = [Fix(OTHER_REFUSAL_FIX)]
    notes = (f"Detail: {_clip(failure.detail, 300)}",) if failure and failure.detail else ()
    category = "key binding" if kind is FailureKind.SIGNING_REFUSED else "transport"
    return Diagnosis(Outcome.TRANSPORT_FAILURE, family, None, None, None, None, None, None, None, category,
                     (sentence,), tuple(fixes) or (Fix("Retry; if it repeats, check the network and the base URL."),),
                     notes, sentence)


def _internal(family: str, status: int | None, exc: BaseException) -> Diagnosis:
    sentence = f"keyprobe could not analyse this response ({type(exc).__name__}); the raw response is shown as received."
    actual = status if isinstance(status, int) else None
    return Diagnosis(Outcome.NOT_ENVELOPE, family, None, None, None, None, None, actual, None, "internal", (sentence,),
                     (Fix("Please report this response (without keys) to keyprobe's maintainers."),), (), sentence)


# -- the three entry points ---------------------------------------------------------------------------------------


def diagnose_response(venue: str, status: int | None, headers: object, body: bytes,
                      request: SentRequest | None = None, draft: Draft | None = None, *,
                      origin: Origin | None = None, evidence: tuple[Finding, ...] = ()) -> Diagnosis:
    """Decode one raw response for `venue` ("bitmart", "wooxpro" or a venue id). Never raises on its input.

    `status` may be None (a pasted body with no status): then no status comparison is made.
    `origin` says who signed the request; by default keyprobe did when the request carries keyprobe's signing
    evidence, and it is unknown otherwise. An imported request (a bot's own) is Origin.ELSEWHERE.
    `evidence` is (topic, sentence) the caller already knows, e.g. the probe's KEYED step passing ("probe").
    """
    family = family_of(venue)  # an unknown venue is the caller's bug, and says so
    if origin is None:
        origin = Origin.KEYPROBE if getattr(request, "evidence", None) is not None else Origin.UNKNOWN
    try:
        result = _diagnose(family, status, headers, body, request, draft, origin, tuple(evidence))
    except Exception as exc:  # noqa: BLE001 - a diagnosis must never take the caller down
        return _internal(family, status, exc)
    return _with_venue_state(result, request, draft, headers)


def _with_venue_state(result: Diagnosis, request: SentRequest | None, draft: Draft | None, headers: object) -> Diagnosis:
    """The venue's lifecycle at the time of the exchange (tui.diagnosis.venue_state), when keyprobe knows which venue it was."""
    if request is None and draft is None:
        return result  # a pasted body: `decode` says the venue's state itself
    from tui.diagnosis import venue_state

    try:
        return venue_state.apply(result, venue_state.state_for(request, draft, headers, called_endpoint(request, draft)), Fix)
    except Exception as exc:  # noqa: BLE001 - the lifecycle is a bonus: the documented answer still stands
        return result._replace(notes=(*result.notes, f"keyprobe could not read the venue's state ({type(exc).__name__})."))


def diagnose(exchange: Exchange, *, origin: Origin = Origin.KEYPROBE, evidence: tuple[Finding, ...] = ()) -> Diagnosis:
    """The diagnosis of one send: a transport failure, or the response decoded with the request as evidence.

    An Exchange comes from keyprobe's own wire, so keyprobe signed it unless the caller says otherwise."""
    family = family_of(exchange.draft.venue)
    response = exchange.response
    if response is None or exchange.failure is not None:
        return _with_venue_state(_transport(family, exchange.failure), exchange.request, exchange.draft, None)
    result = diagnose_response(family, response.status, response.headers, response.body, exchange.request, exchange.draft,
                               origin=origin, evidence=evidence)
    if response.truncated:
        cut = f"The body was cut at {len(response.body):,} of {response.size:,} bytes received; the diagnosis reads what was kept."
        result = result._replace(notes=result.notes + (cut,))
    return result


def explain_code(venue: str, code: int) -> Diagnosis:
    """What a code means for `venue`, without a response: the `keyprobe decode CODE` view.

    A status of the global HTTP table (401, 403, 404, 500) explains that row. A code with several documented
    messages shows them all (Diagnosis.rows).
    """
    family = family_of(venue)
    name = VENUE_TEXT[family]["{VENUE}"]
    reading = read(family, code, None)
    if reading is None:
        row = http_row(family, code)  # None unless the code is one of the global table's HTTP statuses
        if row is None:
            return _undocumented(family, name, code, None, None, [])
        item = status_advice(code, family)
        return Diagnosis(Outcome.DOCUMENTED_ERROR, family, code, row.message, None, row, row.http_status, None, None,
                         item.category, item.causes, tuple(Fix(t) for t in item.fixes), item.notes,
                         f"HTTP {code}: {_clip(row.message)} ({item.category}, global HTTP table).")
    row, item = reading.row, resolve(reading.advice)
    notes = item.notes + reading.notes
    outcome = Outcome.SUCCESS if code == SUCCESS_CODE else Outcome.DOCUMENTED_ERROR
    headline = f"{code} {_clip(reading.title)}: {item.category}, {_status_phrase(row.http_status, None)}."
    return Diagnosis(outcome, family, code, row.message, None, row, row.http_status, None, None, item.category,
                     item.causes, tuple(Fix(t) for t in item.fixes), notes, headline, reading.rows, reading.chosen)
