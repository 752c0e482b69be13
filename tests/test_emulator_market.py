"""The endpoint table drives the router; the seeded market is deterministic; spot validation answers
with the spot table's codes and the numbers filled in; funding moves nothing. Through `handle` (pure)
and over loopback."""

from __future__ import annotations

import json

import httpx
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from keys.signing import BITMART_HEADERS, AuthLevel
from keys.venue_signer import VenueSigner
from tui import endpoints
from tui.emulator import EmulatorState, handle, routes
from tui.emulator.codes import spot_rows
from tui.emulator.market import CONTRACTS, SPOT_PAIRS, Market
from tui.emulator.market import _price as market_price

NOW = 1_800_000_000_000


def test_every_handler_name_resolves_and_every_endpoint_is_served():
    state = EmulatorState()
    state.controls.rate_scale = 100
    for e in endpoints.ENDPOINTS:
        assert callable(routes.action(e.handler)), e.label
        reply = handle(state, e.method, e.path, "", {}, b"{}" if e.method == "POST" else b"", "127.0.0.1")
        assert reply.json()["code"] != 30000, e.label  # routed (public ones answer, private ones ask for a key)
    with pytest.raises(LookupError):
        routes.action("futures.nope")


@pytest.mark.parametrize("seed", [7, 12345])
def test_the_walk_is_the_same_for_the_same_seed(seed):
    first, second, other = Market(seed, NOW), Market(seed, NOW), Market(seed + 1, NOW)
    c = CONTRACTS["BTCUSDT"]
    later = NOW + 3 * 3_600_000
    # asked in a different order, the same prices
    assert first.contract_price(c, later) == [second.contract_price(c, NOW), second.contract_price(c, later)][1]
    assert first.candles("BTCUSDT", c.start_price, c.price_tick, later, 50) == second.candles("BTCUSDT", c.start_price, c.price_tick, later, 50)
    assert [other.contract_price(c, NOW + m * 60_000) for m in range(1, 20)] != [first.contract_price(c, NOW + m * 60_000) for m in range(1, 20)]
    assert first.candle("BTCUSDT", c.start_price, c.price_tick, 0)[0] == c.start_price  # the walk opens at the start price


def test_candles_are_consistent():
    m, p = Market(3, NOW), SPOT_PAIRS["ETH_USDT"]
    candles = m.candles(p.symbol, p.start_price, p.price_tick, NOW + 600_000, 10, 1)
    for (t0, (_, _, _, close)), (t1, (open_, high, low, _)) in zip(candles, candles[1:]):
        assert t1 - t0 == 60_000 and open_ == close and low <= open_ <= high
    hourly = m.candles(p.symbol, p.start_price, p.price_tick, NOW + 600_000, 2, 60)
    assert hourly[-1][1][3] == candles[-1][1][3]  # the candle in progress closes at the current price


# -- spot validation over loopback ---------------------------------------------------------------------
def spot_submit(http, emu, **changes):
    body = {"symbol": "BTC_USDT", "side": "buy", "type": "limit", "size": "0.001", "price": "20000", **changes}
    body = {k: v for k, v in body.items() if v is not None}
    signer = VenueSigner(emu.demo_credentials(), BITMART_HEADERS, AuthLevel.SIGNED)
    return http.post(emu.base_url + "/spot/v2/submit_order", content=json.dumps(body).encode(), auth=signer)


def documented(code: int, *fill: str) -> tuple[int, str]:
    status, message = spot_rows()[code][0]
    for value in fill:
        message = message.replace("%s", value, 1)
    return status, message


@pytest.mark.parametrize("changes,code,fill", [
    ({}, 1000, ()),
    ({"symbol": "DOGE_USDT"}, 50001, ()),
    ({"size": "0.000001"}, 50006, ("0.00001",)),
    ({"size": "1000"}, 50007, ("100",)),
    ({"price": "0.001"}, 50008, ("0.01",)),
    ({"size": "0.0001", "price": "100"}, 50009, ("5",)),
    ({"size": None}, 50010, ()),
    ({"price": None}, 50011, ()),
    ({"type": "market", "price": None, "size": None}, 50012, ()),
    ({"size": "lots"}, 50021, ("size",)),
    ({"price": "20000.001"}, 50021, ("price",)),
    ({"client_order_id": "a" * 33}, 50037, ()),
    ({"client_order_id": "not-alnum"}, 50038, ()),
    ({"side": "long"}, 52002, ()),
    ({"type": "stop"}, 52001, ()),
    ({"size": "1"}, 50020, ()),  # 1 BTC at 20000 USDT: more than the 10000 USDT demo balance
])
def test_spot_validation_codes_with_numbers_filled_in(emu, changes, code, fill):
    emu.controls.rate_scale = 100
    with httpx.Client(timeout=10) as http:
        resp = spot_submit(http, emu, **changes)
    body = resp.json()
    assert body["code"] == code, body
    if code != 1000:
        assert (resp.status_code, body["message"]) == documented(code, *fill)


