"""Signature forensics: which known mistake reproduces the signature a client sent (issues 12 item 3, 23).

Given the request exactly as captured (method, path, raw query, body bytes, the timestamp, key and signature
headers) and the key material the user trusts (a profile or KEYPROBE_*), recompute what the venue expects.
When it matches, that is the answer. Otherwise try the known mistakes (keys.variants, keys.rest_variants),
alone and then two at a time from different parts of the pre-image, and name the first that reproduces the
sent signature. The digest's algorithm and encoding come from the signature itself, so a SHA-512 signature
is searched with SHA-512 and every mistake is found with it too.

`search()` is the engine, for any payload rule: REST's `examine()` gives it the body or query alternatives;
a WebSocket login (`timestamp#memo#bitmart.WebSocket`) would give it its markers. The search is bounded by an
HMAC count (deterministic: the same request gets the same verdict alone or in a batch) and, as a safety net,
a time limit; it says so when it stops.

It lives in keys/ because it needs the plaintext secret and memo; what it returns is ids, counts and
pre-images with the memo masked (the secret is never part of a pre-image).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections import namedtuple
from collections.abc import Callable, Iterable, Iterator

from keys import variants as v
from keys.keyschedule import schedule
from keys.secret import Secret
from keys.signing import MEMO_MASK, Credentials, signs_body
from keys.signing import signed_payload as payload_rule  # the one payload rule

DEFAULT_MAX_HMACS = 200_000
DEFAULT_MAX_SECONDS = 2.0  # a safety net: the HMAC count bounds the search first on any machine that is not crawling
BLOCK = 512  # nearby timestamps hashed alone between two looks at the budget

TYPE_CHECKING = False  # typing's flag without importing typing (a start-up cost: benchmarks/inspect_startup.py)
if TYPE_CHECKING:
    from typing import Any

# Named tuples from collections, not typing.NamedTuple: with string annotations typing compiles each field's one,
# and importing typing and building these cost `inspect` ~2 ms of its start-up (benchmarks/inspect_startup.py).


class SentSignature(namedtuple("SentSignature", "method path query body timestamp signature api_key urls", defaults=((),))):
    """What a captured request carried that bears on its signature. No key material of the user's.

    method; path and query as written (the query without its `?`); body (bytes); timestamp and signature (str or
    None); api_key: the key header's value as sent (or None); urls: the whole URL as the client wrote it (scheme,
    host, path, query), when known."""

    __slots__ = ()


class Verdict(namedtuple("Verdict", "status variants signed expected sentence hmacs elapsed_ms exhausted notes",
                         defaults=((), None, None, "", 0, 0.0, False, ()))):
    """status: "match" | "mismatch" | "unchecked" | "not-checked-by-venue"; variants: the ids that reproduce the
    signature; signed: the pre-image the client signed, memo masked; expected: the pre-image the venue verifies,
    memo masked; sentence; hmacs; elapsed_ms; exhausted: the budget ran out before every candidate was tried; notes."""

    __slots__ = ()

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status, "variants": list(self.variants), "signed": self.signed, "expected": self.expected,
                "sentence": self.sentence, "hmacs": self.hmacs, "elapsed_ms": round(self.elapsed_ms, 2),
                "exhausted": self.exhausted}


class Problem(namedtuple("Problem", "signature timestamp memo secret api_key payload payloads schemes uid",
                         defaults=(list, None))):
    """One signature to explain, for any payload rule: the parts the venue verifies and the rule's alternatives.

    signature, timestamp, memo, secret, api_key; payload: what the venue verifies after the second `#`; payloads:
    a function giving (ids, payload) for the rule's other readings of the request, built only on a mismatch;
    schemes: a function giving (ids, whole pre-image) of other venues' schemes; uid (or None)."""

    __slots__ = ()

    def __repr__(self) -> str:  # a crash report that prints locals shows no memo, secret or key
        return f"Problem(timestamp={self.timestamp!r}, payload={len(self.payload)} characters, memo, secret and key hidden)"


