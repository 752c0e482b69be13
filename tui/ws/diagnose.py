"""A WebSocket answer, close or silence -> a Diagnosis (tui.diagnosis.diagnose's record), with evidence-backed fixes.

- A spot error frame `{"event","errorCode","errorMessage"}` is decoded by tui.diagnosis.diagnose like any body: its
  errorCode is the WebSocket table's code (BitMart's spot/account document).
- The futures format (BitMart's v2 and WOO X Pro) answers a failure in words, not a code
  (`{"action":"access","success":false,"error":"access failed: ..."}`, the SDK's futures client). The words
  are matched against the WebSocket table's messages; a match is decoded as that row, and says so.
- A close without an answer, and no answer at all, get a diagnosis of their own: BitMart documents that a
  failed login closes the link, so a close right after the login is read as a refused login.
"""

from __future__ import annotations

import json
from typing import Any

from tui import catalog
from tui.catalog.matching import match
from tui.diagnosis.diagnose import TRANSPORT_FIXES, Diagnosis, Fix, Origin, Outcome, diagnose_response
from tui.exchange import TransportFailure
from tui.ws.dialects import Dialect

Evidence = tuple[tuple[str, str], ...]  # (topic, sentence): what the login showed, for the fixes of that topic
ACCESS_FAILED = "access failed:"  # the SDK 2.8.0's futures client shows `'error': 'access failed: **'`
LOGIN_FIXES = (
    ("marker", "Sign exactly `timestamp#memo#bitmart.WebSocket` for BitMart (spot and futures) or "
               "`timestamp#memo#wooxpro.WebSocket` for WOO X Pro, with a 13-digit millisecond timestamp sent as the "
               "same string; the REST payload (body or query) has no place in a login."),
    ("dialect", "Send the login frame of the stream you connected to: spot `{\"op\":\"login\",\"args\":[KEY, ts, sign]}`, "
                "futures and WOO X Pro `{\"action\":\"access\",\"args\":[KEY, ts, sign, \"web\"]}`."),
)


def websocket_rows() -> tuple[catalog.Row, ...]:
    """The WebSocket table's rows, then the authentication table's: the emulator answers an IP its key's whitelist
    lacks with REST's 30010 words, the WebSocket table having no such row (tui/emulator/ws/login.py)."""
    rows = catalog.rows("bitmart-spot")
    return tuple(r for r in rows if r.table == "websocket") + tuple(r for r in rows if r.table == "auth")


def row_for_words(text: str) -> catalog.Row | None:
    """The WebSocket table's row whose message these words are (after an `access failed:` prefix), or None."""
    words = text.strip()
    if words.lower().startswith(ACCESS_FAILED):
        words = words[len(ACCESS_FAILED):].strip()
    return next((r for r in websocket_rows() if match(r.message, words) is not None), None)


def diagnose_frame(dialect: Dialect, obj: dict[str, Any], *, origin: Origin = Origin.KEYPROBE,
                   evidence: Evidence = ()) -> Diagnosis:
    """The diagnosis of an answer that refused something (a login, a subscription, a frame)."""
    if obj.get("errorCode") not in (None, ""):
        body = json.dumps(obj, ensure_ascii=False).encode("utf-8", "surrogatepass")
        diagnosis = diagnose_response(dialect.family if dialect.family == "bitmart" else "bitmart", None, (), body,
                                      origin=origin, evidence=evidence)
        if dialect.family == "wooxpro":
            diagnosis = diagnosis._replace(notes=diagnosis.notes + (_WOOXPRO_NOTE,))
        return diagnosis
    words = obj.get("error") or obj.get("errorMessage") or obj.get("message") or ""
    words = words if isinstance(words, str) else json.dumps(words, ensure_ascii=False)
    row = row_for_words(words)
    if row is None:
        return _words(dialect, words, evidence)
    body = json.dumps({"event": obj.get("action"), "errorCode": str(row.code), "errorMessage": row.message}).encode()
    diagnosis = diagnose_response("bitmart", None, (), body, origin=origin, evidence=evidence)
    table = "WebSocket" if row.table == "websocket" else "authentication"
    note = (f"The futures format answers in words, not a code: {words!r} is the {table} table's {row.code} "
            "(BitMart's spot/account document), so keyprobe decoded it as that row.")
    notes = diagnosis.notes + (note,) + ((_WOOXPRO_NOTE,) if dialect.family == "wooxpro" else ())
    return diagnosis._replace(notes=notes, body_message=words)


_WOOXPRO_NOTE = ("WOO X Pro publishes no WebSocket error table; this is BitMart's row (WOO X Pro runs on BitMart's stack and "
                 "signs its login the same way, with its own marker).")


