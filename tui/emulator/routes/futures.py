"""Futures (USDT-M perpetual, v2) public data and private reads, with the contract table's codes.

Choices where the documents are silent: a query of an unknown order -> 40035 "The order is not exist";
a missing field -> 40011 "Invalid request"; a symbol the venue does not list -> 40034.
"""

from __future__ import annotations

from decimal import Decimal

from tui.emulator.accounts import ACTIVATION_FIELDS, ORDER_DETAIL_FIELDS, PRESET_FIELDS, text
from tui.emulator.market import CONTRACTS, MINUTE_MS, Contract, book
from tui.emulator.routes.common import Call, Refused, instrument, positive_int, timestamp

STEPS = (1, 3, 5, 15, 30, 60, 120, 240, 360, 720, 1440, 4320, 10080)  # minutes, as the kline page lists them


def contract(symbol: object, required: bool = True) -> Contract | None:
    if symbol in (None, "") and not required:
        return None
    return instrument(CONTRACTS, symbol, 40011, 40034)


def price_of(call: Call, c: Contract) -> Decimal:
    return call.state.market.contract_price(c, call.now)


def _details(call: Call, c: Contract) -> dict[str, object]:
    last = price_of(call, c)
    day = call.state.market.candles(c.symbol, c.start_price, c.price_tick, call.now, 24, 60)
    high, low, open_ = max(k[1][1] for k in day), min(k[1][2] for k in day), day[0][1][0]
    return {
        "symbol": c.symbol, "product_type": 1, "open_timestamp": 1645977600000, "expire_timestamp": 0, "settle_timestamp": 0,
        "base_currency": c.base, "quote_currency": "USDT", "last_price": text(last), "volume_24h": "1000000",
        "turnover_24h": text(last * 1000), "index_price": text(last), "index_name": c.symbol,
        "contract_size": text(c.contract_size), "min_leverage": str(c.min_leverage), "max_leverage": str(c.max_leverage),
        "price_precision": text(c.price_tick), "vol_precision": "1", "max_volume": "1000000", "min_volume": "1",
        "funding_rate": "0.0001", "expected_funding_rate": "0.0001", "open_interest": "100000",
        "open_interest_value": text(last * 100), "high_24h": text(high), "low_24h": text(low),
        "change_24h": text(((last - open_) / open_).quantize(Decimal("0.0000001"))), "funding_time": call.now - call.now % 28_800_000 + 28_800_000,
        "market_max_volume": "100000", "funding_interval_hours": 8, "delist_time": 0, "status": "Trading",
    } | _best(c, last)


def _best(c: Contract, last: Decimal) -> dict[str, str]:
    """The best bid and ask with their sizes, under the names ccxt 4.5.70's parse_ticker reads from a swap ticker
    (best_bid / best_ask / best_bid_size / best_ask_size): without them a swap ticker reaches ccxt with bid and ask
    None. The book is the one /contract/public/depth shows."""
    asks, bids = book(last, c.price_tick)
    return {"best_bid": text(bids[0]), "best_bid_size": "10", "best_ask": text(asks[0]), "best_ask_size": "10"}


def details(call: Call) -> object:
    c = contract(call.get("symbol"), required=False)
    return {"symbols": [_details(call, x) for x in ([c] if c else CONTRACTS.values())]}


def depth(call: Call) -> object:
    c = contract(call.get("symbol"))
    asks, bids = book(price_of(call, c), c.price_tick)
    levels = lambda prices: [[text(p), str(10 * (i + 1)), str(sum(10 * (j + 1) for j in range(i + 1)))] for i, p in enumerate(prices)]  # noqa: E731
    return {"asks": levels(asks), "bids": levels(bids), "timestamp": call.now, "symbol": c.symbol}


def kline(call: Call) -> object:
    c = contract(call.get("symbol"))
    step = positive_int(call.get("step"), 1, 10080)
    if step not in STEPS:
        raise Refused(40038)
    start, end = timestamp(call.get("start_time", 0), 40039), timestamp(call.get("end_time", call.now // 1000), 40039)
    end_ms = min(end * 1000, call.now)
    count = max(1, min(500, (end_ms - start * 1000) // (step * MINUTE_MS) + 1)) if start else 100
    candles = call.state.market.candles(c.symbol, c.start_price, c.price_tick, end_ms, count, step)
    return [
        {"timestamp": t // 1000, "open_price": text(o), "high_price": text(h), "low_price": text(lo), "close_price": text(cl), "volume": "100"}
        for t, (o, h, lo, cl) in candles
    ]


def market_trades(call: Call) -> object:
    c = contract(call.get("symbol"))
    last = price_of(call, c)
    return [
        {"symbol": c.symbol, "price": text(last), "qty": "1", "quote_qty": text(last * c.contract_size), "time": call.now - i * 1000,
         "is_buyer_maker": bool(i % 2)}
        for i in range(positive_int(call.get("limit"), 10, 100))
    ]


def funding_rate(call: Call) -> object:
    c = contract(call.get("symbol"))
    return {"timestamp": call.now, "symbol": c.symbol, "rate_value": "0.0001", "expected_rate": "0.0001", "funding_time": call.now + 3_600_000}


# -- private reads ---------------------------------------------------------------------------------------
def assets_detail(call: Call) -> object:
    with call.state.lock:
        acct = call.account
        unrealized = sum((p.unrealized(price_of(call, CONTRACTS[p.symbol])) for p in acct.positions.values()), Decimal(0))
        return [{
            "currency": "USDT",
            "position_deposit": text(acct.position_margin),
            "frozen_balance": text(acct.frozen_margin),
            "available_balance": text(acct.available),
            "equity": text(acct.futures_balance + unrealized),
            "unrealized": text(unrealized),
        }]


def fee_rate(call: Call) -> object:
    c = contract(call.get("symbol"))
    return {"symbol": c.symbol, "taker_fee_rate": "0.0006", "maker_fee_rate": "0.0002"}


def query_order(call: Call) -> object:
    c = contract(call.get("symbol"))
    order_id = call.get("order_id")
    if order_id in (None, ""):
        raise Refused(40011)
    with call.state.lock:
        order = call.account.orders.get(str(order_id))
        if order is None or order.symbol != c.symbol:
            raise Refused(40035)
        return order.as_data(ORDER_DETAIL_FIELDS)


def _orders(call: Call, only_open: bool) -> list[dict[str, object]]:
    c = contract(call.get("symbol"), required=False)
    with call.state.lock:
        orders = list(call.account.orders.values())
        extra = PRESET_FIELDS if only_open else ACTIVATION_FIELDS
        return [o.as_data(extra) for o in orders if (c is None or o.symbol == c.symbol) and (o.state == 2) == only_open]


def order_history(call: Call) -> object:
    return _orders(call, only_open=False)


def open_orders(call: Call) -> object:
    return _orders(call, only_open=True)


def positions(call: Call) -> object:
    c = contract(call.get("symbol"), required=False)
    with call.state.lock:
        held = [p for p in call.account.positions.values() if c is None or p.symbol == c.symbol]
        return [p.as_data(price_of(call, CONTRACTS[p.symbol]), call.now) for p in held]


def trades(call: Call) -> object:
    c = contract(call.get("symbol"), required=False)
    with call.state.lock:
        return [t for t in call.account.futures_trades if c is None or t["symbol"] == c.symbol]


def get_position_mode(call: Call) -> object:
    with call.state.lock:
        return {"position_mode": call.account.position_mode}