# A candidate, kept only to be shown when it is the one: (ids, timestamp, memo as shown or None for no
# memo segment, payload, suffix as shown, a whole pre-image of another scheme or None). Built only for the
# candidate that matched: a block carries its messages and a function from an index to that candidate.
_Meta = tuple
# Its message in two pieces, hashed one after the other: a head (timestamp#memo#) of its own and a tail
# (payload + suffix) shared by every candidate with that payload, so a 1 MiB body is never copied per candidate.
_Message = tuple[bytes, bytes]
_Block = tuple[bytes, list[_Message], Callable[[int], _Meta]]


class _Budget(Exception):
    pass


def _shown(meta: _Meta) -> str:
    ids, ts, memo_shown, payload, suffix, raw = meta
    if raw is not None:
        return raw
    return (f"{ts}#{payload}" if memo_shown is None else f"{ts}#{memo_shown}#{payload}") + suffix


class _Search:
    """Hashes blocks of candidates against one digest; counts them and watches the budget between blocks."""

    def __init__(self, target: bytes, algorithm: str, max_hmacs: int, max_seconds: float) -> None:
        self.target, self.algorithm = target, algorithm
        self.count = 0
        self.max_hmacs = max_hmacs
        self.started = time.perf_counter()
        self.deadline = self.started + max_seconds

    def block(self, key: bytes, messages: list[_Message], meta_of: Callable[[int], _Meta]) -> _Meta | None:
        """The request as sent (the first block, count 0) is always hashed; the budget bounds the rest."""
        if self.count and (self.count >= self.max_hmacs or time.perf_counter() > self.deadline):
            raise _Budget
        if self.count and len(messages) > self.max_hmacs - self.count:
            messages = messages[:self.max_hmacs - self.count]
        inner, outer = schedule(key, self.algorithm)
        icopy, ocopy, target = inner.copy, outer.copy, self.target
        for index, (head, tail) in enumerate(messages):  # the hot loop: HMAC = H(outer || H(inner || message))
            h = icopy()
            h.update(head)
            h.update(tail)
            o = ocopy()
            o.update(h.digest())
            if o.digest() == target:
                self.count += index + 1
                return meta_of(index)
        self.count += len(messages)
        return None

    def one(self, digest: bytes, meta: _Meta) -> _Meta | None:
        self.count += 1
        return meta if digest == self.target else None


def _encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


class _Parts:
    """The groups of one search, each built once: payloads (P), seconds (T), memos (M), secrets (S), suffixes (X).
    Each entry carries what its message needs (bytes) and what its meta shows (text)."""

    def __init__(self, p: Problem) -> None:
        self.p = p
        self.key = _encode(p.secret)
        self.shown = MEMO_MASK if p.memo else ""
        self.pay = _encode(p.payload)

    def build(self) -> None:
        """The groups: only a signature that does not match needs them."""
        p = self.p
        # P: (ids, payload text, payload bytes); T: (ids, timestamp); M: (ids, memo or None, shown or None)
        self.P = [(ids, text, _encode(text)) for ids, text in p.payloads() if text != p.payload]
        self.T = v.seconds_variants(p.timestamp)
        self.M = [(ids, m, shown if m is not None else None) for ids, m, shown in v.memo_variants(p.memo, p.uid, p.api_key)]
        self.S = v.secret_variants(p.secret, p.api_key)
        self.X = [(ids, _encode(text), shown) for ids, text, shown in v.SUFFIXES]
        self.L = v.layout_variants(p.timestamp, p.memo)
        if not p.payload:
            dropped, shown = v.empty_part_dropped(p.timestamp, p.memo)
            self.L.append((("preimage-empty-part-dropped",), dropped, "", shown, ""))

    def head(self, ts: str, memo: str | None) -> bytes:
        return _encode(f"{ts}#" if memo is None else f"{ts}#{memo}#")


