"""What the sent request shows, as evidence for the diagnosis (tui.diagnosis.diagnose).

Each finding is (topic, evidence). A finding only surfaces through a fix of the same topic in the code's
advice (tui.catalog.advice), so the advice table alone decides what is relevant to which code. Evidence is
lengths and flags (SigningEvidence never holds the memo or secret), plus non-secret request facts: the
timestamp, the method, the path, a symbol.
"""

from __future__ import annotations

import json
import re

from keys.headers import BITMART_HEADERS, WOOXPRO_HEADERS, AuthLevel, HeaderSet
from tui.catalog.advice import VENUE_TEXT
from tui.transport.envelope import clip  # noqa: F401 - re-exported: tui.inspect reads it from here

TYPE_CHECKING = False  # typing's flag without importing typing: `keyprobe decode` loads this module
if TYPE_CHECKING:
    from urllib.parse import SplitResult

    from keys.signing import SigningEvidence
    from tui.exchange import Draft, SentRequest

Finding = tuple[str, str]


CLOCK_CODES = frozenset({30007, 40008, 40013})  # "no offset was applied" is evidence only where the clock is a cause
WINDOW_S = 60
SPOT_HOSTS = frozenset({"api-cloud.bitmart.com", "api-cloud.bitmart.news"})


def header_pairs(headers: object) -> tuple[tuple[str, str], ...]:
    """Any header shape (httpx.Headers, a dict, a list of pairs, None) as (name, value) strings."""

    def text(x: object) -> str:
        return x.decode("latin-1") if isinstance(x, (bytes, bytearray)) else str(x)

    try:
        items = headers.multi_items() if hasattr(headers, "multi_items") else headers.items() if hasattr(headers, "items") else headers
        return tuple((text(p[0]), text(p[1])) for p in (items or ()) if isinstance(p, (tuple, list)) and len(p) == 2)
    except Exception:  # noqa: BLE001 - headers are evidence, not a requirement
        return ()


def _header(pairs: tuple[tuple[str, str], ...], name: str) -> str | None:
    lname = name.lower()
    return next((v for k, v in pairs if k.lower() == lname), None)


def split(url: str) -> SplitResult:
    """urlsplit that answers an unparseable URL (`http://[`) with an empty one instead of raising."""
    from urllib.parse import SplitResult, urlsplit  # here: a pasted body (`decode`) has no URL

    try:
        return urlsplit(url)
    except ValueError:
        return SplitResult("", "", "", "", "")


def _timestamp_findings(ts: str, hs: HeaderSet, code: int, pairs: tuple[tuple[str, str], ...]) -> list[Finding]:
    out: list[Finding] = []
    shown = clip(ts, 30)
    if re.fullmatch(r"\d{10}", ts):
        out.append(("timestamp-format", f"{hs.timestamp} was 10 digits ({shown}): seconds, not milliseconds"))
    elif "." in ts:
        out.append(("timestamp-format", f"{hs.timestamp} was a decimal ({shown}), not integer milliseconds"))
    elif not re.fullmatch(r"\d{13}", ts):
        out.append(("timestamp-format", f"{hs.timestamp} was {shown!r}, not 13 digits"))
    date = _header(pairs, "date")
    if date and re.fullmatch(r"\d{13}", ts):
        from email.utils import parsedate_to_datetime  # here: it imports socket, and `decode` never needs it

        try:
            # Date has whole seconds: the server's time was somewhere in [D, D + 1), so compare with the middle.
            skew = int(ts) / 1000 - (parsedate_to_datetime(date).timestamp() + 0.5)
        except (TypeError, ValueError, OverflowError, IndexError):
            return out
        if abs(skew) > WINDOW_S + 1:
            out.append(("clock", f"the signed timestamp is {skew:+.0f} s from the server's Date header"))
        elif code == 30007:
            out.append(("stale", f"the signed timestamp is within {abs(skew):.0f} s of the server's Date header, so the "
                                 "clock looks right: a stale or reused timestamp is likelier"))
    return out


def _evidence_findings(ev: SigningEvidence, hs: HeaderSet, code: int, request: SentRequest | None,
                       pairs: tuple[tuple[str, str], ...]) -> list[Finding]:
    from keys.signing import signed_payload, signs_body  # here: `decode` (no request) never needs the signer

    out: list[Finding] = []
    if ev.level is not AuthLevel.SIGNED:  # a KEYED request's evidence is its key's fingerprint alone
        return out
    if ev.memo_length == 0:
        out.append(("memo", "the memo was empty, so the pre-image was `timestamp##payload`"))
    elif ev.memo_all_digits:
        out.append(("memo", f"the memo is {ev.memo_length} digits, the shape of an account UID rather than a key's name"))
    if ev.timestamp:
        out += _timestamp_findings(ev.timestamp, hs, code, pairs)
    if code in CLOCK_CODES:
        offset = ev.clock_offset_ms
        out.append(("clock", f"a server clock offset of {offset:+d} ms was applied when signing" if offset
                    else "no server clock offset was applied when signing (the local clock as it is)"))
    if request is not None:
        method = request.method.upper()
        sent = signed_payload(method, split(request.url).query, request.body)
        if ev.payload != sent:
            what = "body" if signs_body(method) else "query string"
            out.append(("bytes", f"the signed payload ({len(ev.payload)} characters) differs from the {what} sent "
                                 f"({len(sent)} characters)"))
    return out


