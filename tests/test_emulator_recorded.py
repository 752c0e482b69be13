"""The emulator's answers shaped as the venues' recorded ones (ccxt 4.5.70's ts/src/test/static/response/bitmart.json,
field-notes section 12; WOO X Pro's pages), in both dialects, read by ccxt's own parsers where ccxt has one."""

from __future__ import annotations

from email.utils import parsedate_to_datetime

import ccxt
import httpx
import pytest

from keys.demo import EXAMPLE_KEY, EXAMPLE_MEMO, EXAMPLE_SECRET
from keys.signing import AuthLevel
from keys.venue_signer import VenueSigner
from tui.emulator import Emulator

from recorded import success_word

# What ccxt's recorded fetchOrder (swap) carries beyond the order itself, for an order with no trailing or preset parts.
DETAIL_FIELDS = {"activation_price": "", "callback_rate": "", "activation_price_type": 0, "executive_order_id": "",
                 "preset_take_profit_price_type": 0, "preset_stop_loss_price_type": 0, "preset_take_profit_price": "",
                 "preset_stop_loss_price": ""}
ACTIVATION = ("activation_price", "callback_rate", "activation_price_type")


@pytest.fixture(scope="module", params=["bitmart", "wooxpro"])
def venue(request):
    with Emulator(request.param) as emu:
        yield emu


@pytest.fixture
def ex(venue):
    venue.state.reset()
    venue.controls.header_prefix = "both"  # ccxt's bitmart signs X-BM-*, which WOO X Pro's pages show too
    venue.controls.rate_scale = 100
    exchange = ccxt.bitmart({"apiKey": EXAMPLE_KEY, "secret": EXAMPLE_SECRET, "uid": EXAMPLE_MEMO, "enableRateLimit": False})
    exchange.urls["api"] = {"spot": venue.base_url, "swap": venue.base_url}
    exchange.set_markets(exchange.fetch_contract_markets())
    return exchange


def keyed(emu: Emulator, path: str, **query: str) -> httpx.Response:
    signer = VenueSigner(emu.demo_credentials(), emu.venue.header_set, AuthLevel.KEYED)
    return httpx.get(emu.base_url + path, params=query, auth=signer)


def test_a_futures_order_detail_and_history_carry_the_recorded_fields(ex, venue):
    order = ex.create_order("BTC/USDT:USDT", "limit", "buy", 1, 20000)
    detail = ex.fetch_order(order["id"], "BTC/USDT:USDT")
    assert {k: detail["info"][k] for k in DETAIL_FIELDS} == DETAIL_FIELDS
    assert detail["status"] == "open" and detail["price"] == 20000  # ccxt's parser reads the rest as before
    ex.cancel_order(order["id"], "BTC/USDT:USDT")
    (history,) = keyed(venue, "/contract/private/order-history", symbol="BTCUSDT").json()["data"]
    assert {k: history[k] for k in ACTIVATION} == {k: DETAIL_FIELDS[k] for k in ACTIVATION}
    assert "executive_order_id" not in history  # the history carries the activation fields only
    (closed,) = ex.fetch_closed_orders("BTC/USDT:USDT")
    assert closed["id"] == order["id"] and closed["status"] == "closed"


def test_a_swap_ticker_reaches_ccxt_with_bid_and_ask(ex):
    ticker = ex.fetch_ticker("BTC/USDT:USDT")
    book = ex.fetch_order_book("BTC/USDT:USDT")
    assert ticker["bid"] == book["bids"][0][0] and ticker["ask"] == book["asks"][0][0]
    assert ticker["bid"] < ticker["last"] < ticker["ask"] and ticker["bidVolume"] > 0 and ticker["askVolume"] > 0


def test_success_is_worded_as_each_endpoint_words_it(venue):
    paths = ["/contract/public/details", "/contract/private/assets-detail"]
    if venue.flavour == "bitmart":
        paths += ["/system/time", "/spot/v1/wallet", "/spot/quotation/v3/ticker?symbol=BTC_USDT", "/account/v1/wallet"]
    for path in paths:
        path, _, query = path.partition("?")
        body = keyed(venue, path, **dict([query.split("=")] if query else [])).json()
        assert (body["code"], body["message"]) == (1000, success_word(path)), path


