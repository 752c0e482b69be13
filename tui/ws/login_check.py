"""A captured WebSocket conversation -> what is wrong with its login: the frame's shape, its timestamp, the order
of its frames, and (with key material) which known mistake reproduces its signature (keys.ws_forensics).

Used by `keyprobe inspect` (a pasted login frame, a HAR's `_webSocketMessages`) and by tests that read what
real clients sent the emulator. Frame-level findings need no secret:
    ws-dialect-frame          the other dialect's frame for the endpoint (op on futures, action on spot)
    ws-format-page-login      {"action":"login"}: WOO X Pro's format page, where its login page says "access"
    ws-args-shape             args not a list of the documented length
    ws-dev-missing            futures without the documented device argument ("web")
    ws-args-order             the timestamp and the key in each other's place
    ws-timestamp-seconds      a 10-digit timestamp (seconds): 91023
    ws-timestamp-number       a JSON number where the pages have a string
    ws-timestamp-stale        more than 60 s from when it was sent: 91022
    ws-subscribe-before-login a private subscription sent before the login's answer: 91006
With key material, also:
    ws-secret-sent            the secret itself in the frame (as the signature, or in a field): revoke the key
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit

from keys.bounded import parse_json
from keys.forensics import DEFAULT_MAX_SECONDS, Verdict, pick_credentials
from keys.signing import Credentials
from keys.ws_forensics import MEANINGS, SentLogin, examine_login
from keys.payload import WS_LOGIN_MARKERS
from keys.ws_hosts import WS_FAMILY_HOSTS
from tui.diagnosis.diagnose import Diagnosis, Fix, Origin
from tui.inspect.lint import Finding
from tui.ws import diagnose as wsd
from tui.ws.dialects import DIALECTS, dialect_of_frame
from tui.ws.frames import meaning

WINDOW_MS = 60_000
SIGN_WRONG = 91011  # Param sign is wrong
SHAPE_FIRST = ("ws-secret-sent", "ws-dialect-frame", "ws-format-page-login", "ws-args-shape", "ws-args-order")
_HEX40 = re.compile(r"[0-9a-fA-F]{32,64}")
SPOT_HOSTS = frozenset({"ws-manager-compress.bitmart.com"})


@dataclass(frozen=True)
class Message:
    direction: str  # "sent" (by the client) | "received"
    text: str | None = field(repr=False)  # None: a binary frame that could not be read; a login holds the key
    at_ms: float | None = None  # epoch milliseconds, when the capture says


@dataclass(frozen=True)
class Capture:
    url: str | None
    messages: tuple[Message, ...] = field(repr=False)  # the frames as sent: a crash report's locals must not show a key
    label: str = ""
    source: str = ""  # "har" | "frame" | "emulator" | "proxy"

    @property
    def host(self) -> str:
        try:
            return (urlsplit(self.url or "").hostname or "").lower()
        except ValueError:
            return ""


@dataclass
class LoginCheck:
    capture: Capture
    dialects: tuple[str, ...]
    findings: list[Finding]
    verdict: Verdict
    diagnosis: Diagnosis | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def ids(self) -> list[str]:
        return [f.id for f in self.findings] + list(self.verdict.variants)

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.capture.label, "source": self.capture.source, "url": self.capture.url,
                "dialects": list(self.dialects), "findings": [f.to_dict() for f in self.findings],
                "signature": self.verdict.to_dict(), "diagnosis": self.diagnosis.to_dict() if self.diagnosis else None,
                "notes": list(self.notes)}


def dialects_of_url(url: str | None) -> tuple[str, ...]:
    """The dialects an endpoint speaks, from its host (or the emulator's path); () when unknown."""
    try:
        parts = urlsplit(url or "")
        host, path = (parts.hostname or "").lower(), parts.path
    except ValueError:
        return ()
    if host in SPOT_HOSTS or path.startswith("/spot/"):
        return ("bitmart-spot",)
    if host in WS_FAMILY_HOSTS["bitmart"] or (path.startswith("/futures/") and "wooxpro" not in host):
        return ("bitmart-futures", "wooxpro") if path.startswith("/futures/") else ("bitmart-futures",)
    if host.endswith("wooxpro.com"):
        return ("wooxpro",)
    return ()


def check(capture: Capture, credentials: Sequence[Credentials] = (), *, uid: str | None = None,
          now_ms: float | None = None, max_seconds: float = DEFAULT_MAX_SECONDS) -> LoginCheck:
    frames = [(i, m, parse_json(m.text)[0] if m.text is not None else None) for i, m in enumerate(capture.messages)]
    login = next(((i, m, obj) for i, m, obj in frames if m.direction == "sent" and _is_login(obj)), None)
    by_url = dialects_of_url(capture.url)
    if login is None:
        finding = Finding("ws-no-login", "info", "No login frame ({\"op\":\"login\"} or {\"action\":\"access\"}) in this "
                          "capture: nothing to check.")
        return LoginCheck(capture, by_url, [finding], Verdict("unchecked", sentence="No login frame."))
    index, message, obj = login
    by_frame = dialect_of_frame(obj)
    dialects = tuple(d for d in by_url if d in by_frame) or by_url or by_frame
    findings = _shape(obj, by_url, by_frame)
    args = obj.get("args") if isinstance(obj.get("args"), list) else []
    key, ts, sig = (args + [None, None, None])[:3]
    findings += _timestamp(ts, message.at_ms, now_ms)
    findings += _order(frames, index, dialects)
    if _looks_swapped(key, ts):
        findings.append(Finding("ws-args-order", "error", "The first argument looks like a timestamp and the second like a "
                                "key: args are [KEY, timestamp, sign] in that order."))
        key, ts = ts, key
    sent = SentLogin(dialects, _str(key), _str(ts), _str(sig))
    creds = pick_credentials(credentials, _str(key))
    verdict = examine_login(sent, creds, uid=uid, max_seconds=max_seconds)
    if len({WS_LOGIN_MARKERS.get(d) for d in dialects}) > 1:
        verdict, dialects = _settle_dialect(sent, creds, verdict, frames, index, uid=uid, max_seconds=max_seconds)
    exposed = _secret_sent(obj, creds)
    if exposed is not None:
        findings.append(Finding("ws-secret-sent", "error", f"The login frame carries the key's secret itself ({exposed}): "
                                "the venue, and anything that saw the frame, now has it. Revoke the key and create a new "
                                "one; a login sends only the HMAC-SHA256 of timestamp#memo#marker keyed with the secret."))
        if exposed == "as the signature":
            verdict = verdict._replace(sentence="The signature is the secret itself, not an HMAC keyed with it.")
    diagnosis = _answer(frames, index, dialects, verdict)
    shape = next((f for f in findings if f.id in SHAPE_FIRST), None)
    if diagnosis is not None and shape is not None:  # the frame's own shape, before the table's guess (a subscribe's fix)
        diagnosis = diagnosis._replace(fixes=(Fix(shape.sentence, f"the login frame ({shape.id})"),) + diagnosis.fixes)
    return LoginCheck(capture, dialects, findings, verdict, diagnosis)


def _secret_sent(obj: dict, creds: Credentials | None) -> str | None:
    """Where the login frame carries the secret itself (any 8 characters of it, in any spelling: keys.redact's
    masker, the one every output uses), or None."""
    if creds is None or not creds.secret:
        return None
    from keys import redact
    from keys.secret import MASK

    hide = redact.masking([(creds.secret, MASK)])

    def holds(value: object, depth: int = 0) -> bool:
        if isinstance(value, str):
            return hide(value) != value
        if depth < 4 and isinstance(value, list):
            return any(holds(v, depth + 1) for v in value)
        if depth < 4 and isinstance(value, dict):
            return any(holds(k, depth + 1) or holds(v, depth + 1) for k, v in value.items())
        return False

    args = obj.get("args") if isinstance(obj.get("args"), list) else []
    if len(args) > 2 and holds(args[2]):
        return "as the signature"
    return "in the frame" if holds(obj) else None


def _settle_dialect(sent: SentLogin, creds: Credentials | None, verdict: Verdict, frames: list, index: int, *,
                    uid: str | None, max_seconds: float) -> tuple[Verdict, tuple[str, ...]]:
    """A futures frame from an address that does not say whose it is (loopback, a pasted frame): BitMart futures' and
    WOO X Pro's frames are alike, their markers are not. The verdict read against the first dialect alone called a
    WOO X Pro login that signed seconds "the other venue's marker + seconds", and one that signed BitMart's marker a
    match (the venue refused it 91011). So: when the venue refused the signature, a dialect it verifies for is not
    the venue's; and a mismatch is read against each dialect alone, the fewest mistakes that reproduce it winning."""
    dialects = sent.dialects
    refused = _answer(frames, index, dialects, verdict)
    sign_refused = refused is not None and refused.code == SIGN_WRONG
    if verdict.status == "match" and not sign_refused:
        return verdict, dialects
    if verdict.status not in ("match", "mismatch"):
        return verdict, dialects
    best, best_dialect = (None if verdict.status == "match" else verdict), (None if verdict.status == "match" else dialects[0])
    for dialect in dialects:
        alone = examine_login(replace(sent, dialects=(dialect,)), creds, uid=uid, max_seconds=max_seconds)
        if alone.status == "match" and sign_refused:
            continue  # the venue refused what verifies for this dialect: it is the other venue
        if best is None or _simpler(alone, best):
            best, best_dialect = alone, dialect
    if best is None:
        return verdict, dialects
    return best, (best_dialect, *(d for d in dialects if d != best_dialect))


def _simpler(a: Verdict, b: Verdict) -> bool:
    """`a` explains the signature with fewer mistakes than `b` (a match: none; an unexplained mismatch: the most)."""
    def cost(v: Verdict) -> float:
        return 0 if v.status == "match" else len(v.variants) if v.variants else float("inf")
    return cost(a) < cost(b)


def _is_login(obj: object) -> bool:
    return isinstance(obj, dict) and (obj.get("op") == "login" or obj.get("action") in ("access", "login"))


def _str(value: object) -> str | None:
    if value is None or isinstance(value, (dict, list, bool)):
        return None
    return str(value)


def _shape(obj: dict, by_url: tuple[str, ...], by_frame: tuple[str, ...]) -> list[Finding]:
    out = []
    if by_url and not set(by_url) & set(by_frame):
        want = DIALECTS[by_url[0]]
        names = " or ".join(DIALECTS[d].name for d in by_url)  # loopback's futures path: BitMart's or WOO X Pro's
        out.append(Finding("ws-dialect-frame", "error", f"The login is the other dialect's frame: {names}'s stream "
                           f"takes {{\"{want.op_key}\":\"{want.login_op}\",...}}. The venue answers an unknown operation "
                           "(90002 on spot) and never checks the key."))
    if obj.get("action") == "login":
        out.append(Finding("ws-format-page-login", "error", "The login says \"action\":\"login\", as WOO X Pro's format "
                           "page does; its login page, the SDK and ccxt send \"access\" (and the answer says access)."))
    args = obj.get("args")
    futures = "action" in obj
    if not isinstance(args, list) or len(args) < 3:
        shape = '[KEY, timestamp, sign, "web"]' if futures else "[KEY, timestamp, sign]"
        out.append(Finding("ws-args-shape", "error", f"args is not a list of {shape}."))
    elif futures and len(args) < 4:
        out.append(Finding("ws-dev-missing", "warning", "The futures login documents a fourth argument, the device "
                           "(\"web\"); this one has none (whether the venue refuses that is not documented)."))
    return out


def _timestamp(ts: object, sent_at: float | None, now_ms: float | None) -> list[Finding]:
    out = []
    if isinstance(ts, (int, float)) and not isinstance(ts, bool):
        out.append(Finding("ws-timestamp-number", "warning", "The timestamp is a JSON number; the login pages give every "
                           "argument as a string."))
    text = _str(ts) or ""
    if not text.isascii():  # '²' is a digit to str.isdigit, not to int
        return out
    if text.isdigit() and len(text) == 10:
        out.append(Finding("ws-timestamp-seconds", "error", "The timestamp has 10 digits: seconds. The login wants 13-digit "
                           "milliseconds (91023 Param timestamp invalid format)."))
        return out
    if not (text.isdigit() and len(text) == 13):
        return out
    if sent_at is not None and abs(int(text) - sent_at) > WINDOW_MS:
        out.append(Finding("ws-timestamp-stale", "error", f"The timestamp is {abs(int(text) - sent_at) / 1000:,.0f} s from "
                           "when the frame was sent; a login expires after 60 s (91022): sign it right before sending, "
                           "with a synced clock."))
    elif sent_at is None and now_ms is not None and abs(int(text) - now_ms) > WINDOW_MS:
        out.append(Finding("ws-timestamp-stale", "info", f"The timestamp is {abs(int(text) - now_ms) / 60_000:,.0f} minutes "
                           "from now; if the frame was sent just before this check, that is 91022 (it expires after 60 s)."))
    return out


def _order(frames: list, index: int, dialects: tuple[str, ...]) -> list[Finding]:
    """A private subscription before the login's answer (or before the login itself)."""
    dialect = DIALECTS[dialects[0]] if dialects else None
    answered = next((i for i, m, obj in frames[index + 1:] if m.direction == "received" and dialect is not None
                     and meaning(dialect, m.text).kind in ("login-ok", "login-failed")), None)
    for i, m, obj in frames:
        if m.direction != "sent" or i == index or not isinstance(obj, dict) or obj.get(dialect.op_key if dialect else "op") != "subscribe":
            continue
        topics = [t for t in obj.get("args") or [] if isinstance(t, str) and dialect is not None and dialect.is_private(t)]
        if topics and (i < index or answered is None or i < answered):
            when = "before the login" if i < index else "before the login's answer"
            return [Finding("ws-subscribe-before-login", "error", f"{', '.join(topics[:3])} was subscribed {when}; a private "
                            "channel needs the login answered first (91006 User not logged in).")]
    return []


def _looks_swapped(key: object, ts: object) -> bool:
    return bool(isinstance(key, (str, int)) and str(key).isdigit() and len(str(key)) in (10, 13)
                and isinstance(ts, str) and _HEX40.fullmatch(ts))


def _answer(frames: list, index: int, dialects: tuple[str, ...], verdict: Verdict) -> Diagnosis | None:
    """The diagnosis of the venue's refusal, when the capture holds it; the forensics' finding backs its fix."""
    if not dialects:
        return None
    dialect = DIALECTS[dialects[0]]
    evidence = tuple((_TOPICS.get(v, "marker"), f"its signature is reproduced by signing {MEANINGS.get(v, v)} ({v})")
                     for v in verdict.variants)
    for i, m, obj in frames[index + 1:]:
        if m.direction == "received" and isinstance(obj, dict):
            kind = meaning(dialect, m.text).kind
            if kind == "login-ok":
                return None
            if kind in ("login-failed", "error", "subscribe-failed"):
                return wsd.diagnose_frame(dialect, obj, origin=Origin.ELSEWHERE, evidence=evidence)
    return None


_TOPICS = {"memo-empty": "memo", "memo-case": "memo", "memo-uid": "memo", "memo-missing": "memo", "memo-whitespace": "whitespace",
           "secret-whitespace": "whitespace", "secret-quoted": "whitespace", "timestamp-seconds": "timestamp-format",
           "ws-documented-example": "stale", "timestamp-other": "stale"}
