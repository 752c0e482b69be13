"""A WebSocket login, signed, sent and verified (issue 24): the one place a login frame holds the plaintext key.

The signature is REST's: lowercase hex HMAC-SHA256(secret, `timestamp#memo#<marker>`), the marker being
keys.payload.ws_login_payload(dialect). The frame is built here and handed straight to the caller's `send`,
so the key leaves keys/ only into the socket, as a REST key leaves only into httpx's request
(keys.venue_signer). What comes back is LoginEvidence: the key and the signature as fingerprints, the memo as
a mask, the pre-image with the memo masked.

Login frame shapes, one per dialect (sources in tui/ws/dialects.py):
    bitmart-spot     {"op":"login","args":[KEY, timestamp, sign]}
    bitmart-futures  {"action":"access","args":[KEY, timestamp, sign, "web"]}
    wooxpro          {"action":"access","args":[KEY, timestamp, sign, "web"]}
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from keys.payload import WS_LOGIN_MARKERS, ws_login_payload
from keys.secret import Secret
from keys.signing import MEMO_MASK, Clock, Credentials, OffsetClock, SigningRefused, prehash, sign, verify

# (the key naming the operation, the operation, what follows the signature)
LOGIN_SHAPES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "bitmart-spot": ("op", "login", ()),
    "bitmart-futures": ("action", "access", ("web",)),
    "wooxpro": ("action", "access", ("web",)),
}
assert set(LOGIN_SHAPES) == set(WS_LOGIN_MARKERS), "every login dialect has a marker and a frame shape"


@dataclass(frozen=True)
class LoginEvidence:
    """What the login carried, for the report and the diagnosis. Never the key, the secret, the memo or the
    signature themselves."""

    dialect: str
    timestamp: str
    marker: str
    key_fingerprint: str
    signature_fingerprint: str
    memo_length: int
    memo_all_digits: bool
    clock_offset_ms: int
    shown: str  # the frame as sent, the key and the signature as fingerprints

    @property
    def preimage_masked(self) -> str:
        return prehash(self.timestamp, MEMO_MASK if self.memo_length else "", self.marker)

    def to_dict(self) -> dict[str, Any]:
        return {"dialect": self.dialect, "timestamp": self.timestamp, "marker": self.marker,
                "preimage": self.preimage_masked, "key": self.key_fingerprint, "signature": self.signature_fingerprint,
                "memo_length": self.memo_length, "memo_all_digits": self.memo_all_digits,
                "clock_offset_ms": self.clock_offset_ms, "frame": self.shown}


def login_frame_text(dialect: str, api_key: str, timestamp: str, signature: str) -> str:
    """The login frame of `dialect` as the venues' clients write it, compact. Also builds the shown form,
    from fingerprints."""
    key, op, extra = LOGIN_SHAPES[dialect]
    return json.dumps({key: op, "args": [api_key, timestamp, signature, *extra]}, separators=(",", ":"), ensure_ascii=False)


def sign_login(credentials: Credentials, dialect: str, timestamp: str) -> str:
    """The login signature for `timestamp` (the emulator's tests and the forensics' expected value)."""
    return sign(credentials.secret, timestamp, credentials.memo, ws_login_payload(dialect))


def verify_login(credentials: Credentials, dialect: str, timestamp: str, signature: str) -> bool:
    """Constant-time check of a login's signature: the emulator's side of the rule."""
    return verify(credentials.secret, credentials.memo, timestamp, ws_login_payload(dialect), signature)


async def send_login(send: Callable[[str], Awaitable[object]], credentials: Credentials, dialect: str,
                     clock: Clock | None = None) -> LoginEvidence:
    """Sign a login at the clock's time and hand its frame to `send` (a WebSocket's send). SigningRefused,
    before anything is sent, when the credentials cannot be used (a CR in the key, no secret)."""
    if not credentials.api_key or not credentials.secret:
        raise SigningRefused("A WebSocket login needs an API key and a secret: pass --profile NAME or set "
                             "KEYPROBE_API_KEY, KEYPROBE_SECRET and KEYPROBE_MEMO.")
    if credentials.refusal:
        raise SigningRefused(credentials.refusal)
    clock = clock or OffsetClock(apply=False)
    timestamp = str(clock.now_ms())
    signature = sign_login(credentials, dialect, timestamp)
    evidence = LoginEvidence(
        dialect, timestamp, ws_login_payload(dialect), credentials.fingerprint, Secret(signature).fingerprint(),
        len(credentials.memo), credentials.memo.is_all_digits(), round(clock.offset_ms) if clock.apply else 0,
        login_frame_text(dialect, credentials.fingerprint, timestamp, Secret(signature).fingerprint()),
    )
    # The frame is built inside the call: no local of this function holds the key in a frame of its own.
    await send(login_frame_text(dialect, credentials.api_key.reveal(), timestamp, signature))
    return evidence