def _blocks(parts: _Parts) -> Iterator[_Block]:
    """The request as sent first, then one mistake at a time, then two from different parts of the pre-image,
    cheapest groups first; the ~3,000 nearby timestamps come last, built only when the search gets there."""
    p, key, head, pay = parts.p, parts.key, parts.head, parts.pay
    ts, memo, shown, text0 = p.timestamp, p.memo, parts.shown, p.payload
    h0 = head(ts, memo)
    yield key, [(h0, pay)], lambda i: ((), ts, shown, text0, "", None)
    P, T, M, S, X = parts.P, parts.T, parts.M, parts.S, parts.X  # built by now (parts.build)
    # one mistake
    yield key, [(h0, pb) for _, _, pb in P], lambda i: (P[i][0], ts, shown, P[i][1], "", None)
    yield key, [(head(t, memo), pay) for _, t in T], lambda i: (T[i][0], T[i][1], shown, text0, "", None)
    yield key, [(head(ts, m), pay) for _, m, _ in M], lambda i: (M[i][0], ts, M[i][2], text0, "", None)
    for si, secret in S:
        yield secret, [(h0, pay)], lambda i, si=si: (si, ts, shown, text0, "", None)
    yield key, [(h0, pay + x) for _, x, _ in X], lambda i: (X[i][0], ts, shown, text0, X[i][2], None)
    schemes = p.schemes()
    yield key, [(_encode(raw), b"") for _, raw in schemes], lambda i: (schemes[i][0], ts, None, "", "", schemes[i][1])
    L = parts.L  # the string laid out otherwise: another separator or order, echo's "-n "
    yield key, [(_encode(pre), pay + _encode(suf) if suf else pay) for _, pre, suf, _, _ in L], \
        lambda i: (L[i][0], ts, None, "", "", L[i][3] + text0 + L[i][4])
    # two mistakes, one from each of two parts: rows x columns, a block per row
    for pi, text, pb in P:
        yield key, [(head(t, memo), pb) for _, t in T], lambda i, pi=pi, text=text: (pi + T[i][0], T[i][1], shown, text, "", None)
    for pi, text, pb in P:
        yield key, [(head(ts, m), pb) for _, m, _ in M], lambda i, pi=pi, text=text: (pi + M[i][0], ts, M[i][2], text, "", None)
    for pi, text, pb in P:
        yield key, [(h0, pb + x) for _, x, _ in X], lambda i, pi=pi, text=text: (pi + X[i][0], ts, shown, text, X[i][2], None)
    for si, secret in S:
        yield secret, [(h0, pb) for _, _, pb in P], lambda i, si=si: (P[i][0] + si, ts, shown, P[i][1], "", None)
    for ti, t in T:
        yield key, [(head(t, m), pay) for _, m, _ in M], lambda i, ti=ti, t=t: (ti + M[i][0], t, M[i][2], text0, "", None)
        yield key, [(head(t, memo), pay + x) for _, x, _ in X], lambda i, ti=ti, t=t: (ti + X[i][0], t, shown, text0, X[i][2], None)
    for mi, m, ms in M:
        yield key, [(head(ts, m), pay + x) for _, x, _ in X], lambda i, mi=mi, ms=ms: (mi + X[i][0], ts, ms, text0, X[i][2], None)
    for si, secret in S:
        yield secret, [(head(t, memo), pay) for _, t in T], lambda i, si=si: (T[i][0] + si, T[i][1], shown, text0, "", None)
        yield secret, [(head(ts, m), pay) for _, m, _ in M], lambda i, si=si: (M[i][0] + si, ts, M[i][2], text0, "", None)
        yield secret, [(h0, pay + x) for _, x, _ in X], lambda i, si=si: (X[i][0] + si, ts, shown, text0, X[i][2], None)
    # a second clock reading: nearest first, alone, then with a suffix, a payload or a memo mistake
    others = [t for _, t in v.other_timestamps(ts)]
    other = ("timestamp-other",)
    heads = [_encode(f"{t}#{memo}#") for t in others]
    for start in range(0, len(others), BLOCK):
        yield key, [(h, pay) for h in heads[start:start + BLOCK]], lambda i, s=start: (other, others[s + i], shown, text0, "", None)
    # the float the code kept: time.time() * 1000 formatted whole in the string, its int() in the header
    floats = list(v.float_timestamps(ts))
    yield key, [(head(t, memo), pay) for t in floats], lambda i: (("timestamp-float",), floats[i], shown, text0, "", None)
    for xi, x, xs in X:  # a shell script reads `date` twice and echoes the string with its newline
        tail = pay + x  # once: a copy of the payload per timestamp was 3,000 copies of a 1 MiB body (2.9 GB)
        yield key, [(h, tail) for h in heads], lambda i, xi=xi, xs=xs: (other + xi, others[i], shown, text0, xs, None)
    rare = v.NOT_WITH_OTHER_TIMESTAMPS
    for pi, text, pb in P:
        if rare.isdisjoint(pi):
            yield key, [(h, pb) for h in heads], lambda i, pi=pi, text=text: (other + pi, others[i], shown, text, "", None)
    for mi, m, ms in M:
        if not rare.isdisjoint(mi):
            continue
        middle = "#" if m is None else f"#{m}#"
        yield key, [(_encode(t + middle), pay) for t in others], lambda i, mi=mi, ms=ms: (other + mi, others[i], ms, text0, "", None)


