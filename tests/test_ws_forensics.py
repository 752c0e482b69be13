"""keys.ws_forensics: each known login mistake, made by a signer written in the test, is named; the documentation's
example is recognised without key material; the search is bounded and never shows the memo or the secret."""

from __future__ import annotations

import base64

import pytest

from keys.demo import EXAMPLE_KEY, EXAMPLE_MEMO, EXAMPLE_SECRET
from keys.signing import Credentials
from keys.ws_forensics import SentLogin, examine_login
from ws_support import hand_sign, now_ms

CREDS = Credentials.of(EXAMPLE_KEY, EXAMPLE_SECRET, EXAMPLE_MEMO)
V1 = "3ceeb7e1b8cb165a975e28a2e2dfaca4d30b358873c0351c1a071d8c83314556"


def sent(dialects, ts, sign, key=EXAMPLE_KEY) -> SentLogin:  # noqa: ANN001
    return SentLogin(tuple(dialects), key, ts, sign)


@pytest.mark.parametrize("dialects, preimage, ids", [
    (["bitmart-spot"], "{ts}#test001#wooxpro.WebSocket", ("ws-marker-other-venue",)),
    (["wooxpro"], "{ts}#test001#bitmart.WebSocket", ("ws-marker-other-venue",)),
    (["bitmart-futures"], "{ts}#test001#", ("ws-marker-rest",)),
    (["bitmart-futures"], "{ts}#test001#{{}}", ("ws-marker-rest",)),
    (["bitmart-spot"], "{ts}#test001#bitmart.websocket", ("ws-marker-case",)),
    (["bitmart-spot"], "{ts}##bitmart.WebSocket", ("memo-empty",)),
    (["bitmart-spot"], "{ts}#test001 #bitmart.WebSocket", ("memo-whitespace",)),
    (["bitmart-spot"], "{ts}#TEST001#bitmart.WebSocket", ("memo-case",)),
    (["bitmart-spot"], "{ts}#bitmart.WebSocket", ("memo-missing",)),
    (["bitmart-spot"], "{ts}#4471823#bitmart.WebSocket", ("memo-uid",)),
    (["bitmart-spot"], "{sec}#test001#bitmart.WebSocket", ("timestamp-seconds",)),
    (["bitmart-spot"], "{sec}#test001#wooxpro.WebSocket", ("ws-marker-other-venue", "timestamp-seconds")),  # pairs too
    (["bitmart-spot"], "{ts}##wooxpro.WebSocket", ("ws-marker-other-venue", "memo-empty")),
])
def test_a_mistake_is_named(dialects, preimage, ids):
    ts = str(now_ms())
    signed = preimage.format(ts=ts, sec=ts[:10])
    verdict = examine_login(sent(dialects, ts, hand_sign(signed)), CREDS, uid="4471823")
    assert verdict.status == "mismatch" and set(verdict.variants) == set(ids), verdict
    assert EXAMPLE_MEMO not in verdict.signed + verdict.expected + verdict.sentence
    assert EXAMPLE_SECRET[:8] not in repr(verdict)


def test_a_right_login_matches_and_the_frame_shape_picks_the_marker():
    ts = str(now_ms())
    right = hand_sign(f"{ts}#test001#bitmart.WebSocket")
    assert examine_login(sent(["bitmart-spot"], ts, right), CREDS).status == "match"
    # A futures frame from an unknown endpoint: BitMart's or WOO X Pro's; either marker is a match for one of them.
    woo = hand_sign(f"{ts}#test001#wooxpro.WebSocket")
    verdict = examine_login(sent(["bitmart-futures", "wooxpro"], ts, woo), CREDS)
    assert verdict.status == "match" and "wooxpro" in verdict.sentence


@pytest.mark.parametrize("transform, variant", [
    (str.upper, "hex-uppercase"),
    (lambda h: base64.b64encode(bytes.fromhex(h)).decode(), "digest-base64"),
])
def test_the_digest_encoding_is_named(transform, variant):
    ts = str(now_ms())
    verdict = examine_login(sent(["bitmart-spot"], ts, transform(hand_sign(f"{ts}#test001#bitmart.WebSocket"))), CREDS)
    assert verdict.variants == (variant,)


def test_the_secret_variants_come_from_keys_variants():
    ts = str(now_ms())
    verdict = examine_login(sent(["bitmart-spot"], ts, hand_sign(f"{ts}#test001#bitmart.WebSocket", EXAMPLE_SECRET + "\n")), CREDS)
    assert verdict.variants == ("secret-whitespace",)


def test_the_documented_example_is_named_without_key_material():
    verdict = examine_login(sent(["wooxpro"], "1589267764859", V1), None)
    assert verdict.variants == ("ws-documented-example",)
    assert "c9faeea6ee09e397102923d97841f8a19c1b37e6fc9ec61d15a9908e788ca19e" in verdict.sentence  # the value WOO X Pro's page should print
    assert examine_login(sent(["bitmart-spot"], str(now_ms()), V1.upper()), CREDS).variants == ("ws-documented-example",)


def test_unchecked_cases_say_why():
    assert "no signature" in examine_login(sent(["bitmart-spot"], "1", ""), CREDS).sentence
    assert "No key material" in examine_login(sent(["bitmart-spot"], "1", "ab" * 32), None).sentence
    assert "no timestamp" in examine_login(sent(["bitmart-spot"], None, "ab" * 32), CREDS).sentence
    other = examine_login(sent(["bitmart-spot"], "1", "ab" * 32, key="cd" * 20), CREDS)
    assert other.status == "unchecked" and "another API key" in other.sentence


def test_an_unexplained_signature_is_a_mismatch_within_the_budget():
    verdict = examine_login(sent(["bitmart-spot"], str(now_ms()), "ab" * 32), CREDS, max_hmacs=500)
    assert verdict.status == "mismatch" and verdict.variants == () and verdict.exhausted and verdict.hmacs == 500
    full = examine_login(sent(["bitmart-spot"], str(now_ms()), "ab" * 32), CREDS)
    assert not full.exhausted and "none of the" in full.sentence


def test_the_engine_is_rests_search_so_its_other_mistakes_come_with_it():
    """keys.forensics.search() with the markers as payload alternatives: what REST's engine names, a login gets too
    (a trailing newline, another digest, hmac's arguments swapped), with no search of the login's own."""
    import hashlib
    import hmac

    ts = str(now_ms())
    newline = hand_sign(f"{ts}#test001#bitmart.WebSocket\n")
    assert examine_login(sent(["bitmart-spot"], ts, newline), CREDS).variants == ("preimage-trailing-newline",)
    sha512 = hmac.new(EXAMPLE_SECRET.encode(), f"{ts}#test001#wooxpro.WebSocket".encode(), hashlib.sha512).hexdigest()
    verdict = examine_login(sent(["bitmart-spot"], ts, sha512), CREDS)
    assert verdict.variants == ("ws-marker-other-venue", "digest-sha512")
    assert verdict.signed == f"{ts}#****#wooxpro.WebSocket" and "the other venue's marker" in verdict.sentence
    swapped = hmac.new(f"{ts}#test001#bitmart.WebSocket".encode(), EXAMPLE_SECRET.encode(), hashlib.sha256).hexdigest()
    assert examine_login(sent(["bitmart-spot"], ts, swapped), CREDS).variants == ("hmac-key-message-swapped",)
