"""Real clients, unmodified, over loopback: ccxt 4.5.70's `bitmart` and BitMart's official SDK 2.8.0 run
their method lists against the emulator with no workaround (only the base URL points here), get no
unexpected 30000, and see one consistent account: an order placed is open, then filled or cancelled; a
market order opens a position that fetch_positions shows and a closing order removes; balances follow."""

from __future__ import annotations

import time
from decimal import Decimal

import ccxt
import pytest
from bitmart.api_account import APIAccount
from bitmart.api_contract import APIContract
from bitmart.api_spot import APISpot
from bitmart.api_system import APISystem
from bitmart.lib.cloud_exceptions import APIException

from keys.demo import EXAMPLE_KEY, EXAMPLE_MEMO, EXAMPLE_SECRET
from tui.emulator import Emulator


@pytest.fixture
def sandbox(emu):
    emu.controls.rate_scale = 100  # the clients' own pacing is off: the test is about answers, not limits
    return emu


@pytest.fixture
def exchange(sandbox):
    ex = ccxt.bitmart({"apiKey": EXAMPLE_KEY, "secret": EXAMPLE_SECRET, "uid": EXAMPLE_MEMO, "enableRateLimit": False, "timeout": 10_000})
    ex.urls["api"] = {"spot": sandbox.base_url, "swap": sandbox.base_url}
    return ex


# -- ccxt ------------------------------------------------------------------------------------------------
def test_ccxt_public_methods(exchange):
    markets = exchange.load_markets()  # spot first, then contracts
    assert {"BTC/USDT", "ETH/USDT", "BTC/USDT:USDT", "ETH/USDT:USDT"} <= set(markets)
    assert abs(exchange.fetch_time() - time.time() * 1000) < 60_000
    assert exchange.fetch_status()["status"] == "ok"
    spot, swap = exchange.fetch_ticker("BTC/USDT"), exchange.fetch_ticker("BTC/USDT:USDT")
    assert spot["last"] > 0 and swap["last"] > 0 and spot["bid"] < spot["ask"]
    assert set(exchange.fetch_tickers(["BTC/USDT", "ETH/USDT"])) == {"BTC/USDT", "ETH/USDT"}
    assert "BTC/USDT:USDT" in exchange.fetch_tickers(["BTC/USDT:USDT"])
    for symbol in ("BTC/USDT", "BTC/USDT:USDT"):
        book = exchange.fetch_order_book(symbol)
        assert book["asks"][0][0] > book["bids"][0][0]
        candles = exchange.fetch_ohlcv(symbol, "1m", limit=5)
        assert len(candles) >= 3 and all(c[2] >= max(c[1], c[4]) and c[3] <= min(c[1], c[4]) for c in candles)
    trades = exchange.fetch_trades("BTC/USDT")
    assert trades and {t["symbol"] for t in trades} == {"BTC/USDT"} and all(t["price"] > 0 for t in trades)
    assert exchange.fetch_trading_fee("BTC/USDT")["taker"] == 0.0025


def test_ccxt_spot_orders_balances_and_trades(exchange):
    exchange.load_markets()
    usdt = exchange.fetch_balance()["USDT"]["free"]
    resting = exchange.create_order("BTC/USDT", "limit", "buy", 0.001, 20000, {"clientOrderId": "ccxt1"})
    assert [o["id"] for o in exchange.fetch_open_orders("BTC/USDT")] == [resting["id"]]
    held = exchange.fetch_balance()["USDT"]
    assert (held["free"], held["used"]) == (usdt - 20, 20)  # 0.001 x 20000 frozen while it rests
    exchange.cancel_order(resting["id"], "BTC/USDT")
    assert exchange.fetch_order(resting["id"], "BTC/USDT")["status"] == "canceled"
    assert exchange.fetch_balance()["USDT"]["free"] == usdt

    ask = exchange.fetch_order_book("BTC/USDT")["asks"][0][0]
    bought = exchange.create_order("BTC/USDT", "market", "buy", 0.01, ask)  # ccxt sends notional = amount x price
    filled = exchange.fetch_order(bought["id"], "BTC/USDT")
    assert filled["status"] == "closed" and filled["filled"] > 0
    assert [t["order"] for t in exchange.fetch_my_trades("BTC/USDT")] == [bought["id"]]
    balance = exchange.fetch_balance()
    assert balance["BTC"]["free"] == pytest.approx(0.5 + filled["filled"])
    assert balance["USDT"]["free"] == pytest.approx(usdt - filled["cost"])
    assert bought["id"] in [o["id"] for o in exchange.fetch_closed_orders("BTC/USDT")]

    exchange.create_order("BTC/USDT", "limit", "sell", 0.001, 99000)
    exchange.cancel_all_orders("BTC/USDT")
    assert exchange.fetch_open_orders("BTC/USDT") == []


