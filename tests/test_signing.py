"""Signing: the ten vectors of protocol.md 1.4, and signed bytes == sent bytes through httpx."""

import hashlib
import hmac
import json

import httpx
import pytest

from keys.signing import (
    BITMART_HEADERS,
    WOOXPRO_HEADERS,
    AuthLevel,
    Credentials,
    FixedClock,
    SigningRefused,
    prehash,
    sign,
    signed_payload,
    signs_body,
    verify,
)
from keys.venue_signer import VenueSigner
from keys.secret import Secret

KEY = "80618e45710812162b04892c7ee5ead4a3cc3e56"
SECRET = "6c6c98544461bbe71db2bca4c6d7fd0021e0ba9efc215f9c6ad41852df9d9df9"
MEMO = "test001"
TS = "1589267764859"
ORDER = '{"symbol":"BTCUSDT","side":1,"type":"limit","leverage":"10","open_type":"isolated","size":1,"price":"20000"}'
ORDER_SPACED = json.dumps(json.loads(ORDER))

VECTORS = [
    ("V1 ws login", TS, MEMO, "bitmart.WebSocket", "3ceeb7e1b8cb165a975e28a2e2dfaca4d30b358873c0351c1a071d8c83314556"),
    # The WOO X Pro doc prints V1's value here; this is the correct one (protocol.md section 4).
    ("V2 wooxpro ws", TS, MEMO, "wooxpro.WebSocket", "c9faeea6ee09e397102923d97841f8a19c1b37e6fc9ec61d15a9908e788ca19e"),
    ("V3 empty payload", TS, MEMO, "", "57003b60d4cc61e573fee33fbe11a4fe7682922de9b4cb61c134661d48e9ac86"),
    ("V4 GET query", TS, MEMO, "contract_id=1&category=1", "6d5e774446448073f68e99c28ace86503451bed1fd44e43f80b9b518937c4ef1"),
    ("V5 doc POST", TS, MEMO, '{"symbol":"BMX","side":"BUY"}', "2c17fd0533b5f09daf19c2b687e2ed8d13379d424fb5a7858c03bbfa845e4711"),
    ("V6 compact", TS, MEMO, ORDER, "de6297906d12c01a9985826ca128bbb9225977cc0fb61755ce1c0f8eed70dccc"),
    ("V7 spaced", TS, MEMO, ORDER_SPACED, "9a1ff0fee5f30b3e93e949d431a61f53cba6cf36c2879d3e1c77552e5b278b0e"),
    ("V8 empty memo", TS, "", "{}", "5bfd15d366d4c5d47d44fa29d51b779c3b26b37ace1698363ab6c08ca9dfba7e"),
    ("V9 seconds", "1589267764", MEMO, "{}", "60641abd9f5e559325982131547b41bad9692221f1906c6cc979ef635189be3c"),
    ("V10 ms {}", TS, MEMO, "{}", "7d50d0b1f07224bf3660035ee6cca1301bc447e4a293f5bb6659c7cd166d63a5"),
]


@pytest.mark.parametrize("name,ts,memo,payload,expected", VECTORS, ids=[v[0] for v in VECTORS])
def test_vectors(name, ts, memo, payload, expected):
    assert sign(SECRET, ts, memo, payload) == expected
    # the official SDK's rule, written out: hmac(secret, f"{ts}#{memo}#{body}").hexdigest()
    sdk = hmac.new(bytes(SECRET, encoding="utf8"), bytes(f"{ts}#{memo}#{payload}", encoding="utf-8"), digestmod="sha256").hexdigest()
    assert sdk == expected


def test_wooxpro_doc_value_is_not_the_wooxpro_signature():
    doc_claims = "3ceeb7e1b8cb165a975e28a2e2dfaca4d30b358873c0351c1a071d8c83314556"
    assert sign(SECRET, TS, MEMO, "wooxpro.WebSocket") != doc_claims


def test_prehash_shape():
    assert prehash(TS, "", "") == f"{TS}##"
    assert prehash(TS, MEMO, "a=1") == f"{TS}#{MEMO}#a=1"


