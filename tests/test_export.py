"""Copy as curl: the exact argv, quoting that survives the shell, and no secret or memo in either form."""

from __future__ import annotations

import shlex

import pytest

from keys.demo import EXAMPLE_KEY, EXAMPLE_MEMO, EXAMPLE_SECRET
from tui.export import curl_command, curl_script
from keys.signing import AuthLevel, Credentials, FixedClock, SigningRefused, sign
from tui.exchange import Draft
from tui.signing_context import SigningContext
from tui.venues import get_venue
from tui.transport.wire import export_client

TS = 1589267764859
CREDS = Credentials.of(EXAMPLE_KEY, EXAMPLE_SECRET, EXAMPLE_MEMO)
BITMART = get_venue("bitmart")
WOOX = get_venue("wooxpro")


def command(draft: Draft, creds=CREDS) -> list[str]:
    text = curl_command(draft, SigningContext.for_venue(draft.venue, creds, clock=FixedClock(TS)))
    assert EXAMPLE_SECRET not in text and "test001" not in text
    return shlex.split(text)


def test_signed_post_is_exactly_what_the_wire_sends():
    draft = Draft(BITMART, "post", "/contract/private/submit-order", body="{}", auth=AuthLevel.SIGNED)
    # The client's defaults, as the wire's client sends them (Accept-Encoding depends on httpx's decoders).
    encoding = export_client().headers["Accept-Encoding"]
    assert command(draft) == [
        "curl", "--http1.1", "-X", "POST",
        "-H", "Accept: */*",
        "-H", f"Accept-Encoding: {encoding}",
        "-H", "Connection: keep-alive",
        "-H", "User-Agent: keyprobe/0.1",
        "-H", "Content-Type: application/json",
        "-H", f"X-BM-KEY: {EXAMPLE_KEY}",
        "-H", f"X-BM-TIMESTAMP: {TS}",
        "-H", "X-BM-SIGN: 7d50d0b1f07224bf3660035ee6cca1301bc447e4a293f5bb6659c7cd166d63a5",  # protocol.md V10
        "--compressed",  # the send accepts gzip and decodes it; so does curl
        "--data-binary", "{}",
        "https://api-cloud-v2.bitmart.com/contract/private/submit-order",
    ]  # fmt: skip


def test_signed_get_signs_the_query_and_sends_no_body():
    draft = Draft(BITMART, "GET", "/contract/private/order", query=(("contract_id", "1"), ("category", "1")), auth=AuthLevel.SIGNED)
    argv = command(draft)
    assert "-H" in argv and "X-BM-SIGN: 6d5e774446448073f68e99c28ace86503451bed1fd44e43f80b9b518937c4ef1" in argv  # V4
    assert "--data-binary" not in argv and argv[-1].endswith("/contract/private/order?contract_id=1&category=1")


def test_keyed_and_public_levels_carry_only_what_they_need():
    keyed = command(Draft(WOOX, "GET", "/contract/private/assets-detail", auth=AuthLevel.KEYED))
    assert f"X-API-KEY: {EXAMPLE_KEY}" in keyed and not any("SIGN" in a or "TIMESTAMP" in a for a in keyed)
    public = command(Draft(WOOX, "GET", "/contract/public/details", auth=AuthLevel.NONE), creds=None)
    assert not any(a.startswith("X-API-") for a in public)


@pytest.mark.parametrize(
    "body",
    [
        '{"note": "it\'s a \\"quoted\\" $HOME `x` !"}',
        '{"a": 1,\n  "b": [1, 2]}\n',
        '{"symbol": "BTCUSDT", "client_order_id": "ünïcødé-✓"}',
        "   leading and trailing spaces   ",
    ],
)
def test_bodies_survive_the_shell_byte_for_byte(body):
    draft = Draft(BITMART, "POST", "/contract/private/submit-order", body=body, auth=AuthLevel.SIGNED)
    argv = command(draft)
    sent = argv[argv.index("--data-binary") + 1]
    assert sent == body
    assert f"X-BM-SIGN: {sign(EXAMPLE_SECRET, str(TS), EXAMPLE_MEMO, body)}" in argv


def test_a_body_starting_with_at_is_not_read_as_a_file():
    draft = Draft(BITMART, "POST", "/contract/private/submit-order", body="@/etc/passwd", auth=AuthLevel.SIGNED)
    argv = command(draft)
    assert argv[argv.index("--data-raw") + 1] == "@/etc/passwd" and "--data-binary" not in argv


def test_brackets_in_the_url_turn_globbing_off_for_ipv6_hosts():
    draft = Draft(BITMART, "GET", "/contract/public/details", query=(("symbols", "[BTCUSDT]"),), auth=AuthLevel.NONE)
    plain = command(draft, creds=None)
    assert "--globoff" not in plain  # urlencode already turned [ ] into %5B %5D
    ipv6 = Draft(get_venue("emulator").at("http://[::1]:8640"), "GET", "/system/time", auth=AuthLevel.NONE)
    argv = command(ipv6, creds=None)
    assert "--globoff" in argv and argv[-1] == "http://[::1]:8640/system/time"  # curl would read [::1] as a glob


def test_host_binding_applies_to_exports_too():
    draft = Draft(BITMART.at("https://evil.example"), "POST", "/contract/private/submit-order", body="{}", auth=AuthLevel.SIGNED)
    with pytest.raises(SigningRefused, match="Refusing to sign for evil.example"):
        curl_command(draft, SigningContext(BITMART, CREDS, BITMART.hosts, FixedClock(TS)))


def test_script_holds_no_credential_and_quotes_the_payload():
    body = '{"note": "it\'s $HOME"}'
    draft = Draft(WOOX, "POST", "/contract/private/submit-leverage", body=body, auth=AuthLevel.SIGNED)
    script = curl_script(draft, WOOX)
    for value in (EXAMPLE_KEY, EXAMPLE_SECRET, EXAMPLE_MEMO):
        assert value not in script
    assert f"PAYLOAD={shlex.quote(body)}" in script
    assert '"X-API-KEY: $KEYPROBE_API_KEY"' in script and '"X-API-SIGN: $SIGN"' in script
    assert "openssl dgst -sha256 -hmac \"$KEYPROBE_SECRET\"" in script and "date +%s%3N" in script
    assert script.startswith("#!/bin/sh\n") and "set -eu" in script
    assert script.rstrip().endswith(shlex.quote("https://cloud-api.wooxpro.com/contract/private/submit-leverage"))


def test_script_for_a_get_signs_the_query_and_a_public_call_needs_nothing():
    draft = Draft(BITMART, "GET", "/contract/private/order", query=(("order_id", "a b"),), auth=AuthLevel.SIGNED)
    script = curl_script(draft)
    assert "PAYLOAD=order_id=a+b  # the exact query string" in script and "--data-binary" not in script
    public = curl_script(Draft(BITMART, "GET", "/system/time", auth=AuthLevel.NONE))
    assert "KEYPROBE_" not in public.split("\n", 4)[-1] and "SIGN" not in public