def _request_findings(family: str, hs: HeaderSet, request: SentRequest, level: AuthLevel | None) -> list[Finding]:
    from keys.signing import signs_body

    out: list[Finding] = []
    method, parts = request.method.upper(), split(request.url)
    other = "X-BM-" if hs.prefix == "X-API-" else "X-API-"
    if request.header(hs.key) is None:
        if request.header(f"{other}KEY") is not None:
            out.append(("key-header", f"the request carried {other}KEY, but {VENUE_TEXT[family]['{VENUE}']} expects {hs.key}"))
        elif level is not AuthLevel.NONE:
            out.append(("key-header", f"no {hs.key} header was sent"))
    elif request.header(hs.sign) is None or request.header(hs.timestamp) is None:
        out.append(("level", f"{hs.key} was sent without {hs.sign} and {hs.timestamp}: the request went out KEYED"))
    body = request.body or b""
    if not signs_body(method) and body:
        out.append(("get-body", f"the {method} carried a {len(body)}-byte body; {method} is signed over the query string"))
    if signs_body(method):
        ctype = request.header("content-type") or ""
        if not body.strip():
            out.append(("json-body", f"the {method} body was empty"))
        else:
            if problem := _json_problem(body):
                out.append(("json-body", problem))
        if "json" not in ctype.lower():
            out.append(("json-body", f"Content-Type was {clip(ctype, 40)!r}, not application/json"))
    path = parts.path
    if path.startswith("/contract/"):
        if (parts.hostname or "") in SPOT_HOSTS:
            out.append(("host", f"a /contract/ path was sent to {parts.hostname}, the spot host"))
        if not re.match(r"/contract/(public|private)/", path):
            out.append(("host", f"the path {clip(path, 60)} is not a v2 /contract/public|private/ path"))
        out += _field_findings(body, parts.query)
    return out


def _json_problem(body: bytes) -> str | None:
    try:
        json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        return "the body sent is not UTF-8"
    except json.JSONDecodeError as exc:
        return f"the body sent is not valid JSON ({exc.msg} at character {exc.pos})"
    except (ValueError, RecursionError):
        return None
    return None


def _field_findings(body: bytes, query: str) -> list[Finding]:
    from urllib.parse import parse_qsl

    fields: dict[str, object] = dict(parse_qsl(query))
    try:
        data = json.loads(body) if body.strip() else {}
        fields.update(data if isinstance(data, dict) else {})
    except (ValueError, RecursionError):
        pass
    out: list[Finding] = []
    symbol = fields.get("symbol")
    if isinstance(symbol, str) and re.search(r"[_\-/]", symbol):
        out.append(("symbol", f"symbol was {clip(symbol, 30)!r}: a spot-style symbol; futures symbols have no separator"))
    cid = fields.get("client_order_id")
    if isinstance(cid, str):
        if len(cid) > 32:
            out.append(("client-order-id", f"client_order_id is {len(cid)} characters; the limit is 32"))
        bad = sorted({c for c in cid if not c.isascii() or not c.isalnum()})
        if bad:
            out.append(("client-order-id", f"client_order_id contains {clip(''.join(bad), 20)!r}, not only letters and digits"))
    return out


def _response_findings(pairs: tuple[tuple[str, str], ...]) -> list[Finding]:
    shown = [f"{k}: {clip(v, 20)}" for k, v in pairs if "ratelimit" in k.lower() or k.lower() == "retry-after"]
    return [("rate-limit", "the response said " + ", ".join(shown[:5]))] if shown else []


def findings(family: str, code: int, request: SentRequest | None, draft: Draft | None,
             pairs: tuple[tuple[str, str], ...]) -> list[Finding]:
    """What the request (and the response's headers) show, as (topic, evidence) pairs; the diagnosis keeps
    those whose topic the code's fixes have."""
    hs = BITMART_HEADERS if family == "bitmart" else WOOXPRO_HEADERS
    out: list[Finding] = []
    ev = getattr(request, "evidence", None)
    level = getattr(ev, "level", None) or (draft.auth_level if draft is not None else None)
    if ev is not None:
        out += _evidence_findings(ev, hs, code, request, pairs)
    if request is not None:
        out += _request_findings(family, hs, request, level)
    if draft is not None:
        from keys.signing import signs_body
        from tui.endpoints import default_auth

        if error := draft.body_error():
            out.append(("json-body", error[0].lower() + error[1:].rstrip(".")))
        if not signs_body(draft.method) and draft.body.strip() and request is None:
            out.append(("get-body", f"the {draft.method.upper()} has a body; it is signed over the query string"))
        expected = default_auth(draft.method, draft.path)
        if draft.auth is not None and draft.auth is not expected:
            out.append(("level", f"the request was sent {draft.auth.value.upper()}, but the endpoint table lists "
                                 f"{clip(draft.path, 60)} as {expected.value.upper()}"))
    return out + _response_findings(pairs)