def test_ccxt_swap_orders_positions_and_transfer(exchange):
    exchange.load_markets()
    symbol = "BTC/USDT:USDT"
    assert exchange.fetch_balance({"type": "swap"})["USDT"]["free"] == 1000
    exchange.set_leverage(5, symbol, {"marginMode": "isolated"})
    exchange.set_position_mode(True)
    resting = exchange.create_order(symbol, "limit", "buy", 1, 20000)
    assert [o["id"] for o in exchange.fetch_open_orders(symbol)] == [resting["id"]]
    edited = exchange.edit_order(resting["id"], symbol, "limit", "buy", 1, 21000)
    assert edited["id"] == resting["id"] and exchange.fetch_order(resting["id"], symbol)["price"] == 21000
    exchange.cancel_order(resting["id"], symbol)
    assert exchange.fetch_open_orders(symbol) == [] and exchange.fetch_order(resting["id"], symbol)["status"] == "closed"

    opened = exchange.create_order(symbol, "market", "buy", 2)
    (position,) = exchange.fetch_positions([symbol])
    assert (position["side"], position["contracts"], position["leverage"]) == ("long", 2, 5)
    assert exchange.fetch_balance({"type": "swap"})["USDT"]["free"] < 1000  # margin is held
    closed = exchange.create_order(symbol, "market", "sell", 2, None, {"reduceOnly": True})
    assert exchange.fetch_positions([symbol]) == []
    assert {t["order"] for t in exchange.fetch_my_trades(symbol)} == {opened["id"], closed["id"]}
    assert {o["id"] for o in exchange.fetch_closed_orders(symbol)} >= {opened["id"], closed["id"]}
    with pytest.raises(ccxt.InvalidOrder, match="40020"):  # nothing left to close: 40020 means what it says
        exchange.create_order(symbol, "market", "sell", 1, None, {"reduceOnly": True})
    exchange.cancel_all_orders(symbol)

    assert exchange.transfer("USDT", 10, "spot", "swap")["status"] == "ok"
    realised = sum(float(t["info"]["realised_profit"]) for t in exchange.fetch_my_trades(symbol))
    assert exchange.fetch_balance({"type": "swap"})["USDT"]["free"] == pytest.approx(1010 + realised, abs=1e-9)


# -- the official SDK ------------------------------------------------------------------------------------
def ok(answer) -> dict:
    body, limits = answer
    assert body["code"] == 1000, body
    assert set(limits) == {"Remaining", "Limit", "Reset", "Mode"}  # the SDK reads all four headers
    return body["data"]