def _words(dialect: Dialect, words: str, evidence: Evidence) -> Diagnosis:
    """A refusal in words no documented row has."""
    said = words.strip() or "(no words)"
    fixes = _ordered(LOGIN_FIXES, evidence) if "access" in said.lower() or "login" in said.lower() else (
        Fix("Read the venue's words: they are the only description of this refusal."),)
    return Diagnosis(Outcome.UNDOCUMENTED_CODE, dialect.family, None, None, said, None, None, None, None, "websocket",
                     (f"{dialect.name} refused it in words that match no documented row: {said[:200]!r}.",),
                     fixes, (), f"{dialect.name} refused it: {said[:120]!r} (no documented row has these words).")


def diagnose_close(dialect: Dialect, phase: str, code: int | None, reason: str, evidence: Evidence = ()) -> Diagnosis:
    """The link closed during `phase` ("login", "subscribe", ...) with no answer that says why."""
    closed = f"closed the link (code {code}{', ' + repr(reason[:80]) if reason else ''})" if code else "dropped the link"
    if phase == "login" and dialect.closes_after_failed_login:
        causes = (f"{dialect.name} {closed} right after the login, without an answer. BitMart documents that a failed "
                  "login closes the link, so the login was refused: a wrong key, secret, memo or marker, a stale "
                  "timestamp, or a frame of the other dialect.",)
        fixes = _ordered(LOGIN_FIXES + (("clock", "Check the clock: a login's timestamp expires after 60 s "
                                         "(`keyprobe skew` measures the offset)."),), evidence)
        headline = f"{dialect.name} {closed} after the login, without an answer: the login was refused."
    else:
        causes = (f"{dialect.name} {closed} during the {phase} without an answer.",)
        fixes = (Fix("Reconnect with an increasing delay (1 s, 2 s, 4 s ...) and send a ping before 20 s without data."),)
        headline = f"{dialect.name} {closed} during the {phase}."
    return Diagnosis(Outcome.NOT_ENVELOPE, dialect.family, None, None, reason or None, None, None, None, None, "websocket",
                     causes, fixes, (), headline)


def diagnose_silence(dialect: Dialect, phase: str, seconds: float, evidence: Evidence = ()) -> Diagnosis:
    """No answer to the `phase`'s frame within `seconds` (ccxt#20524: watch_orders waits forever)."""
    causes = (f"{dialect.name} neither answered the {phase} nor closed the link within {seconds:g} s.",)
    fixes = (Fix(f"Check the URL: private channels and the login live on the /user path, public ones on /api "
                 f"({dialect.private_url or 'the venue’s private URL'})."),) + _ordered(LOGIN_FIXES[1:], evidence)
    return Diagnosis(Outcome.NOT_ENVELOPE, dialect.family, None, None, None, None, None, None, None, "websocket", causes,
                     fixes, (), f"No answer to the {phase} within {seconds:g} s.")


# A handshake refused with a status: the answer was valid HTTP, so REST's "not valid HTTP" fix was wrong for it.
PATH_FIX = ("Check the stream's address against the venue's page: the host, /user (private) versus /api (public), and "
            "?protocol=1.1.")
REFUSED_FIXES = {
    401: "The server or a firewall in front of it refused this client before any login: check an IP whitelist, a region "
         "or VPN block, and that the host is the venue's stream host.",
    429: "Too many links or handshakes from this address: wait before reconnecting, and keep one link open instead of "
         "reconnecting in a loop.",
    500: "The stream is unavailable on the server's side (maintenance or overload): retry later, backing off.",
}


def _refused_fix(status: int) -> str:
    if status in (401, 403, 407, 451):
        return REFUSED_FIXES[401]
    if status in (418, 429):
        return REFUSED_FIXES[429]
    return REFUSED_FIXES[500] if status >= 500 else PATH_FIX


def diagnose_transport(family: str, failure: TransportFailure) -> Diagnosis:
    from tui.ws.failures import RefusedHandshake

    if isinstance(failure, RefusedHandshake):
        fixes = (Fix(_refused_fix(failure.status)),) + ((Fix(PATH_FIX),) if _refused_fix(failure.status) != PATH_FIX else ())
    elif failure.kind in TRANSPORT_FIXES:
        fixes = (Fix(TRANSPORT_FIXES[failure.kind]),)
    else:
        fixes = (Fix("Retry; if it repeats, check the URL and the network."),)
    notes = (f"Detail: {failure.detail[:300]}",) if failure.detail else ()
    category = "key binding" if failure.kind.value == "signing-refused" else "transport"
    return Diagnosis(Outcome.TRANSPORT_FAILURE, family, None, None, None, None, None, None, None, category,
                     (failure.sentence,), fixes, notes, failure.sentence)


def _ordered(fixes: tuple[tuple[str, str], ...], evidence: Evidence) -> tuple[Fix, ...]:
    """Fixes whose topic the evidence shows first, each with that evidence."""
    shown = {}
    for topic, sentence in evidence:
        shown.setdefault(topic, []).append(sentence)
    first = [Fix(text, "; ".join(shown[topic])) for topic, text in fixes if topic in shown]
    return tuple(first + [Fix(text) for topic, text in fixes if topic not in shown])
