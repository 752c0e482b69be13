"""What a draft will look like on the wire, before it is sent: the headers (key as a fingerprint)
and the pre-image `timestamp#memo#payload` with the memo masked. Textual-free and secret-free: it
uses keys.signing.prehash on the payload and never reveals the secret or the memo."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from keys.signing import Clock, Credentials
    from tui.exchange import Draft


@dataclass(frozen=True)
class SigningPreview:
    method: str
    url: str
    level: str  # none / keyed / signed
    headers: tuple[tuple[str, str], ...]
    payload_kind: str  # "body" / "query string"
    payload: str
    preimage: str | None  # memo masked; None when nothing is signed
    problem: str | None  # a sentence when the draft cannot be signed as is


def edited(headers: list[tuple[str, str]], edits: tuple[tuple[str, str], ...], hs: object) -> list[tuple[str, str]]:
    """The composer's header edits on the preview's headers, as the wire applies them (a value typed
    over the key or signature header is shown masked, as sent ones are); a header removed (an empty
    value) is listed as removed, so the edit shows even for one the preview does not list otherwise."""
    from keys.signing import masked_header_value

    out = list(headers)
    for name, value in edits:
        out = [(n, v) for n, v in out if n.lower() != name.lower()]
        out.append((name, masked_header_value(name, value, hs) + "  (edited)" if value else "(removed: not sent)"))
    return out


def preview(draft: Draft, credentials: Credentials | None, clock: Clock) -> SigningPreview:
    from keys.signing import MEMO_MASK, AuthLevel, prehash, signed_payload, signs_body

    hs = draft.venue.header_set
    level = draft.auth_level
    method = draft.method.upper()
    payload = signed_payload(method, draft.query_string, draft.body_bytes)
    kind = "body" if signs_body(method) else "query string"
    headers: list[tuple[str, str]] = [("Content-Type", "application/json")]
    preimage = problem = None
    if level is not AuthLevel.NONE:
        if credentials is None:
            problem = f"A {level.value} request needs a key: none is loaded."
        else:
            headers.append((hs.key, credentials.fingerprint))
    if level is AuthLevel.SIGNED and credentials is not None:
        timestamp = str(clock.now_ms())
        headers.append((hs.timestamp, timestamp))
        headers.append((hs.sign, "HMAC-SHA256 of the pre-image, computed at send"))
        preimage = prehash(timestamp, MEMO_MASK if credentials.memo else "", payload)
    headers = edited(headers, draft.headers, hs)
    if draft.body.strip() and not signs_body(method):
        problem = f"A {method} request signs the query string; the body will be sent but not signed."
    return SigningPreview(method, draft.url, level.value, tuple(headers), kind, payload, preimage, problem)