def test_spot_cancel_codes(emu):
    emu.controls.rate_scale = 100
    signer = lambda: VenueSigner(emu.demo_credentials(), BITMART_HEADERS, AuthLevel.SIGNED)  # noqa: E731
    with httpx.Client(timeout=10) as http:
        order_id = spot_submit(http, emu, client_order_id="dup1").json()["data"]["order_id"]
        assert spot_submit(http, emu, client_order_id="dup1").json()["code"] == 50042
        cancel = lambda **b: http.post(emu.base_url + "/spot/v3/cancel_order", content=json.dumps({"symbol": "BTC_USDT", **b}).encode(), auth=signer()).json()["code"]  # noqa: E731
        assert cancel() == 50039 and cancel(order_id="1") == 50032
        assert cancel(order_id=order_id) == 1000 and cancel(order_id=order_id) == 50030
        filled = spot_submit(http, emu, type="market", side="sell", size="0.001", price=None).json()["data"]["order_id"]
        assert cancel(order_id=filled) == 50031
        query = http.post(emu.base_url + "/spot/v4/query/order", content=b'{"orderId":"404"}', auth=signer())
        assert query.json()["code"] == 50005 and query.status_code == 400


def test_a_futures_close_without_a_position_is_40020_and_with_one_closes_it(emu):
    emu.controls.rate_scale = 100
    def submit(http, **b):  # noqa: E306
        body = {"symbol": "ETHUSDT", "type": "market", "size": 2, "open_type": "isolated", **b}
        signer = VenueSigner(emu.demo_credentials(), BITMART_HEADERS, AuthLevel.SIGNED)
        return http.post(emu.base_url + "/contract/private/submit-order", content=json.dumps(body).encode(), auth=signer).json()["code"]
    with httpx.Client(timeout=10) as http:
        assert submit(http, side=2) == 40020
        assert submit(http, side=4) == 1000  # open a short of 2
        assert submit(http, side=2, size=3) == 40020  # more than it holds
        assert submit(http, side=3) == 40020  # the long side is empty
        assert submit(http, side=2) == 1000
        assert submit(http, side=2) == 40020  # closed


def test_a_price_far_from_the_origin_is_answered_and_asking_it_first_changes_nothing():
    """Blocks were built by recursing into their neighbour: six months away overflowed the stack (HTTP 500)."""
    c, year_ms = CONTRACTS["BTCUSDT"], 365 * 86_400_000
    near = [NOW + m * 3_600_000 for m in (-300, -5, 0, 7, 300)]
    fresh = Market(7, NOW)
    expected = [fresh.contract_price(c, t) for t in near]
    walked = Market(7, NOW)
    far = [walked.contract_price(c, NOW + sign * k * year_ms) for sign in (-1, 1) for k in (1, 5)]
    assert far[0] == far[1] and far[2] == far[3] and all(p > 0 for p in far)  # flat past the walk's reach
    assert [walked.contract_price(c, t) for t in near] == expected  # the same walk, whatever was asked first
    assert len(walked._blocks) <= Market.CACHED_BLOCKS


WALKED = Market(7, NOW)


@settings(max_examples=60, deadline=None)
@example(offset=-Market.REACH_BLOCKS * 64 - 5, step=30)  # across the past edge of the walk
@example(offset=Market.REACH_BLOCKS * 64 - 100, step=240)  # across the future edge
@example(offset=-64, step=1440)  # a day across block 0 and the blocks walked backwards
@given(offset=st.integers(-(Market.REACH_BLOCKS + 2) * 64, (Market.REACH_BLOCKS + 2) * 64), step=st.sampled_from([1, 3, 60, 240, 1440]))
def test_a_long_candle_is_its_minutes_and_a_minute_is_its_steps(offset, step):
    """A long candle reads whole blocks from their kept lowest and highest steps (a week's used to turn all
    40,320 steps into prices: 46 s of CPU for one kline request); it must still be exactly its minutes."""
    c = CONTRACTS["BTCUSDT"]
    end_ms = NOW + offset * 60_000
    [(opened_ms, (open_, high, low, close))] = WALKED.candles(c.symbol, c.start_price, c.price_tick, end_ms, 1, step)
    first = WALKED.minute(opened_ms)
    minutes = [WALKED.candle(c.symbol, c.start_price, c.price_tick, m) for m in range(first, WALKED.minute(end_ms) + 1)]
    assert (open_, high, low, close) == (minutes[0][0], max(k[1] for k in minutes), min(k[2] for k in minutes), minutes[-1][3])
    for m, candle in zip(range(first, first + 3), minutes):  # each minute is the price of its five step boundaries
        steps = [market_price(c.start_price, c.price_tick, WALKED._level(c.symbol, 4 * m + k)) for k in range(5)]
        assert candle == (steps[0], max(steps), min(steps), steps[-1])
