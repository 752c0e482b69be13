"""The WebSocket login rule (keys.payload.ws_login_payload, keys.ws_login): protocol.md's V1 and V2 vectors, the
frame shapes, the evidence, the door checks, and the transport policy for a login (keys.ws_hosts)."""

from __future__ import annotations

import asyncio
import json

import pytest

from keys.demo import EXAMPLE_KEY, EXAMPLE_MEMO, EXAMPLE_SECRET
from keys.hosts import LOOPBACK_HOSTS
from keys.payload import WS_LOGIN_MARKERS, ws_login_payload
from keys.signing import Credentials, FixedClock, SigningRefused
from keys.ws_hosts import login_refusal, ws_signing_hosts
from keys.ws_login import login_frame_text, send_login, sign_login, verify_login

EXAMPLE = Credentials.of(EXAMPLE_KEY, EXAMPLE_SECRET, EXAMPLE_MEMO)
TS = "1589267764859"
V1 = "3ceeb7e1b8cb165a975e28a2e2dfaca4d30b358873c0351c1a071d8c83314556"  # protocol.md 1.4, BitMart's login page
V2 = "c9faeea6ee09e397102923d97841f8a19c1b37e6fc9ec61d15a9908e788ca19e"  # protocol.md 1.4, WOO X Pro (not its page's)


@pytest.mark.parametrize("dialect, expected", [("bitmart-spot", V1), ("bitmart-futures", V1), ("wooxpro", V2)])
def test_the_vectors(dialect, expected):
    assert sign_login(EXAMPLE, dialect, TS) == expected
    assert verify_login(EXAMPLE, dialect, TS, expected)


def test_wooxpro_is_not_the_value_its_page_prints():
    assert sign_login(EXAMPLE, "wooxpro", TS) != V1
    assert not verify_login(EXAMPLE, "wooxpro", TS, V1)


def test_markers_are_data_and_an_unknown_dialect_is_a_sentence():
    assert {ws_login_payload(d) for d in WS_LOGIN_MARKERS} == {"bitmart.WebSocket", "wooxpro.WebSocket"}
    with pytest.raises(ValueError, match="unknown WebSocket dialect 'bitmart'"):
        ws_login_payload("bitmart")


@pytest.mark.parametrize("dialect, head, tail", [
    ("bitmart-spot", {"op": "login"}, []),
    ("bitmart-futures", {"action": "access"}, ["web"]),
    ("wooxpro", {"action": "access"}, ["web"]),
])
def test_send_login_sends_the_dialects_frame_and_keeps_only_fingerprints(dialect, head, tail):
    sent: list[str] = []

    async def send(text: str) -> None:
        sent.append(text)

    evidence = asyncio.run(send_login(send, EXAMPLE, dialect, FixedClock(int(TS))))
    (frame,) = sent
    assert json.loads(frame) == {**head, "args": [EXAMPLE_KEY, TS, sign_login(EXAMPLE, dialect, TS), *tail]}
    assert evidence.preimage_masked == f"{TS}#****#{ws_login_payload(dialect)}"
    shown = json.loads(evidence.shown)
    assert shown["args"][0] == EXAMPLE.fingerprint and shown["args"][2].startswith("#")
    assert EXAMPLE_KEY[:8] not in repr(evidence) and EXAMPLE_MEMO not in repr(evidence) and V1[:8] not in repr(evidence)
    assert evidence.to_dict()["preimage"] == evidence.preimage_masked


def test_a_key_that_cannot_be_sent_is_refused_before_anything_goes():
    sent = []

    async def send(text: str) -> None:
        sent.append(text)

    with pytest.raises(SigningRefused, match="carriage return"):
        asyncio.run(send_login(send, Credentials.of(EXAMPLE_KEY + "\r", EXAMPLE_SECRET, "m"), "bitmart-spot"))
    with pytest.raises(SigningRefused, match="needs an API key and a secret"):
        asyncio.run(send_login(send, Credentials.of(EXAMPLE_KEY, "", "m"), "bitmart-spot"))
    assert sent == []


def test_login_frame_text_is_compact_and_keeps_unicode():
    assert login_frame_text("bitmart-spot", "k", "1", "s") == '{"op":"login","args":["k","1","s"]}'


# -- where a login may go ------------------------------------------------------------------------------------------
BITMART = ws_signing_hosts("bitmart", frozenset({"api-cloud-v2.bitmart.com"}))


@pytest.mark.parametrize("url, allowed, refusal", [
    ("wss://openapi-ws-v2.bitmart.com/user?protocol=1.1", BITMART, None),
    ("wss://ws-manager-compress.bitmart.com/user?protocol=1.1", BITMART, None),
    ("ws://openapi-ws-v2.bitmart.com/user", BITMART, "over plain ws://"),
    ("wss://evil.example/user", BITMART, "Refusing to sign for evil.example"),
    ("wss://openapi-ws-v2.bitmart.com:8443/user", BITMART, "on port 443 only"),
    ("ws://127.0.0.1:9/spot/user", LOOPBACK_HOSTS, None),
    ("ws://127.0.0.1:9/spot/user", BITMART, "Refusing to sign for 127.0.0.1"),
    ("https://openapi-ws-v2.bitmart.com/user", BITMART, "not a WebSocket URL"),
    ("wss://[::1/user", BITMART, "not a valid WebSocket URL"),
])
def test_login_transport_policy(url, allowed, refusal):
    said = login_refusal(url, allowed, "BitMart")
    assert (said is None) if refusal is None else (refusal in said)


def test_wooxpro_lists_no_websocket_host_of_its_own():
    assert ws_signing_hosts("wooxpro", frozenset({"cloud-api.wooxpro.com"})) == {"cloud-api.wooxpro.com"}