def _constructions(parts: _Parts, algorithm: str) -> Iterator[tuple[bytes, _Meta]]:
    """Other ways to turn the right string into a digest: hmac's arguments swapped, a plain hash."""
    p = parts.p
    preimage = parts.head(p.timestamp, p.memo) + parts.pay
    yield hmac.digest(preimage, parts.key, algorithm), (("hmac-key-message-swapped",), p.timestamp, parts.shown, p.payload, "", None)
    plain = (("hash-not-hmac",), p.timestamp, parts.shown, p.payload, "", None)
    for message in (preimage, parts.key + preimage, preimage + parts.key):
        yield hashlib.new(algorithm, message).digest(), plain
    if algorithm == "sha256":  # SHA3-256 is as long: the length cannot tell them apart
        yield hmac.digest(parts.key, preimage, "sha3_256"), (("digest-sha3-256",), p.timestamp, parts.shown, p.payload, "", None)


def search(problem: Problem, *, max_hmacs: int = DEFAULT_MAX_HMACS, max_seconds: float = DEFAULT_MAX_SECONDS) -> Verdict:
    """The verdict on one signature: match, a reproduced mistake, or the honest conclusion. Never raises on odd input."""
    read = v.read_signature(problem.signature)
    parts = _Parts(problem)
    expected = _shown(((), problem.timestamp, parts.shown, problem.payload, "", None))
    if read is None:
        text = problem.signature.strip()
        return Verdict("mismatch", expected=expected, sentence=(
            f"The signature is not a digest in hex or base64 of any HMAC's length ({len(text)} characters): the venue "
            "wants 64 lower-case hex digits of HMAC-SHA256; no secret or memo can produce it, so look at how the code "
            "writes the digest out first (signature-format)."))
    target, algorithm, form_ids = read
    run = _Search(target, algorithm, max_hmacs, max_seconds)
    blocks = _blocks(parts)
    found: _Meta | None = None
    exhausted = False
    try:
        found = run.block(*next(blocks))  # the request as sent
        if found is None:
            parts.build()
            found = next((m for d, m in _constructions(parts, algorithm) if run.one(d, m) is not None), None)
        for block in blocks if found is None else ():
            if block[1] and (found := run.block(*block)) is not None:
                break
    except _Budget:
        exhausted = True
    elapsed = (time.perf_counter() - run.started) * 1000
    common = {"expected": expected, "hmacs": run.count, "elapsed_ms": elapsed, "exhausted": exhausted}
    if found is None:
        return Verdict("mismatch", form_ids, sentence=_unexplained(run.count, elapsed, exhausted, form_ids), **common)
    ids = found[0] + form_ids
    if not ids:
        return Verdict("match", signed=_shown(found), sentence="The signature matches the request as sent: signing is "
                       "right; look at the clock, the key's state and its permissions.", **common)
    return Verdict("mismatch", ids, _shown(found), sentence=_sentence(ids), **common)


