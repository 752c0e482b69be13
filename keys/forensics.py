"""Signature forensics: which known mistake reproduces the signature a client sent (issue 12 item 3).

Given the request exactly as captured (method, path, raw query, body bytes, the timestamp, key and
signature headers) and the key material the user trusts (a profile or KEYPROBE_*), recompute what the
venue expects. When it matches, that is the answer. Otherwise try the known mistakes of keys.variants,
alone and then two at a time from different parts of the pre-image, and name the first that reproduces
the sent signature. The search is bounded by an HMAC count and a time limit, and says so when it stops.

It lives in keys/ because it needs the plaintext secret and memo; what it returns is ids, counts and
pre-images with the memo masked (the secret is never part of a pre-image).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import itertools
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from keys import variants as v
from keys.secret import Secret
from keys.signing import MEMO_MASK, Credentials, prehash, signs_body
from keys.signing import signed_payload as payload_rule  # the one payload rule

DEFAULT_MAX_HMACS = 60_000
DEFAULT_MAX_SECONDS = 1.0


@dataclass(frozen=True)
class SentSignature:
    """What a captured request carried that bears on its signature. No key material of the user's."""

    method: str
    path: str  # as written, without the query
    query: str  # as written, without the `?`
    body: bytes
    timestamp: str | None
    signature: str | None
    api_key: str | None  # the key header's value as sent


@dataclass(frozen=True)
class Verdict:
    status: str  # "match" | "mismatch" | "unchecked"
    variants: tuple[str, ...] = ()
    signed: str | None = None  # the pre-image the client signed, memo masked
    expected: str | None = None  # the pre-image the venue verifies, memo masked
    sentence: str = ""
    hmacs: int = 0
    elapsed_ms: float = 0.0
    exhausted: bool = False  # the budget ran out before every candidate was tried
    notes: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status, "variants": list(self.variants), "signed": self.signed, "expected": self.expected,
                "sentence": self.sentence, "hmacs": self.hmacs, "elapsed_ms": round(self.elapsed_ms, 2),
                "exhausted": self.exhausted}


class _Candidate(NamedTuple):  # a NamedTuple: the search makes tens of thousands; a frozen dataclass costs ~3x
    ids: tuple[str, ...]
    timestamp: str
    memo: str | None  # None: no memo segment at all (memo-missing)
    memo_shown: str
    payload: str
    secret: str
    raw: str | None = None  # a whole pre-image of another scheme (woox-scheme)

    def preimage(self) -> str:
        if self.raw is not None:
            return self.raw
        if self.memo is None:
            return f"{self.timestamp}#{self.payload}"
        return prehash(self.timestamp, self.memo, self.payload)

    def shown(self) -> str:
        if self.raw is not None:
            return self.raw
        if self.memo is None:
            return f"{self.timestamp}#{self.payload}"
        return f"{self.timestamp}#{self.memo_shown}#{self.payload}"


class _Budget(Exception):
    pass


class _Matcher:
    """HMACs candidates against the sent signature, in lowercase hex, uppercase hex or base64."""

    def __init__(self, signature: str, max_hmacs: int, max_seconds: float) -> None:
        text = signature.strip()
        self.hex_bytes = self.b64_bytes = None
        self.upper = text != text.lower()
        try:
            raw = bytes.fromhex(text)
            self.hex_bytes = raw if len(raw) == 32 else None
        except ValueError:
            pass
        try:
            raw = base64.b64decode(text, validate=True)
            self.b64_bytes = raw if len(raw) == 32 and self.hex_bytes is None else None
        except (binascii.Error, ValueError):
            pass
        self.keys: dict[str, Any] = {}
        self.count = 0
        self.max_hmacs = max_hmacs
        self.deadline = time.perf_counter() + max_seconds
        self.started = time.perf_counter()

    def digest_ids(self, candidate: _Candidate) -> tuple[str, ...] | None:
        # The request as sent is always checked (count 0); the budget applies to the search after it.
        if self.count and (self.count >= self.max_hmacs or (self.count & 255 == 0 and time.perf_counter() > self.deadline)):
            raise _Budget
        base = self.keys.get(candidate.secret)
        if base is None:
            base = self.keys[candidate.secret] = hmac.new(candidate.secret.encode("utf-8", "surrogateescape"), digestmod="sha256")
        mac = base.copy()
        mac.update(candidate.preimage().encode("utf-8", "surrogateescape"))
        self.count += 1
        digest = mac.digest()
        if digest == self.hex_bytes:
            return ("hex-uppercase",) if self.upper else ()
        if digest == self.b64_bytes:
            return ("digest-base64",)
        return None