def test_verify_round_trip():
    s, m = Secret(SECRET), Secret(MEMO)
    sig = sign(SECRET, TS, MEMO, "{}")
    assert verify(s, m, TS, "{}", sig)
    assert not verify(s, m, TS, "{ }", sig)
    assert not verify(s, m, TS, "{}", sig.upper())


@pytest.mark.parametrize("method", ["POST", "put", "Post"])
def test_the_payload_rule_signs_a_post_or_put_over_its_body(method):
    assert signs_body(method)
    assert signed_payload(method, "a=1", b'{"x":1}') == '{"x":1}'
    assert signed_payload(method, "a=1", '{"x":1}') == '{"x":1}'
    assert signed_payload(method, "a=1", b"") == ""


@pytest.mark.parametrize("method", ["GET", "delete", "PATCH"])
def test_the_payload_rule_signs_anything_else_over_its_query(method):
    assert not signs_body(method)
    assert signed_payload(method, "a=1&b=2", b'{"x":1}') == "a=1&b=2"


def test_sign_takes_secrets_or_text_alike():
    assert sign(Secret(SECRET), TS, Secret(MEMO), "{}") == sign(SECRET, TS, MEMO, "{}") == VECTORS[-1][-1]


def _send(method, url, level=AuthLevel.SIGNED, headers=BITMART_HEADERS, allowed=None, **kw):
    seen = {}

    def handler(request: httpx.Request) -> httpx.Response:
        seen["request"] = request
        return httpx.Response(200, json={"code": 1000})

    signer = VenueSigner(Credentials.of(KEY, SECRET, MEMO), headers, level, FixedClock(int(TS)), allowed)
    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        client.send(client.build_request(method, url, **kw), auth=signer)
    return seen["request"], signer.evidence


def test_post_signs_the_exact_body_sent():
    request, ev = _send("POST", "https://api-cloud-v2.bitmart.com/contract/private/submit-order", content=ORDER_SPACED.encode())
    assert request.content == ORDER_SPACED.encode()
    assert request.headers["X-BM-SIGN"] == "9a1ff0fee5f30b3e93e949d431a61f53cba6cf36c2879d3e1c77552e5b278b0e"
    assert request.headers["X-BM-TIMESTAMP"] == TS
    assert request.headers["X-BM-KEY"] == KEY
    assert request.headers["Content-Type"] == "application/json"
    assert ev.preimage_masked == f"{TS}#****#{ORDER_SPACED}"
    assert MEMO not in repr(ev) and SECRET not in repr(ev)


def test_get_signs_the_query_without_question_mark():
    request, ev = _send("GET", "https://api-cloud-v2.bitmart.com/contract/private/order?symbol=BTCUSDT&order_id=23")
    assert ev.payload == "symbol=BTCUSDT&order_id=23"
    assert request.headers["X-BM-SIGN"] == "488b615729780f40527463c302ebb969f884cb0bbec422c33c1e05829799e9fd"


def test_keyed_sends_only_the_key_and_wooxpro_uses_x_api():
    request, ev = _send("GET", "https://cloud-api.wooxpro.com/contract/private/assets-detail", AuthLevel.KEYED, WOOXPRO_HEADERS)
    assert request.headers["X-API-KEY"] == KEY
    assert "X-API-SIGN" not in request.headers and "X-API-TIMESTAMP" not in request.headers
    assert not any(k.lower().startswith("x-bm-") for k in request.headers)
    assert ev.level is AuthLevel.KEYED and ev.signature is None


def test_host_binding_refuses_other_hosts():
    with pytest.raises(SigningRefused, match="evil.example.com"):
        _send("GET", "https://evil.example.com/x", allowed=frozenset({"api-cloud-v2.bitmart.com"}))


def test_evidence_flags_credential_hygiene():
    creds = Credentials.of(KEY, SECRET, "12345678")
    signer = VenueSigner(creds, BITMART_HEADERS, AuthLevel.SIGNED, FixedClock(int(TS)))
    with httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(200))) as client:
        client.post("http://127.0.0.1/x", content=b"{}", auth=signer)
    ev = signer.evidence
    assert ev.memo_all_digits and not ev.memo_empty
    assert ev.signature == hmac.new(SECRET.encode(), f"{TS}#12345678#{{}}".encode(), hashlib.sha256).hexdigest()