def test_sdk_methods(sandbox):
    url, now = sandbox.base_url, int(time.time())
    creds = dict(api_key=EXAMPLE_KEY, secret_key=EXAMPLE_SECRET, memo=EXAMPLE_MEMO, url=url, timeout=(2, 10))
    fut, spot, acct = APIContract(**creds), APISpot(**creds), APIAccount(**creds)
    system = APISystem(url=url, timeout=(2, 10))
    assert ok(system.get_system_time())["server_time"] > 0 and ok(system.get_system_service())["service"]

    # futures
    assert ok(fut.get_details("BTCUSDT"))["symbols"][0]["symbol"] == "BTCUSDT"
    assert ok(fut.get_depth("BTCUSDT"))["asks"] and ok(fut.get_kline("BTCUSDT", 1, now - 600, now))
    assert ok(fut.get_trade_fee_rate("BTCUSDT"))["taker_fee_rate"] and ok(fut.get_market_trade("BTCUSDT"))
    assert ok(fut.post_submit_leverage("BTCUSDT", "cross", "5"))["leverage"] == "5"
    assert ok(fut.post_set_position_mode("hedge_mode")) and ok(fut.get_position_mode())["position_mode"] == "hedge_mode"
    order_id = str(ok(fut.post_submit_order("BTCUSDT", side=1, type="limit", open_type="cross", size=1, price="20000"))["order_id"])
    assert [o["order_id"] for o in ok(fut.get_open_order("BTCUSDT"))] == [order_id]
    ok(fut.post_modify_limit_order("BTCUSDT", order_id=int(order_id), price="21000"))
    assert ok(fut.get_order("BTCUSDT", order_id))["price"] == "21000"
    ok(fut.post_cancel_order("BTCUSDT", order_id=order_id))
    assert ok(fut.get_order("BTCUSDT", order_id))["state"] == 4
    ok(fut.post_submit_order("BTCUSDT", side=4, type="market", open_type="cross", size=3))
    (short,) = ok(fut.get_position_v2("BTCUSDT"))
    assert (short["position_side"], short["current_amount"]) == ("short", "3") and ok(fut.get_position("BTCUSDT"))
    ok(fut.post_submit_order("BTCUSDT", side=2, type="market", size=3))
    fills = ok(fut.get_trades("BTCUSDT"))
    assert ok(fut.get_position_v2("BTCUSDT")) == [] and [t["side"] for t in fills] == [4, 2]
    ok(fut.post_cancel_orders("BTCUSDT"))
    assert len(ok(fut.get_order_history("BTCUSDT", now - 3600, now + 3600))) == 3
    ok(fut.post_transfer("USDT", "10", "spot_to_contract", recv_window=5000))
    assert ok(fut.get_transfer_list(1, 10))["records"][0]["amount"] == "10"
    realised = sum(Decimal(t["realised_profit"]) for t in fills)
    assert Decimal(ok(fut.get_assets_detail())[0]["available_balance"]) == 1010 + realised

    # spot
    assert ok(spot.get_currencies()) and ok(spot.get_symbols()) and ok(spot.get_symbol_detail())["symbols"]
    assert ok(spot.get_v3_tickers()) and ok(spot.get_v3_ticker("BTC_USDT"))["symbol"] == "BTC_USDT"
    assert ok(spot.get_v3_history_kline("BTC_USDT", step=1, limit=3)) and ok(spot.get_v3_latest_kline("BTC_USDT", limit=3))
    assert ok(spot.get_v3_depth("BTC_USDT"))["bids"] and ok(spot.get_v3_trades("BTC_USDT"))
    placed = ok(spot.post_submit_order("BTC_USDT", "buy", "limit", size="0.001", price="20000", client_order_id="sdk1"))["order_id"]
    assert [o["orderId"] for o in ok(spot.v4_query_open_orders("BTC_USDT"))] == [placed]
    assert ok(spot.v4_query_order_by_id(placed, "open"))["state"] == "new"
    assert ok(spot.v4_query_order_by_order_client_id("sdk1", "open"))["orderId"] == placed
    ok(spot.post_cancel_order_by_clientid("BTC_USDT", "sdk1"))
    assert ok(spot.v4_query_order_by_id(placed, "history"))["state"] == "canceled"
    sold = ok(spot.post_submit_order("BTC_USDT", "sell", "market", size="0.01"))["order_id"]
    assert [o["orderId"] for o in ok(spot.v4_query_account_orders("BTC_USDT"))] == [placed, sold]
    assert [t["orderId"] for t in ok(spot.v4_query_order_trade_list(sold))] == [sold] == [t["orderId"] for t in ok(spot.v4_query_account_trade_list("BTC_USDT"))]
    ok(spot.post_cancel_all_order("BTC_USDT"))
    btc = next(w for w in ok(spot.get_wallet())["wallet"] if w["id"] == "BTC")
    assert btc["available"] == "0.49"

    # account
    assert ok(acct.get_currencies())["currencies"] and ok(acct.get_wallet())["wallet"]
    assert ok(acct.get_actual_trade_fee_rate("BTC_USDT"))["symbol"] == "BTC_USDT" and ok(acct.get_basic_fee_rate())
    assert ok(acct.get_withdraw_charge("USDT")) and ok(acct.get_deposit_withdraw_history_v2("withdraw", 10)) == {"records": []}


@pytest.mark.parametrize("call,code", [
    (lambda a: a.get_deposit_address("USDT-TRC20"), 60003),
    (lambda a: a.post_withdraw_apply("USDT-TRC20", "10", destination="To Digital Address", address="T0"), 60004),
    (lambda a: a.get_deposit_address("DOGE"), 60002),
])
def test_sdk_funding_answers_the_60000_codes_and_moves_nothing(sandbox, call, code):
    acct = APIAccount(api_key=EXAMPLE_KEY, secret_key=EXAMPLE_SECRET, memo=EXAMPLE_MEMO, url=sandbox.base_url, timeout=(2, 10))
    before = ok(acct.get_wallet())
    with pytest.raises(APIException) as raised:
        call(acct)
    assert raised.value.status_code == 400 and f'"code":{code}' in raised.value.response
    assert ok(acct.get_wallet()) == before


def test_ccxt_against_the_wooxpro_flavour_with_bitmart_headers():
    """WOO X Pro pages show X-BM-* on some endpoints: with --header-prefix X-BM- a BitMart client's
    futures calls work against the wooxpro flavour. Spot and /system/time are BitMart's only: WOO X Pro answers
    them as a path it lacks, a bare 404 {"error_msg": ...}, and ccxt 4.5.70's bitmart (whose handle_errors lowers
    a `message` the answer lacks) fails with an AttributeError, not an exchange error."""
    with Emulator("wooxpro") as wx:
        wx.controls.header_prefix = "X-BM-"
        ex = ccxt.bitmart({"apiKey": EXAMPLE_KEY, "secret": EXAMPLE_SECRET, "uid": EXAMPLE_MEMO, "enableRateLimit": False})
        ex.urls["api"] = {"spot": wx.base_url, "swap": wx.base_url}
        ex.markets = ex.markets_by_id = None
        contracts = ex.fetch_contract_markets()
        ex.set_markets(contracts)
        assert ex.fetch_balance({"type": "swap"})["USDT"]["free"] == 1000
        for undocumented in (ex.fetch_time, ex.fetch_spot_markets):
            with pytest.raises(AttributeError, match="'NoneType' object has no attribute 'lower'"):
                undocumented()
