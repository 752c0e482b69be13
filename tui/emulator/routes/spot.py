"""Spot public data and the spot wallet, with the spot table's codes (50000 series).

An unknown symbol -> 50001 "Symbol not found"; a missing one where it is required -> 50000.
"""

from __future__ import annotations

from decimal import Decimal

from tui.emulator.accounts import ZERO, text
from tui.emulator.market import CURRENCIES, SPOT_PAIRS, SpotPair, book
from tui.emulator.routes.common import Call, Refused, instrument, positive_int, timestamp

NAMES = {"USDT": "Tether USD", "BTC": "Bitcoin", "ETH": "Ethereum"}
STEPS = (1, 5, 15, 30, 60, 120, 240, 1440, 10080, 43200)  # minutes (spot kline page)


def pair(symbol: object) -> SpotPair:
    return instrument(SPOT_PAIRS, symbol, 50000, 50001)


def price_of(call: Call, p: SpotPair) -> Decimal:
    return call.state.market.spot_price(p, call.now)


def currencies(call: Call) -> object:
    return {"currencies": [{"id": c, "name": NAMES[c], "withdraw_enabled": False, "deposit_enabled": False} for c in CURRENCIES]}


def symbols(call: Call) -> object:
    return {"symbols": list(SPOT_PAIRS)}


def symbol_details(call: Call) -> object:
    return {"symbols": [{
        "symbol": p.symbol, "symbol_id": i + 1, "base_currency": p.base, "quote_currency": p.quote,
        "quote_increment": text(p.size_step), "base_min_size": text(p.min_size), "base_max_size": text(p.max_size),
        "price_min_precision": 2, "price_max_precision": p.price_decimals, "expiration": "NA",
        "min_buy_amount": text(p.min_notional), "min_sell_amount": text(p.min_notional), "trade_status": "trading",
    } for i, p in enumerate(SPOT_PAIRS.values())]}


def _day(call: Call, p: SpotPair) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    candles = call.state.market.candles(p.symbol, p.start_price, p.price_tick, call.now, 24, 60)
    return candles[0][1][0], max(k[1][1] for k in candles), min(k[1][2] for k in candles), candles[-1][1][3]


def _ticker(call: Call, p: SpotPair) -> dict[str, str]:
    open_, high, low, last = _day(call, p)
    asks, bids = book(last, p.price_tick)
    return {
        "symbol": p.symbol, "last": text(last), "v_24h": "100", "qv_24h": text(last * 100), "open_24h": text(open_),
        "high_24h": text(high), "low_24h": text(low), "fluctuation": text(((last - open_) / open_).quantize(Decimal("0.00001"))),
        "bid_px": text(bids[0]), "bid_sz": "1", "ask_px": text(asks[0]), "ask_sz": "1", "ts": str(call.now),
    }


def ticker(call: Call) -> object:
    return _ticker(call, pair(call.get("symbol")))


def tickers(call: Call) -> object:
    keys = ("symbol", "last", "v_24h", "qv_24h", "open_24h", "high_24h", "low_24h", "fluctuation", "bid_px", "bid_sz", "ask_px", "ask_sz", "ts")
    return [[t[k] for k in keys] for t in (_ticker(call, p) for p in SPOT_PAIRS.values())]


def books(call: Call) -> object:
    p = pair(call.get("symbol"))
    asks, bids = book(price_of(call, p), p.price_tick, positive_int(call.get("limit"), 35, 50))
    return {"ts": str(call.now), "symbol": p.symbol, "asks": [[text(a), "1"] for a in asks], "bids": [[text(b), "1"] for b in bids]}


def public_trades(call: Call) -> object:
    p = pair(call.get("symbol"))
    last = price_of(call, p)
    return [[p.symbol, str(call.now - i * 1000), text(last), "0.01", "buy" if i % 2 else "sell"] for i in range(positive_int(call.get("limit"), 50, 100))]


def klines(call: Call) -> object:
    p = pair(call.get("symbol"))
    step = positive_int(call.get("step"), 1, 43200)
    if step not in STEPS:
        raise Refused(50003)
    end_ms = call.now
    if call.get("before") not in (None, ""):
        end_ms = min(end_ms, timestamp(call.get("before"), 50002) * 1000)
    candles = call.state.market.candles(p.symbol, p.start_price, p.price_tick, end_ms, positive_int(call.get("limit"), 100, 200), step)
    return [[str(t // 1000), text(o), text(h), text(lo), text(cl), "1", text(cl)] for t, (o, h, lo, cl) in candles]


# -- private reads ---------------------------------------------------------------------------------------
def wallet(call: Call) -> object:
    with call.state.lock:
        acct = call.account
        # `total` as in real answers (ccxt's recorded fetchBalance, field-notes section 12): available plus frozen.
        return {"wallet": [
            {"id": c, "name": NAMES[c], "available": text(acct.spot_available(c)), "frozen": text(acct.spot_frozen.get(c, ZERO)),
             "total": text(acct.spot_available(c) + acct.spot_frozen.get(c, ZERO))}
            for c in CURRENCIES
        ]}


def trade_fee(call: Call) -> object:
    p = pair(call.get("symbol"))
    return {"symbol": p.symbol, "buy_taker_fee_rate": "0.0025", "sell_taker_fee_rate": "0.0025", "buy_maker_fee_rate": "0.0025",
            "sell_maker_fee_rate": "0.0025", "taker_fee_rate": "0.0025", "maker_fee_rate": "0.0025"}


def user_fee(call: Call) -> object:
    return {"user_rate_type": 0, "level": "LV1", "taker_fee_rate_A": "0.0025", "maker_fee_rate_A": "0.0025",
            "taker_fee_rate_B": "0.0025", "maker_fee_rate_B": "0.0025", "taker_fee_rate_C": "0.0025", "maker_fee_rate_C": "0.0025",
            "taker_fee_rate_D": "0.0025", "maker_fee_rate_D": "0.0025"}