def test_illegal_credentials_are_refused_before_anything_is_sent():
    """The last door: a value that got past the entry checks (an old key file, a caller building
    Credentials itself) is refused by the signer, naming the field and position, never the value."""
    sent = []
    for creds, sentence in (
        (Credentials.of(KEY + "\r", SECRET, ""), "The API key contains a carriage return (CR) at position 41 of 41"),
        (Credentials.of(KEY, SECRET + "\n", ""), "The secret contains a line feed (LF) at position 65 of 65"),
        (Credentials.of(KEY[:10] + "\u00e9" + KEY[11:], SECRET, ""), "The API key contains a non-ASCII character at position 11"),
        (Credentials.of(KEY, "  " + SECRET, ""), "The secret starts with whitespace (position 1 of 66)"),
        (Credentials.of(KEY, SECRET, "test001 "), "The memo ends with whitespace (position 8 of 8)"),
        (Credentials.of("", SECRET, "test001"), "A keyed request needs credentials"),  # an empty key is no key
    ):
        signer = VenueSigner(creds, BITMART_HEADERS, AuthLevel.KEYED, FixedClock(int(TS)))
        with httpx.Client(transport=httpx.MockTransport(lambda r: sent.append(r) or httpx.Response(200))) as client:
            with pytest.raises(SigningRefused) as info:
                client.get("http://127.0.0.1/x", auth=signer)
        assert sentence in str(info.value) and KEY[:8] not in str(info.value) and SECRET[:8] not in str(info.value)
    assert sent == []


async def test_an_illegal_value_that_reaches_the_http_layer_is_a_local_error_that_quotes_nothing():
    """If a value got past every check and h11 refused it while writing the request, that is keyprobe's
    problem (exit 2, nothing sent), not "the server answered with something that is not valid HTTP"."""
    from keys import redact
    from tui.exchange import Draft, FailureKind
    from tui.venues import VENUES
    from tui.transport.wire import Wire

    def refuse(request):
        raise httpx.LocalProtocolError(f"Illegal header value b'{KEY}\\r'")

    redact.register(Credentials.of(KEY, SECRET, "").api_key)
    async with Wire(transport=httpx.MockTransport(refuse)) as wire:
        ex = await wire.send(Draft(VENUES["bitmart"], "GET", "/system/time", auth=AuthLevel.NONE), None)
    assert ex.failure.kind is FailureKind.SIGNING_REFUSED and "nothing was sent" in ex.failure.sentence
    assert KEY[:8] not in ex.failure.sentence + ex.failure.detail


def test_a_body_that_is_not_utf8_is_signed_over_its_exact_bytes():
    # A byte that is not UTF-8 (a Latin-1 file sent as is) is signed as it goes out, and the emulator's verify()
    # accepts that signature: no UnicodeError on either side, no byte replaced.
    raw = b'{"note":"caf\xe9"}'
    request, ev = _send("POST", "http://127.0.0.1/x", content=raw)
    expected = hmac.new(SECRET.encode(), f"{TS}#{MEMO}#".encode() + raw, hashlib.sha256).hexdigest()
    assert request.content == raw and request.headers["X-BM-SIGN"] == expected == ev.signature
    payload = signed_payload("POST", "", raw)
    assert verify(Secret(SECRET), Secret(MEMO), TS, payload, expected)
    assert not verify(Secret(SECRET), Secret(MEMO), TS, payload, expected[:-1] + "\udcff")  # a forged byte: False, no error


@pytest.mark.parametrize("apply, expected", [(True, 1_700_000_001_234 + 1_500), (False, 1_700_000_001_234)])
def test_the_offset_clock_adds_the_rounded_offset_only_when_applied(monkeypatch, apply, expected):
    # time.time_ns fixed, so the arithmetic is compared exactly: whole milliseconds, offset rounded, nothing else added.
    monkeypatch.setattr("keys.signing.time.time_ns", lambda: 1_700_000_001_234_999_999)
    from keys.signing import OffsetClock

    assert OffsetClock(offset_ms=1_499.6, apply=apply).now_ms() == expected