_FORM_PHRASES = {
    "hex-uppercase": "written in upper-case hex (the venue compares lower-case hex)",
    "digest-base64": "written in base64 (the venue compares lower-case hex)",
    "digest-hex-base64": "its hex digits base64-encoded (the venue compares the hex digits themselves)",
    "signature-openssl-label": "openssl dgst's whole line, its \"SHA2-256(stdin)= \" label before the hex digits",
    **{vid: f"an HMAC-{name.upper()}, {2 * size} hex digits long (the venue checks HMAC-SHA256, 64)"
       for size, (name, vid) in v.DIGESTS.items() if vid},
}


def _unexplained(count: int, elapsed: float, exhausted: bool, form_ids: tuple[str, ...]) -> str:
    if form_ids:  # the signature's form alone is a mistake: name it, and do not blame the key material for the rest
        return (f"The signature is {' and '.join(_FORM_PHRASES[i] for i in form_ids)} ({' + '.join(form_ids)}): fix that "
                f"first. No other known mistake reproduces it ({count:,} tried with that digest), so the signed string "
                "itself cannot be compared yet.")
    if exhausted:
        return (f"The signature does not match the request as sent; the search for a known mistake stopped at its budget "
                f"({count:,} HMACs, {elapsed:.0f} ms) without reproducing it, so nothing more can be said.")
    return (f"The signature does not match the request as sent, and none of the {count:,} known mistakes tried (and "
            "pairs of them) reproduces it: the secret or memo that code used is not the one in this key material (or "
            "the request was changed after it was signed).")


def _sentence(ids: tuple[str, ...]) -> str:
    meanings = [v.MEANINGS.get(i, i) for i in ids]
    return f"Reproduced ({' + '.join(ids)}): the code signed {'; and '.join(meanings)}."


def examine(sent: SentSignature, credentials: Credentials | None, *, uid: str | None = None,
            max_hmacs: int = DEFAULT_MAX_HMACS, max_seconds: float = DEFAULT_MAX_SECONDS) -> Verdict:
    """The verdict on one REST request's signature. Never raises on odd input; never returns a plaintext memo or secret."""
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
    method = sent.method.upper()
    body = sent.body.decode("utf-8", "surrogateescape")
    payload = payload_rule(method, sent.query, sent.body)
    problem = Problem(sent.signature, sent.timestamp, credentials.memo.reveal(), credentials.secret.reveal(), api_key,
                      payload, lambda: _rest().payload_variants(method, sent.path, sent.query, body, signs_body(method), sent.urls),
                      lambda: _rest().woox_preimages(sent.timestamp, method, sent.path, sent.query, body), uid)
    verdict = search(problem, max_hmacs=max_hmacs, max_seconds=max_seconds)
    if verdict.status == "mismatch" and len(body) > _rest().MAX_BODY_FOR_VARIANTS:
        verdict = verdict._replace(notes=(f"The body is {len(body):,} bytes: only the other parts were varied, not its "
                                          "serialisation.",))
    return verdict


def _rest():  # noqa: ANN202 - the module; imported here: a matching signature needs no alternatives
    from keys import rest_variants

    return rest_variants


def pick_credentials(candidates: Iterable[Credentials], api_key: str | None) -> Credentials | None:
    """The candidate whose key is the one the request carries (whitespace and quotes aside), else the first."""
    pool = [c for c in candidates if c is not None]
    if api_key is not None:
        wanted = api_key.strip().strip("'\"")
        for c in pool:
            key = c.api_key.reveal().strip().encode("utf-8", "surrogateescape")
            if hmac.compare_digest(key, wanted.encode("utf-8", "surrogateescape")):
                return c
    return pool[0] if pool else None


def secret_sent_as_key(api_key: str | None, candidates: Iterable[Credentials]) -> bool:
    """The key header carries a candidate's secret (the two swapped, or the secret pasted in both places)."""
    if not api_key or len(api_key.strip()) < 16:
        return False
    sent = api_key.strip().strip("'\"").encode("utf-8", "surrogateescape")
    return any(hmac.compare_digest(sent, c.secret.reveal().strip().encode("utf-8", "surrogateescape"))
               for c in candidates if c is not None)
