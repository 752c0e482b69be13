"""WebSocket login forensics: which known mistake reproduces the signature a login frame carried (issue 24).

A login signs `timestamp#memo#<marker>`. Given the frame's key, timestamp and signature, and the key material
the user trusts, recompute what the venue verifies; when it differs, try the known mistakes one at a time,
then two at a time from different parts of the pre-image, and name the first that reproduces the signature:
the other venue's marker, a REST payload where the marker belongs, the memo variants, a timestamp in seconds,
the secret variants, the digest's encoding (upper-case hex, base64). A signature that is the documentation's
printed example is named without any key material: it was copied, not computed.

Built on keys.variants' public generators (memo, seconds, secret, nearby timestamps) and keys.forensics'
Verdict; the marker variants and the digest matcher are this module's own (keys.forensics keeps its matcher
private). What leaves keys/ is ids, counts and pre-images with the memo masked.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import itertools
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

from keys import variants as v
from keys.forensics import DEFAULT_MAX_HMACS, DEFAULT_MAX_SECONDS, Verdict
from keys.payload import WS_LOGIN_MARKERS
from keys.secret import Secret
from keys.signing import MEMO_MASK, Credentials, prehash

# The example every login page prints: key 80618e45..., memo test001, timestamp 1589267764859 (protocol.md 1.4).
EXAMPLE_TIMESTAMP = "1589267764859"
DOCUMENTED_EXAMPLES = {
    # V1: BitMart's login page; WOO X Pro's login page prints it too, for `...#wooxpro.WebSocket` (a copy).
    "3ceeb7e1b8cb165a975e28a2e2dfaca4d30b358873c0351c1a071d8c83314556": "bitmart.WebSocket",
    # V2: the value WOO X Pro's page should print (computed here, protocol.md 1.4).
    "c9faeea6ee09e397102923d97841f8a19c1b37e6fc9ec61d15a9908e788ca19e": "wooxpro.WebSocket",
}
REST_PAYLOADS = ("", "{}")  # what a REST signer puts after the second `#` for a GET without query, or an empty body

WS_MEANINGS = {
    "ws-marker-other-venue": "the other venue's marker (bitmart.WebSocket and wooxpro.WebSocket are not interchangeable)",
    "ws-marker-rest": "a REST payload (an empty string or \"{}\") where the login's marker belongs",
    "ws-marker-case": "the marker in another letter case (it is exactly bitmart.WebSocket or wooxpro.WebSocket)",
    "ws-documented-example": "nothing: the signature is the documentation's printed example, copied instead of computed",
}
MEANINGS = {**v.MEANINGS, **WS_MEANINGS}


@dataclass(frozen=True)
class SentLogin:
    """What a login frame carried. `dialects`: the dialects it may have been meant for (from the endpoint, or
    from the frame's shape when the endpoint is unknown), the first one's marker being the one expected."""

    dialects: tuple[str, ...]
    api_key: str | None
    timestamp: str | None
    signature: str | None


class _Candidate(NamedTuple):
    ids: tuple[str, ...]
    timestamp: str
    memo: str | None  # None: no memo segment (memo-missing)
    memo_shown: str
    marker: str
    secret: bytes  # the HMAC key as the client's code keyed it (keys.variants.secret_variants gives bytes)

    def preimage(self) -> str:
        return f"{self.timestamp}#{self.marker}" if self.memo is None else prehash(self.timestamp, self.memo, self.marker)

    def shown(self) -> str:
        return f"{self.timestamp}#{self.marker}" if self.memo is None else f"{self.timestamp}#{self.memo_shown}#{self.marker}"


class _Budget(Exception):
    pass


class _Digest:
    """HMACs candidates against the sent signature, read as lower-case hex, upper-case hex or base64."""

    def __init__(self, signature: str, max_hmacs: int, max_seconds: float) -> None:
        text = signature.strip()
        self.upper = text != text.lower()
        self.hex = self.b64 = None
        try:
            raw = bytes.fromhex(text)
            self.hex = raw if len(raw) == 32 else None
        except ValueError:
            pass
        if self.hex is None:
            try:
                raw = base64.b64decode(text, validate=True)
                self.b64 = raw if len(raw) == 32 else None
            except (binascii.Error, ValueError):
                pass
        self.macs: dict[str, hmac.HMAC] = {}
        self.count, self.max_hmacs = 0, max_hmacs
        self.started = time.perf_counter()
        self.deadline = self.started + max_seconds

    def ids(self, c: _Candidate) -> tuple[str, ...] | None:
        if self.count and (self.count >= self.max_hmacs or (self.count & 255 == 0 and time.perf_counter() > self.deadline)):
            raise _Budget
        base = self.macs.get(c.secret)
        if base is None:
            base = self.macs[c.secret] = hmac.new(c.secret, digestmod="sha256")
        mac = base.copy()
        mac.update(c.preimage().encode("utf-8", "surrogateescape"))
        self.count += 1
        digest = mac.digest()
        if digest == self.hex:
            return ("hex-uppercase",) if self.upper else ()
        if digest == self.b64:
            return ("digest-base64",)
        return None


def documented_example(signature: str | None) -> str | None:
    """The marker the documentation's example signature was computed for, when `signature` is one; else None."""
    return DOCUMENTED_EXAMPLES.get((signature or "").strip().lower())


def examine_login(sent: SentLogin, credentials: Credentials | None, *, uid: str | None = None,
                  max_hmacs: int = DEFAULT_MAX_HMACS, max_seconds: float = DEFAULT_MAX_SECONDS) -> Verdict:
    """The verdict on one login's signature. Never raises on odd input; never returns a plaintext memo or secret."""
    dialects = tuple(d for d in sent.dialects if d in WS_LOGIN_MARKERS) or tuple(WS_LOGIN_MARKERS)
    expected_marker = WS_LOGIN_MARKERS[dialects[0]]
    if not (sent.signature or "").strip():
        return Verdict("unchecked", sentence="The login carries no signature (its third argument is empty).")
    copied = documented_example(sent.signature)
    if copied is not None:
        note = (" WOO X Pro's login page prints BitMart's value (computed over bitmart.WebSocket) as its example; the "
                "value for wooxpro.WebSocket is c9faeea6ee09e397102923d97841f8a19c1b37e6fc9ec61d15a9908e788ca19e."
                if copied == "bitmart.WebSocket" and "wooxpro" in dialects else "")
        return Verdict("mismatch", ("ws-documented-example",), prehash(EXAMPLE_TIMESTAMP, MEMO_MASK, copied),
                       sentence="The signature is the documentation's example (its example key, memo and timestamp "
                                f"{EXAMPLE_TIMESTAMP}, marker {copied}), copied instead of computed: sign each login with "
                                f"your own secret, memo and a fresh timestamp.{note}")
    if credentials is None or not credentials.secret:
        return Verdict("unchecked", sentence="No key material to check the login's signature with: pass --profile NAME "
                       "or set KEYPROBE_API_KEY, KEYPROBE_SECRET and KEYPROBE_MEMO.")
    if not (sent.timestamp or "").strip():
        return Verdict("unchecked", sentence="The login has a signature but no timestamp, so the signed string cannot be rebuilt.")
    api_key = credentials.api_key.reveal()
    if sent.api_key is not None and sent.api_key.strip().strip("'\"") != api_key.strip():
        return Verdict("unchecked", sentence=f"The login carries another API key ({Secret(sent.api_key).fingerprint()}) "
                       f"than the key material given ({credentials.fingerprint}): its secret cannot be checked here.")
    memo, secret = credentials.memo.reveal(), credentials.secret.reveal().encode("utf-8", "surrogateescape")
    timestamp = sent.timestamp.strip()
    expected = _Candidate((), timestamp, memo, MEMO_MASK if memo else "", expected_marker, secret)
    digest = _Digest(sent.signature, max_hmacs, max_seconds)
    found = None
    exhausted = False
    try:
        for candidate in _candidates(expected, dialects, memo, secret, api_key, uid):
            extra = digest.ids(candidate)
            if extra is not None:
                found = (candidate, candidate.ids + extra)
                break
    except _Budget:
        exhausted = True
    elapsed = (time.perf_counter() - digest.started) * 1000
    common = {"expected": expected.shown(), "hmacs": digest.count, "elapsed_ms": elapsed, "exhausted": exhausted}
    if found is None:
        if exhausted:
            sentence = (f"The login's signature does not verify; the search for a known mistake stopped at its budget "
                        f"({digest.count:,} HMACs, {elapsed:.0f} ms) without reproducing it.")
        else:
            sentence = (f"The login's signature does not verify, and none of the {digest.count:,} known mistakes tried "
                        "(and pairs of them) reproduces it: the secret or memo that code used is not the one in this key "
                        "material.")
        return Verdict("mismatch", sentence=sentence, **common)
    candidate, ids = found
    if not ids:
        other = [d for d in dialects[1:] if WS_LOGIN_MARKERS[d] != expected_marker]
        where = f" (for {dialects[0]}; {', '.join(other)} expect{'s' if len(other) == 1 else ''} another marker)" if other else ""
        return Verdict("match", signed=candidate.shown(), sentence=f"The login's signature verifies{where}: signing is "
                       "right; look at the timestamp, the key's state and the frame's shape.", **common)
    if ids == ("ws-marker-other-venue",) and candidate.marker in (WS_LOGIN_MARKERS[d] for d in dialects):
        return Verdict("match", signed=candidate.shown(), sentence=f"The login's signature verifies with {candidate.marker}, "
                       f"the marker of {next(d for d in dialects if WS_LOGIN_MARKERS[d] == candidate.marker)}.", **common)
    meanings = [MEANINGS.get(i, i) for i in ids]
    return Verdict("mismatch", ids, candidate.shown(),
                   sentence=f"Reproduced ({' + '.join(ids)}): the code signed {'; and '.join(meanings)}.", **common)


def _markers(expected: str) -> list[tuple[tuple[str, ...], str]]:
    out: list[tuple[tuple[str, ...], str]] = []
    for marker in dict.fromkeys(WS_LOGIN_MARKERS.values()):
        if marker != expected:
            out.append((("ws-marker-other-venue",), marker))
    out += [(("ws-marker-rest",), payload) for payload in REST_PAYLOADS]
    out += [(("ws-marker-case",), m) for m in dict.fromkeys((expected.lower(), expected.upper())) if m != expected]
    return out


def _candidates(expected: _Candidate, dialects: tuple[str, ...], memo: str, secret: bytes, api_key: str,
                uid: str | None) -> Iterator[_Candidate]:
    """The login as sent first, then one mistake at a time, then two from different parts; nearby timestamps last."""
    yield expected
    ts, marker, shown_memo = expected.timestamp, expected.marker, expected.memo_shown
    C = _Candidate
    markers = _markers(marker)
    seconds = v.seconds_variants(ts)
    memos = v.memo_variants(memo, uid)
    secrets = v.secret_variants(secret.decode("utf-8", "surrogateescape"), api_key)
    for ids, m in markers:
        yield C(ids, ts, memo, shown_memo, m, secret)
    for ids, t in seconds:
        yield C(ids, t, memo, shown_memo, marker, secret)
    for ids, mm, shown in memos:
        yield C(ids, ts, mm, shown, marker, secret)
    for ids, s in secrets:
        yield C(ids, ts, memo, shown_memo, marker, s)
    for (mi, m), (ti, t) in itertools.product(markers, seconds):
        yield C(mi + ti, t, memo, shown_memo, m, secret)
    for (mi, m), (ni, mm, shown) in itertools.product(markers, memos):
        yield C(mi + ni, ts, mm, shown, m, secret)
    for (mi, m), (si, s) in itertools.product(markers, secrets):
        yield C(mi + si, ts, memo, shown_memo, m, s)
    for (ti, t), (ni, mm, shown) in itertools.product(seconds, memos):
        yield C(ti + ni, t, mm, shown, marker, secret)
    for (ni, mm, shown), (si, s) in itertools.product(memos, secrets):
        yield C(ni + si, ts, mm, shown, marker, s)
    for ids, t in v.other_timestamps(ts):
        yield C(ids, t, memo, shown_memo, marker, secret)
