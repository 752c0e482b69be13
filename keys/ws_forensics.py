"""WebSocket login forensics: which known mistake reproduces the signature a login frame carried (issue 24).

A login signs `timestamp#memo#<marker>`: REST's rule with the marker where REST puts the body or query. So the
search is keys.forensics.search(), the engine REST's examine() uses, given the marker as the payload and the
marker's mistakes as the payload's alternatives: the other venue's marker, a REST payload where the marker
belongs, the marker in another case. The engine brings the rest: the memo, seconds, secret and digest mistakes,
a trailing newline, hmac's arguments swapped, pairs of mistakes from different parts, a second clock reading,
and its budget. A signature that is the documentation's printed example is named here first, without any key
material: it was copied, not computed.

What leaves keys/ is ids, counts and pre-images with the memo masked.
"""

from __future__ import annotations

from dataclasses import dataclass

from keys import variants as v
from keys.forensics import DEFAULT_MAX_HMACS, DEFAULT_MAX_SECONDS, Problem, Verdict, search
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


def documented_example(signature: str | None) -> str | None:
    """The marker the documentation's example signature was computed for, when `signature` is one; else None."""
    return DOCUMENTED_EXAMPLES.get((signature or "").strip().lower())


def marker_alternatives(expected: str) -> list[tuple[tuple[str, ...], str]]:
    """The marker's known mistakes, as the search's payload alternatives: (ids, what was signed instead)."""
    out: list[tuple[tuple[str, ...], str]] = []
    for marker in dict.fromkeys(WS_LOGIN_MARKERS.values()):
        if marker != expected:
            out.append((("ws-marker-other-venue",), marker))
    out += [(("ws-marker-rest",), payload) for payload in REST_PAYLOADS]
    out += [(("ws-marker-case",), m) for m in dict.fromkeys((expected.lower(), expected.upper())) if m != expected]
    return out


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
    problem = Problem(sent.signature, sent.timestamp.strip(), credentials.memo.reveal(), credentials.secret.reveal(), api_key,
                      expected_marker, lambda: marker_alternatives(expected_marker), uid=uid)
    return _in_words(search(problem, max_hmacs=max_hmacs, max_seconds=max_seconds), dialects, expected_marker)


def _in_words(verdict: Verdict, dialects: tuple[str, ...], expected_marker: str) -> Verdict:
    """The engine's verdict, told as a login's: the marker that verified, the mistakes by their login meaning."""
    if verdict.status == "match":
        other = [d for d in dialects[1:] if WS_LOGIN_MARKERS[d] != expected_marker]
        where = f" (for {dialects[0]}; {', '.join(other)} expect{'s' if len(other) == 1 else ''} another marker)" if other else ""
        return verdict._replace(sentence=f"The login's signature verifies{where}: signing is right; look at the timestamp, "
                                "the key's state and the frame's shape.")
    ids = verdict.variants
    if ids == ("ws-marker-other-venue",) and verdict.signed is not None:
        marker = verdict.signed.rsplit("#", 1)[-1]
        owner = next((d for d in dialects if WS_LOGIN_MARKERS[d] == marker), None)
        if owner is not None:  # a futures frame from an unknown endpoint: BitMart's or WOO X Pro's, and it is the other's
            return verdict._replace(status="match", variants=(), sentence=f"The login's signature verifies with {marker}, "
                                    f"the marker of {owner}.")
    if ids and verdict.signed is not None:
        meanings = [MEANINGS.get(i, i) for i in ids]
        return verdict._replace(sentence=f"Reproduced ({' + '.join(ids)}): the code signed {'; and '.join(meanings)}.")
    if verdict.exhausted:
        return verdict._replace(sentence=f"The login's signature does not verify; the search for a known mistake stopped at "
                                f"its budget ({verdict.hmacs:,} HMACs, {verdict.elapsed_ms:.0f} ms) without reproducing it.")
    if not ids:
        return verdict._replace(sentence=f"The login's signature does not verify, and none of the {verdict.hmacs:,} known "
                                "mistakes tried (and pairs of them) reproduces it: the secret or memo that code used is not "
                                "the one in this key material.")
    return verdict  # the digest's form alone (upper-case hex, base64, another hash): the engine's sentence says it