def examine(sent: SentSignature, credentials: Credentials | None, *, uid: str | None = None,
            max_hmacs: int = DEFAULT_MAX_HMACS, max_seconds: float = DEFAULT_MAX_SECONDS) -> Verdict:
    """The verdict on one request's signature. Never raises on odd input; never returns a plaintext memo or secret."""
    if sent.signature is None or not sent.signature.strip():
        return Verdict("unchecked", sentence="The request carries no signature header, so there is no signature to check.")
    if credentials is None or not credentials.secret:
        return Verdict("unchecked", sentence="No key material to check the signature with: pass --profile NAME or set "
                       "KEYPROBE_API_KEY, KEYPROBE_SECRET and KEYPROBE_MEMO.")
    if sent.timestamp is None:
        return Verdict("unchecked", sentence="The request has a signature but no timestamp header, so the signed "
                       "string cannot be rebuilt.")
    api_key = credentials.api_key.reveal()
    if sent.api_key is not None and sent.api_key.strip().strip("'\"") != api_key.strip():
        return Verdict("unchecked", sentence=f"The request carries another API key ({Secret(sent.api_key).fingerprint()}) "
                       f"than the key material given ({credentials.fingerprint}): its secret cannot be checked here.")
    memo, secret = credentials.memo.reveal(), credentials.secret.reveal()
    body = sent.body.decode("utf-8", "surrogateescape")
    method = sent.method.upper()
    payload = payload_rule(method, sent.query, sent.body)
    shown_memo = MEMO_MASK if memo else ""
    expected = _Candidate((), sent.timestamp, memo, shown_memo, payload, secret)
    matcher = _Matcher(sent.signature, max_hmacs, max_seconds)
    found: tuple[_Candidate, tuple[str, ...]] | None = None
    exhausted = False
    try:
        for candidate in _candidates(expected, method, sent.path, sent.query, body, memo, secret, api_key, uid):
            extra = matcher.digest_ids(candidate)
            if extra is not None:
                found = (candidate, candidate.ids + extra)
                break
    except _Budget:
        exhausted = True
    elapsed = (time.perf_counter() - matcher.started) * 1000
    common = {"expected": expected.shown(), "hmacs": matcher.count, "elapsed_ms": elapsed, "exhausted": exhausted}
    if found is None:
        if exhausted:
            sentence = (f"The signature does not match the request as sent; the search for a known mistake stopped at its "
                        f"budget ({matcher.count:,} HMACs, {elapsed:.0f} ms) without reproducing it, so nothing more can "
                        "be said (run `keyprobe inspect` on this request alone for the full search).")
        else:
            sentence = (f"The signature does not match the request as sent, and none of the {matcher.count:,} known "
                        "mistakes tried (and pairs of them) reproduces it: the secret or memo that code used is not the "
                        "one in this key material (or the request was changed after it was signed).")
        return Verdict("mismatch", sentence=sentence, **common)
    candidate, ids = found
    if not ids:
        return Verdict("match", signed=candidate.shown(), sentence="The signature matches the request as sent: signing "
                       "is right; look at the clock, the key's state and its permissions.", **common)
    return Verdict("mismatch", ids, candidate.shown(), sentence=_sentence(ids), **common)


def _sentence(ids: tuple[str, ...]) -> str:
    meanings = [v.MEANINGS.get(i, i) for i in ids]
    return f"Reproduced ({' + '.join(ids)}): the code signed {'; and '.join(meanings)}."


def _candidates(expected: _Candidate, method: str, path: str, query: str, body: str, memo: str, secret: str,
                api_key: str, uid: str | None) -> Iterator[_Candidate]:
    """The request as sent first, then one mistake at a time, then two from different parts of the pre-image.
    The ~3,000 nearby timestamps come last and are built only when the search gets that far."""
    yield expected
    ts, pay, shown_memo = expected.timestamp, expected.payload, expected.memo_shown
    C = _Candidate
    payloads = [(ids, p) for ids, p in v.payload_variants(method, path, query, body, signs_body(method)) if p != pay]
    seconds = v.seconds_variants(ts)
    memos = v.memo_variants(memo, uid)
    secrets = v.secret_variants(secret, api_key)
    for ids, p in payloads:
        yield C(ids, ts, memo, shown_memo, p, secret)
    for ids, t in seconds:
        yield C(ids, t, memo, shown_memo, pay, secret)
    for ids, m, shown in memos:
        yield C(ids, ts, m, shown, pay, secret)
    for ids, s in secrets:
        yield C(ids, ts, memo, shown_memo, pay, s)
    for raw in v.woox_preimages(ts, method, path, query, body):
        yield C(("woox-scheme",), ts, None, "", "", secret, raw)
    # pairs: one change from each of two parts, cheapest groups first
    for (pi, p), (ti, t) in itertools.product(payloads, seconds):
        yield C(pi + ti, t, memo, shown_memo, p, secret)
    for (pi, p), (mi, m, shown) in itertools.product(payloads, memos):
        yield C(pi + mi, ts, m, shown, p, secret)
    for (pi, p), (si, s) in itertools.product(payloads, secrets):
        yield C(pi + si, ts, memo, shown_memo, p, s)
    for (ti, t), (mi, m, shown) in itertools.product(seconds, memos):
        yield C(ti + mi, t, m, shown, pay, secret)
    for (ti, t), (si, s) in itertools.product(seconds, secrets):
        yield C(ti + si, t, memo, shown_memo, pay, s)
    for (mi, m, shown), (si, s) in itertools.product(memos, secrets):
        yield C(mi + si, ts, m, shown, pay, s)
    others = list(v.other_timestamps(ts))
    for ids, t in others:
        yield C(ids, t, memo, shown_memo, pay, secret)
    for (ti, t), (pi, p) in itertools.product(others, payloads):
        yield C(pi + ti, t, memo, shown_memo, p, secret)
    for (ti, t), (mi, m, shown) in itertools.product(others, memos):
        yield C(ti + mi, t, m, shown, pay, secret)


def pick_credentials(candidates: Iterable[Credentials], api_key: str | None) -> Credentials | None:
    """The candidate whose key is the one the request carries (whitespace and quotes aside), else the first."""
    pool = [c for c in candidates if c is not None]
    if api_key is not None:
        wanted = api_key.strip().strip("'\"")
        for c in pool:
            if hmac.compare_digest(c.api_key.reveal().strip().encode("utf-8", "surrogateescape"), wanted.encode("utf-8", "surrogateescape")):
                return c
    return pool[0] if pool else None
