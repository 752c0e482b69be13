"""The probe ladder: which layer of "my key does not work" is failing?

Each rung depends only on the ones below it, so the first failing rung names the layer to fix:

0. venue   the venue still serves this (keys/lifecycle.py, by the local clock): BitMart discontinued trading on
           2026-08-26, so no key passes there, and after 2027-01-31 nothing answers (the other rungs are skipped);
1. public  a public call answers (network, DNS, TLS, the base URL);
2. clock   the local clock is within the 60 s timestamp window (30007);
3. keyed   a KEYED call succeeds (the key exists, is not frozen or expired, the IP is allowed);
4. signed  a harmless SIGNED call verifies: cancelling an order id that cannot exist. The venue
           checks the signature before it looks for the order, so "order not found" (40035/40037)
           proves the signature verified and cannot move money; 30005 proves it did not.
5. websocket (when asked for) the venue's private stream accepts a login with this key (tui/ws/probe_rung.py).

Every rung sends through the one Wire and is diagnosed by tui.diagnosis.diagnose, so the evidence shown is
the same as for any other request. The signed rung signs with the local clock as it stands (no
measured offset), because that is what the user's own code does.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from keys import lifecycle
from keys.signing import BITMART_HEADERS, AuthLevel, OffsetClock
from tui.clock import measure as clockmod
from tui.diagnosis.diagnose import Diagnosis, Fix, diagnose, explain_code
from tui.exchange import Draft, Exchange
from tui.signing_context import SigningContext
from tui.venues import Venue
from tui.transport.wire import Wire

SUCCESS = 1000
ORDER_NOT_FOUND = frozenset({40035, 40037})  # the signature verified; the order does not exist
# Checked by the gateway after the signature: the signature verified, the key may not do this.
AFTER_SIGNATURE = frozenset({30012, 30019})
PUBLIC_FALLBACK = ("/contract/public/details", (("symbol", "BTCUSDT"),))
KEYED_PATH = "/contract/private/assets-detail"
SIGNED_PATH = "/contract/private/cancel-order"
TIMESTAMP_CODE = 30007
# The key header empty or unknown. WOO X Pro's pages show both X-API-* and X-BM-* (field-notes 6), so on WOO X Pro
# these may mean the venue reads the other dialect: the keyed rung then tries X-BM-* once.
DIALECT_CODES = frozenset({30001, 30002})
KEYED_PASSED = ("probe", "the probe's KEYED call passed with this key, so the key itself is right")

TITLES = {
    "venue": "Venue still trading (its lifecycle)",
    "public": "Public call answers (network, host, TLS)",
    "clock": "Clock within the 60 s timestamp window",
    "keyed": "Key accepted on a KEYED call (exists, active, IP, permission)",
    "signed": "Signature verifies on a SIGNED call",
    "websocket": "WebSocket login accepted (key, signature, marker)",
}
LAYERS = ("venue", "public", "clock", "keyed", "signed")  # the websocket rung follows when asked for (tui/ws/probe_rung.py)


@dataclass(frozen=True)
class Step:
    name: str  # one of LAYERS
    ok: bool | None  # None: skipped, or could not be decided
    detail: str  # the evidence, in a sentence or two
    ms: float
    code: int | None = None
    diagnosis: Diagnosis | None = None
    exchange: Exchange | None = None
    estimate: clockmod.ClockEstimate | None = None
    dialect: str | None = None  # the auth header prefix the venue accepted on this rung ("X-API-", "X-BM-")
    refused_code: int | None = None  # the code the venue's own dialect got when the other one was then accepted

    @property
    def title(self) -> str:
        return TITLES[self.name]

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "ok": self.ok, "code": self.code, "detail": self.detail, "ms": round(self.ms, 1),
                "dialect": self.dialect}


@dataclass(frozen=True)
class ProbeReport:
    venue: Venue
    steps: list[Step] = field(default_factory=list)
    layers: tuple[str, ...] = LAYERS  # the rungs this ladder climbs

    @property
    def first_failure(self) -> Step | None:
        return next((s for s in self.steps if s.ok is False), None)

    @property
    def passed(self) -> bool:
        return len(self.steps) == len(self.layers) and all(s.ok is True for s in self.steps)

    @property
    def dialect(self) -> str | None:
        """The auth header prefix the venue accepted this key with (from the keyed rung), if it did."""
        return next((s.dialect for s in self.steps if s.dialect), None)

    @property
    def dialect_sentence(self) -> str:
        """What to store when the venue refused its own dialect and accepted the other; "" otherwise."""
        switched = next((s for s in self.steps if s.refused_code is not None), None)
        if switched is None:
            return ""
        return (f"{self.venue.name} answered {switched.refused_code} to X-API-* headers and accepted X-BM-*: store the "
                f"dialect with the key (`keyprobe keys add NAME --venue {self.venue.id} --dialect X-BM- --replace`) so "
                "every send signs with X-BM-*.")

    @property
    def verdict_diagnosis(self) -> Diagnosis | None:
        failed = self.first_failure
        if failed is None:
            return None
        if failed.name == "clock":  # the clock rung sends no signed request of its own: explain 30007
            return explain_code(self.venue.family, TIMESTAMP_CODE)
        if failed.name == "venue":  # no request: the lifecycle's own fix (tui.diagnosis.venue_state)
            return _venue_diagnosis(self.venue)
        return failed.diagnosis

    @property
    def verdict(self) -> str:
        failed = self.first_failure
        if failed is None:
            if self.passed:
                return self._with_dialect("Every layer passed: the key works for public, keyed and signed calls on this venue.")
            undecided = next(s for s in self.steps if s.ok is None)
            return f"No layer failed, but the {undecided.name} layer could not be checked: {undecided.detail}"
        if failed.estimate is not None:
            why = failed.estimate.verdict_sentence
        elif failed.exchange is not None and failed.exchange.failure is not None:
            why = failed.exchange.failure.sentence
        elif failed.diagnosis is not None:
            why = failed.diagnosis.headline
            if failed.code in AFTER_SIGNATURE:
                why += " The signature itself verified; the key is not allowed to trade."
        else:
            why = failed.detail
        return self._with_dialect(f"The {failed.name} layer fails. {why}")

    def _with_dialect(self, sentence: str) -> str:
        return f"{sentence} {self.dialect_sentence}" if self.dialect_sentence else sentence

    @property
    def fixes(self) -> list[str]:
        diagnosis = self.verdict_diagnosis
        if diagnosis is None:
            return []
        out: list[str] = []
        for fix in diagnosis.fixes:
            if fix.text not in out:
                out.append(fix.text)
        return out

    def to_dict(self) -> dict[str, Any]:
        failed = self.first_failure
        diagnosis = self.verdict_diagnosis
        state = lifecycle.state_of(self.venue.lifecycle, "order", lifecycle.now())
        return {
            "venue": self.venue.id,
            "base_url": self.venue.base_url,
            "venue_state": None if state is None else state.to_dict(),
            "steps": [s.to_dict() for s in self.steps],
            "first_failure": failed.name if failed else None,
            "dialect": self.dialect,
            "verdict": {
                "ok": self.passed,
                "sentence": self.verdict,
                "code": diagnosis.code if diagnosis is not None else None,
                "fixes": self.fixes,
            },
        }


def _venue_diagnosis(venue: Venue) -> Diagnosis | None:
    from tui.diagnosis import venue_state

    state = lifecycle.state_of(venue.lifecycle, "order", lifecycle.now())
    if state is None or not state.leads:
        return None
    # No request and no code: the lifecycle's own cause and fix, nothing of a documented row.
    base = explain_code(venue.family, SUCCESS)._replace(code=None, message=None, row=None, rows=(), http_status=None,
                                                        category="venue", fixes=(), causes=(), notes=())
    return venue_state.apply(base, state, Fix)._replace(headline=f"{state.sentence}.")


def _ms_since(start: float) -> float:
    return (time.perf_counter() - start) * 1000


def _answer(exchange: Exchange, diagnosis: Diagnosis) -> str:
    """`GET https://host/path -> HTTP 401: <the diagnosis headline>`, or the transport failure."""
    d = exchange.draft
    where = f"{d.method.upper()} {d.url}"
    if exchange.failure is not None:
        return f"{where}: {exchange.failure.sentence}"
    status = exchange.response.status if exchange.response else "?"
    return f"{where} -> HTTP {status}: {diagnosis.headline}"


CEASED_PREFIX = "ceased: "


def venue_step(venue: Venue) -> Step:
    """Rung 0: the venue's lifecycle for the probe's own kind of call (a futures order), by the local clock."""
    start = time.perf_counter()
    state = lifecycle.state_of(venue.lifecycle, "order", lifecycle.now())
    if state is None:
        return Step("venue", True, f"{venue.name}: a local venue, with no lifecycle of its own.", _ms_since(start))
    if state.quiet:
        return Step("venue", True, f"{state.lifecycle.name}: {state.phase.sentence} ({state.lifecycle.source}).",
                    _ms_since(start))
    if not state.leads:  # winding down, still trading: the rungs below decide, this one warns
        return Step("venue", True, state.sentence, _ms_since(start))
    prefix = CEASED_PREFIX if state.phase.state == "ceased" else ""
    what = ("nothing sent there can succeed." if prefix else
            "no key can trade there, whatever the rungs below say; a KEYED call may still read balances to withdraw.")
    return Step("venue", False, f"{prefix}{state.sentence}: {what}", _ms_since(start))


async def probe(signing: SigningContext, *, wire: Wire, clock_samples: int = 6,
                websocket: Callable[[SigningContext], Awaitable[Step]] | None = None) -> AsyncIterator[Step]:
    """Yield the rungs in order, each as soon as it is known, for the venue `signing`'s key belongs to: the venue's
    lifecycle, REST's four, then `websocket`'s (a login on the venue's private stream) when one is given."""
    venue = signing.venue

    # 0. venue: judged by the local clock before anything is sent (the rungs below judge their answers' Date)
    step = venue_step(venue)
    yield step
    if step.ok is False and step.detail.startswith(CEASED_PREFIX):
        for name in LAYERS[1:] + (("websocket",) if websocket is not None else ()):
            yield Step(name, None, "skipped: the venue has ceased operations, so nothing above it can be tested.", 0.0)
        return

    # 1. public
    start = time.perf_counter()
    path, query = (venue.time_path, ()) if venue.time_path else PUBLIC_FALLBACK
    exchange = await wire.send(Draft(venue, "GET", path, query, auth=AuthLevel.NONE), None)
    diagnosis = diagnose(exchange)
    if exchange.failure is None and diagnosis.code != SUCCESS and venue.time_path:
        # The time endpoint may be switched off while the venue is up: try a second public call.
        first = _answer(exchange, diagnosis)
        exchange = await wire.send(Draft(venue, "GET", PUBLIC_FALLBACK[0], PUBLIC_FALLBACK[1], auth=AuthLevel.NONE), None)
        diagnosis = diagnose(exchange)
        detail = f"{first}; then {_answer(exchange, diagnosis)}"
    else:
        detail = _answer(exchange, diagnosis)
    public_ok = exchange.failure is None and diagnosis.code == SUCCESS
    yield Step("public", public_ok, detail, _ms_since(start), diagnosis.code, diagnosis, exchange)
    if not public_ok:
        reason = "skipped: the venue did not answer a public call, so nothing above it can be tested."
        for name in LAYERS[2:] + (("websocket",) if websocket is not None else ()):
            yield Step(name, None, reason, 0.0)
        return

    # 2. clock
    start = time.perf_counter()
    try:
        estimate = await clockmod.measure(wire, venue, clock_samples)
    except clockmod.ClockUnavailable as exc:
        yield Step("clock", None, f"could not be measured: {exc}", _ms_since(start))
    else:
        ok = estimate.verdict != clockmod.OUTSIDE_WINDOW
        detail = (
            f"offset {estimate.offset_ms:+.1f} ms ± {estimate.bound_ms:.1f} ms ({estimate.method}, "
            f"{estimate.samples_used} sample{'s' if estimate.samples_used != 1 else ''}, min RTT {estimate.rtt_ms:.1f} ms). {estimate.verdict_sentence}"
        )
        yield Step("clock", ok, detail, _ms_since(start), estimate=estimate)

    # 3. keyed (on WOO X Pro, once more in the X-BM-* dialect when X-API-* gets 30001/30002)
    start = time.perf_counter()
    keyed = Draft(venue, "GET", KEYED_PATH, auth=AuthLevel.KEYED)
    exchange = await wire.send(keyed, signing)
    diagnosis = diagnose(exchange)
    ok = exchange.failure is None and diagnosis.code == SUCCESS
    detail, prefix, refused = _answer(exchange, diagnosis), signing.header_set(keyed).prefix, None
    if not ok and venue.family == "wooxpro" and diagnosis.code in DIALECT_CODES and prefix == "X-API-":
        other = signing.with_dialect(BITMART_HEADERS)
        retry = await wire.send(keyed, other)
        retried = diagnose(retry)
        detail += f"; retried once with X-BM-* headers: {_answer(retry, retried)}"
        if retry.failure is None and retried.code == SUCCESS:
            detail += " WOO X Pro accepts this key in the X-BM-* dialect; the signed rung uses it too."
            refused = diagnosis.code
            signing, exchange, diagnosis, ok, prefix = other, retry, retried, True, "X-BM-"
    yield Step("keyed", ok, detail, _ms_since(start), diagnosis.code, diagnosis, exchange, dialect=prefix if ok else None,
               refused_code=refused)
    keyed_passed = ok

    # 4. signed: an order id that cannot exist, so the only possible success is "not found"
    start = time.perf_counter()
    order_id = str(10**18 + secrets.randbelow(9 * 10**18))
    body = json.dumps({"symbol": "BTCUSDT", "order_id": order_id}, separators=(",", ":"))
    draft = Draft(venue, "POST", SIGNED_PATH, body=body, auth=AuthLevel.SIGNED)
    exchange = await wire.send(draft, signing.with_clock(OffsetClock(0, apply=False)))
    diagnosis = diagnose(exchange, evidence=(KEYED_PASSED,) if keyed_passed else ())
    verified = exchange.failure is None and (diagnosis.code == SUCCESS or diagnosis.code in ORDER_NOT_FOUND)
    detail = _answer(exchange, diagnosis)
    if verified:
        detail += f" The signature verified (order {order_id} does not exist, so nothing was cancelled)."
    elif diagnosis.code in AFTER_SIGNATURE:
        detail += " The signature itself verified (this check comes after it); the key is not allowed to trade."
    yield Step("signed", verified, detail, _ms_since(start), diagnosis.code, diagnosis, exchange)

    # 5. websocket: one login on the venue's private stream, signed at the local clock like the signed rung
    if websocket is not None:
        yield await websocket(signing.with_clock(OffsetClock(0, apply=False)))


async def run_probe(
    signing: SigningContext,
    *,
    wire: Wire | None = None,
    on_step: Callable[[Step], None] | None = None,
    clock_samples: int = 6,
    websocket: Callable[[SigningContext], Awaitable[Step]] | None = None,
) -> ProbeReport:
    """The whole ladder; `on_step` sees each rung as it finishes. A Wire is made if none is given."""
    report = ProbeReport(signing.venue, layers=LAYERS + (("websocket",) if websocket is not None else ()))
    own = wire is None
    wire = wire or Wire()
    try:
        async for step in probe(signing, wire=wire, clock_samples=clock_samples, websocket=websocket):
            report.steps.append(step)
            if on_step is not None:
                on_step(step)
    finally:
        if own:
            await wire.aclose()
    return report
