"""The bot's own tests: nothing of keyprobe's is imported; `keyprobe_emulator` comes from its pytest plugin."""

from __future__ import annotations

import pytest

from samplebot.client import Client, ExchangeError

ORDER = {"symbol": "BTCUSDT", "side": 1, "size": 1, "price": "20000"}


def bot(emulator, state: str = "active", **options) -> Client:
    key = emulator.demo_keys[state]
    return Client(emulator.url, key.api_key, key.secret, key.memo, header_names=tuple(emulator.header_names), **options)


def test_the_bot_places_an_order_and_keyprobe_saw_a_valid_signature(keyprobe_emulator):
    assert bot(keyprobe_emulator).place_order(**ORDER) > 0
    sent = keyprobe_emulator.exchanges[-1]
    assert (sent.method, sent.path, sent.code) == ("POST", "/contract/private/submit-order", 1000)
    assert sent.diagnosis.code == 1000 and sent.signature.status == "match"
    assert sent.header(keyprobe_emulator.header_names.key) == keyprobe_emulator.demo_key.api_key


def test_a_frozen_key_stops_the_bot_with_30003(keyprobe_emulator):
    with pytest.raises(ExchangeError) as error:
        bot(keyprobe_emulator, "frozen").balance()
    assert error.value.code == 30003
    assert keyprobe_emulator.exchanges[-1].diagnosis.category == "key"


def test_a_key_frozen_mid_run_is_the_switch_too(keyprobe_emulator):
    client = bot(keyprobe_emulator)
    assert float(client.balance()) > 0
    keyprobe_emulator.freeze()
    with pytest.raises(ExchangeError, match="30003"):
        client.balance()


def test_the_bot_recovers_from_a_skewed_clock_by_syncing(keyprobe_emulator):
    keyprobe_emulator.dialect = "bitmart"  # the bot reads BitMart's /system/time; WOO X Pro documents none
    keyprobe_emulator.skew_s = 90
    client = bot(keyprobe_emulator)
    assert client.place_order(**ORDER) > 0
    codes = [e.code for e in keyprobe_emulator.exchanges]
    assert codes == [30007, 1000, 1000]  # refused, the time read, then the retry signed with the offset
    assert abs(client.offset_ms - 90_000) < 1_000
    assert keyprobe_emulator.exchanges[0].diagnosis.category == "timestamp"


def test_keyprobe_names_the_bots_signing_bug(keyprobe_emulator):
    """A bot that signs its body with sorted keys but sends it unsorted: 30005, and keyprobe says why."""
    with pytest.raises(ExchangeError) as error:
        bot(keyprobe_emulator, sort_body_keys=True).place_order(**ORDER)
    assert error.value.code == 30005
    sent = keyprobe_emulator.exchanges[-1]
    assert sent.signature.status == "mismatch" and "body-sorted-keys" in sent.signature.variants
    assert any("sorted" in fix.text or "bytes" in fix.text for fix in sent.diagnosis.fixes)


def test_the_same_bot_on_bitmart_signs_with_its_headers(keyprobe_emulator):
    assert tuple(keyprobe_emulator.header_names) == ("X-API-KEY", "X-API-TIMESTAMP", "X-API-SIGN")  # WOO X Pro's, the default
    keyprobe_emulator.dialect = "bitmart"
    assert tuple(keyprobe_emulator.header_names) == ("X-BM-KEY", "X-BM-TIMESTAMP", "X-BM-SIGN")
    assert bot(keyprobe_emulator).place_order(**ORDER) > 0
    assert keyprobe_emulator.exchanges[-1].header("x-bm-sign") is not None


def test_maintenance_and_a_tight_rate_limit_reach_the_bot(keyprobe_emulator):
    client = bot(keyprobe_emulator)
    keyprobe_emulator.maintenance = True
    with pytest.raises(ExchangeError, match="30016"):
        client.balance()
    keyprobe_emulator.maintenance = False
    keyprobe_emulator.rate_limit = 3  # a window of 3 requests, the refused one above included
    codes = []
    for _ in range(3):
        try:
            client.balance()
            codes.append(1000)
        except ExchangeError as error:
            codes.append(error.code)
    assert codes == [1000, 1000, 30013]


def test_each_test_starts_from_a_fresh_venue(keyprobe_emulator):
    assert keyprobe_emulator.exchanges == [] and keyprobe_emulator.skew_s == 0 and keyprobe_emulator.dialect == "wooxpro"
    assert keyprobe_emulator.key_state() == "active" and not keyprobe_emulator.maintenance
