"""Signing for BitMart (X-BM-*) and WOO X Pro (X-API-*).

X-*-SIGN = lowercase hex HMAC-SHA256(secret, f"{timestamp}#{memo}#{payload}") where the payload is
the exact body for POST/PUT and the exact query string (without `?`) otherwise (protocol.md 1.2):
`keys.payload.signed_payload` is that rule, written once (re-exported here).

The httpx side (VenueSigner, an httpx.Auth) lives in keys.venue_signer: everything here imports without
httpx, so `keyprobe decode` and `--help` start without it (benchmarks/cli_startup.py).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import time
from collections import namedtuple

TYPE_CHECKING = False  # typing's flag without importing typing (a start-up cost: benchmarks/inspect_startup.py)
if TYPE_CHECKING:
    from typing import Protocol
else:
    Protocol = object  # Clock below is a Protocol to a type checker, a plain class (its documentation) at run time

from keys.payload import BODY_SIGNED_METHODS, signed_payload, signs_body  # noqa: F401 - re-exported
from keys.secret import Secret

MEMO_MASK = "****"


from keys.headers import BITMART_HEADERS, CREDENTIAL_HEADERS, WOOXPRO_HEADERS, AuthLevel, HeaderSet  # noqa: E402,F401 - re-exported


def prehash(timestamp: str, memo: str, payload: str) -> str:
    """The pre-image: `timestamp#memo#payload` (an empty memo gives `ts##payload`)."""
    return f"{timestamp}#{memo}#{payload}"


def sign(secret: Secret | str, timestamp: str, memo: Secret | str, payload: str | bytes) -> str:
    """Lowercase hex HMAC-SHA256 of the pre-image, keyed by the secret. A Secret is revealed only as a
    temporary: no local of this frame holds the plaintext (a crash report that prints locals).

    `payload` may be the body's bytes as sent (the signer passes them): they are the payload's UTF-8, and
    are read as they are instead of being decoded and encoded again (two copies of a 20 MB body)."""
    mac = hmac.new(_plain(secret).encode(), prehash(timestamp, _plain(memo), "").encode(), hashlib.sha256)
    # The payload apart: a 20 MB body is not copied into a pre-image string too. A str payload's bytes that are
    # not UTF-8 (signed_payload keeps them as surrogates) are hashed as they were sent.
    mac.update(payload if isinstance(payload, bytes) else payload.encode(errors="surrogateescape"))
    return mac.hexdigest()


def _plain(value: Secret | str) -> str:
    return value.reveal() if isinstance(value, Secret) else value


class Clock(Protocol):
    """What the signer reads: the time to sign with, and the server offset in it (for the evidence)."""

    offset_ms: float  # the measured server offset, in ms
    apply: bool  # whether now_ms() adds offset_ms

    def now_ms(self) -> int: ...


# Named tuples, not dataclasses (keys.headers.HeaderSet says why): every send and inspect loads these.
class OffsetClock(namedtuple("OffsetClock", "offset_ms apply", defaults=(0.0, True))):
    """Wall-clock milliseconds, plus the measured server offset (`offset_ms`) when `apply` is on."""

    __slots__ = ()

    def now_ms(self) -> int:
        now = time.time_ns() // 1_000_000
        return now + round(self.offset_ms) if self.apply else now


class FixedClock(namedtuple("FixedClock", "ms offset_ms apply", defaults=(0.0, False))):
    """A clock that always reads `ms`: for tests and for reproducing a vector."""

    __slots__ = ()

    def now_ms(self) -> int:
        return self.ms


class Credentials(namedtuple("Credentials", "api_key secret memo")):
    """A key's three Secrets. No `__slots__ = ()`: the instance keeps its `refusal` once worked out."""

    @classmethod
    def of(cls, api_key: str | Secret, secret: str | Secret, memo: str | Secret = "") -> Credentials:
        return cls(Secret(api_key), Secret(secret), Secret(memo))

    @property
    def fingerprint(self) -> str:
        return self.api_key.fingerprint()

    @functools.cached_property
    def refusal(self) -> str | None:
        """Why these credentials cannot be sent (a CR in the key, a zero-width character...), or None.
        Checked once per Credentials, at the last door before the HTTP layer."""
        from keys.credential_check import refusal

        return refusal(self.api_key, self.secret, self.memo)

    def __repr__(self) -> str:
        return f"Credentials(key={self.fingerprint}, secret={'set' if self.secret else 'unset'}, memo={'set' if self.memo else 'unset'})"


_EVIDENCE = "level header_set host key_fingerprint timestamp payload signature memo_length memo_all_digits clock_offset_ms"


class SigningEvidence(namedtuple("SigningEvidence", _EVIDENCE, defaults=("", None, "", None, 0, False, 0))):
    """What the signer did, for the diagnosis and the preview. Never holds the secret or the memo.

    level (AuthLevel), header_set (HeaderSet), host; key_fingerprint; timestamp and signature (None unless
    signed); payload (the signed payload, as large as the body: kept out of the repr); memo_length and
    memo_all_digits (flags, never the memo); clock_offset_ms (the offset the timestamp was corrected by)."""

    __slots__ = ()

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={value!r}" for name, value in zip(self._fields, self) if name != "payload")
        return f"SigningEvidence({shown})"

    @property
    def memo_empty(self) -> bool:
        return self.memo_length == 0

    @property
    def preimage_masked(self) -> str | None:
        """The pre-image with the memo as `****`; built when asked, not stored (a 20 MB body would be kept twice)."""
        if self.timestamp is None:
            return None
        return prehash(self.timestamp, MEMO_MASK if self.memo_length else "", self.payload)


class SigningRefused(Exception):
    """The signer will not sign this request (a host the key is not bound to, missing credentials)."""


def masked_header_value(name: str, value: str, header_set: HeaderSet) -> str:
    """Key and signature headers (this set's, and either venue's) shown as fingerprints; everything else as sent."""
    if name.lower() in CREDENTIAL_HEADERS or name.lower() in (header_set.key.lower(), header_set.sign.lower()):
        return Secret(value).fingerprint()
    return value


def verify(secret: Secret, memo: Secret, timestamp: str, payload: str, signature: str) -> bool:
    """Constant-time check of a received signature (the emulator's side of the protocol)."""
    expected = sign(secret, timestamp, memo, payload)
    return hmac.compare_digest(expected.encode(), signature.encode(errors="surrogateescape"))