def test_spot_v2_orders_say_ok_and_v4_queries_success(emu):  # BitMart's: WOO X Pro documents no spot endpoint
    venue = emu
    ex = ccxt.bitmart({"apiKey": EXAMPLE_KEY, "secret": EXAMPLE_SECRET, "uid": EXAMPLE_MEMO, "enableRateLimit": False,
                       "enableLastJsonResponse": True})
    ex.urls["api"] = {"spot": venue.base_url, "swap": venue.base_url}
    ex.load_markets()
    order = ex.create_order("BTC/USDT", "limit", "buy", 0.001, 20000)
    assert ex.last_json_response["message"] == "OK"  # /spot/v2/submit_order, as recorded
    ex.fetch_open_orders("BTC/USDT")
    assert ex.last_json_response["message"] == "success"  # /spot/v4/query/open-orders
    ex.cancel_order(order["id"], "BTC/USDT")
    assert ex.last_json_response["message"] == "OK"  # /spot/v3/cancel_order: "OK" in the recording


def test_spot_wallet_rows_carry_their_total(emu):  # BitMart's: WOO X Pro documents no spot endpoint
    venue = emu
    ex = ccxt.bitmart({"apiKey": EXAMPLE_KEY, "secret": EXAMPLE_SECRET, "uid": EXAMPLE_MEMO, "enableRateLimit": False})
    ex.urls["api"] = {"spot": venue.base_url, "swap": venue.base_url}
    ex.load_markets()
    ex.create_order("BTC/USDT", "limit", "buy", 0.001, 20000)  # 20 USDT frozen
    rows = {r["id"]: r for r in keyed(venue, "/spot/v1/wallet").json()["data"]["wallet"]}
    assert (rows["USDT"]["available"], rows["USDT"]["frozen"], rows["USDT"]["total"]) == ("9980", "20", "10000")
    balance = ex.fetch_balance()["USDT"]
    assert (balance["free"], balance["used"], balance["total"]) == (9980, 20, 10000)


def test_30013_per_user_has_its_u_prefix_and_per_ip_none(ex, venue):
    venue.controls.rate_limit = 1
    first, limited = keyed(venue, "/contract/private/assets-detail"), keyed(venue, "/contract/private/assets-detail")
    assert first.json()["code"] == 1000 and limited.headers["X-BM-RateLimit-Mode"] == "UID"
    assert limited.json()["message"] == "(U)Request too many requests" and limited.status_code == 429
    assert limited.headers["X-BM-RateLimit-Remaining"] == "1"  # never past the limit
    public = [httpx.get(venue.base_url + "/contract/public/details") for _ in range(2)][1]
    assert public.headers["X-BM-RateLimit-Mode"] == "IP" and public.json()["message"] == "Request too many requests"
    with pytest.raises(ccxt.RateLimitExceeded):  # ccxt's map reads the prefixed message as a rate limit
        ex.fetch_balance({"type": "swap"})


def test_a_completed_maintenance_ended_in_the_past(emu):  # BitMart's: WOO X Pro documents no service endpoint
    venue = emu
    for maintenance, status in ((False, 2), (True, 1)):
        venue.controls.maintenance = maintenance
        resp = httpx.get(venue.base_url + "/system/service")
        now_ms = parsedate_to_datetime(resp.headers["Date"]).timestamp() * 1000
        for row in resp.json()["data"]["service"]:
            assert row["status"] == status and row["start_time"] < now_ms
            assert (row["end_time"] < now_ms) if status == 2 else (row["end_time"] > now_ms + 1000)
    venue.controls.maintenance = False
    ex = ccxt.bitmart({"enableRateLimit": False})
    ex.urls["api"] = {"spot": venue.base_url, "swap": venue.base_url}
    assert ex.fetch_status()["status"] == "ok"
