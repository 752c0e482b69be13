"""Public channels from the emulator's market: ticker, depth, trades and klines, in each dialect's shape.

The numbers are the REST routes' (the same ticker, book and candles, read at the emulator's clock), so a
client that mixes REST and WebSocket sees one market. Shapes: ccxt pro 4.5.70's bitmart.py (its handlers'
recorded examples) and developer.wooxpro.com/english/websocket/ticker. Public trades are synthetic, as the
REST route's are: one per push at the last price (nothing else trades on this venue).
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

from tui.emulator.accounts import text
from tui.emulator.market import CONTRACTS, SPOT_PAIRS, book
from tui.emulator.routes import futures as futures_routes
from tui.emulator.routes import spot as spot_routes
from tui.emulator.routes.common import Call
from tui.emulator.state import EmulatorState
from tui.ws.dialects import Channel, Dialect

DEPTHS = (5, 20, 50)
_INTERVAL = re.compile(r"([0-9]{1,3})([mhHdDwWM])")
_UNIT_MINUTES = {"m": 1, "h": 60, "H": 60, "d": 1440, "D": 1440, "w": 10080, "W": 10080, "M": 43200}


class TopicRefused(Exception):
    """A topic the venue does not serve: `code` the WebSocket table's (spot), `words` the futures format's."""

    def __init__(self, code: int, words: str) -> None:
        super().__init__(words)
        self.code, self.words = code, words


def parse_topic(dialect: Dialect, topic: object) -> tuple[Channel, str, int | None]:
    """(the channel, the filter after `:`, the depth or kline minutes) of a topic; TopicRefused otherwise."""
    if not isinstance(topic, str) or not topic:
        raise TopicRefused(90003, "Invalid args param")
    channel = dialect.channel(topic)
    if channel is None:
        raise TopicRefused(90004, f"Invalid channel param [{topic[:80]}]")
    name, _, filter_ = topic.partition(":")
    number = _number(channel, name)
    if channel.filter == "symbol":
        table = SPOT_PAIRS if dialect.market == "spot" else CONTRACTS
        if filter_ not in table:
            raise TopicRefused(92001, f"Invalid symbol param [{filter_[:40]}]")
    elif channel.filter == "currency":
        if filter_ not in ("USDT", "BTC", "ETH"):
            raise TopicRefused(90004, f"Invalid channel param [{topic[:80]}]")
    elif channel.filter and filter_ != channel.filter:
        raise TopicRefused(90004, f"Invalid channel param [{topic[:80]}]")
    return channel, filter_, number


def _number(channel: Channel, name: str) -> int | None:
    if "{n}" not in channel.name:
        return None
    tail = name[len(channel.name.partition("{")[0]):]
    if channel.kind == "depth":
        if not (tail.isascii() and tail.isdigit()) or int(tail) not in DEPTHS:  # '²' is no digit to int
            raise TopicRefused(90004, f"Invalid channel param [{name[:80]}]")
        return int(tail)
    found = _INTERVAL.fullmatch(tail)
    if found is None:
        raise TopicRefused(90004, f"Invalid channel param [{name[:80]}]")
    return int(found[1]) * _UNIT_MINUTES[found[2]]


def frames(state: EmulatorState, dialect: Dialect, topic: str, seq: int) -> list[dict]:
    """The frames one push of a public topic sends now."""
    channel, symbol, number = parse_topic(dialect, topic)
    now = state.now_ms()
    call = Call(state, None, {"symbol": symbol}, now)
    if dialect.market == "spot":
        return _spot(call, channel, topic, symbol, number, seq)
    return _futures(call, channel, topic, symbol, number, seq)


def _spot(call: Call, channel: Channel, topic: str, symbol: str, number: int | None, seq: int) -> list[dict]:
    p, now = SPOT_PAIRS[symbol], call.now
    table = topic.partition(":")[0]
    if channel.kind == "ticker":
        t = spot_routes._ticker(call, p)
        data = {"symbol": symbol, "last_price": t["last"], "open_24h": t["open_24h"], "high_24h": t["high_24h"],
                "low_24h": t["low_24h"], "base_volume_24h": t["v_24h"], "quote_volume_24h": t["qv_24h"],
                "fluctuation": t["fluctuation"], "bid_px": t["bid_px"], "bid_sz": t["bid_sz"], "ask_px": t["ask_px"],
                "ask_sz": t["ask_sz"], "s_t": now // 1000, "ms_t": now}
    elif channel.kind == "depth":
        asks, bids = book(spot_routes.price_of(call, p), p.price_tick, number or 5)
        data = {"asks": [[text(a), "1"] for a in asks], "bids": [[text(b), "1"] for b in bids], "ms_t": now, "symbol": symbol}
    elif channel.kind == "trade":
        data = {"symbol": symbol, "price": text(spot_routes.price_of(call, p)), "size": text(p.min_size * 10),
                "side": "buy" if seq % 2 else "sell", "s_t": now // 1000, "ms_t": now}
    else:
        ((start, (o, h, lo, c)),) = call.state.market.candles(symbol, p.start_price, p.price_tick, now, 1, number or 1)
        data = {"candle": [start // 1000, text(o), text(h), text(lo), text(c), "1"], "symbol": symbol}
    return [{"table": table, "data": [data]}]


def _futures(call: Call, channel: Channel, topic: str, symbol: str, number: int | None, seq: int) -> list[dict]:
    c, now = CONTRACTS[symbol], call.now
    last = futures_routes.price_of(call, c)
    if channel.kind == "ticker":
        asks, bids = book(last, c.price_tick)
        details = futures_routes._details(call, c)
        return [{"group": topic, "data": {
            "symbol": symbol, "last_price": text(last), "volume_24": details["volume_24h"], "range": details["change_24h"],
            "mark_price": text(last), "index_price": text(last), "ask_price": text(asks[0]), "ask_vol": "10",
            "bid_price": text(bids[0]), "bid_vol": "10"}}]
    if channel.kind == "depth":
        asks, bids = book(last, c.price_tick, number or 5)
        side = lambda way, prices: {"group": topic, "data": {  # noqa: E731
            "symbol": symbol, "way": way, "depths": [{"price": text(x), "vol": str(10 * (i + 1))} for i, x in enumerate(prices)],
            "ms_t": now}}
        return [side(1, bids), side(2, asks)]
    if channel.kind == "trade":
        stamp = datetime.fromtimestamp(now / 1000, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f") + "Z"
        return [{"group": topic, "data": [{"trade_id": str(now * 10 + seq % 10), "symbol": symbol, "deal_price": text(last),
                                            "deal_vol": "1", "way": 1 + seq % 2, "m": bool(seq % 2), "created_at": stamp}]}]
    ((start, (o, h, lo, cl)),) = call.state.market.candles(symbol, c.start_price, c.price_tick, now, 1, number or 1)
    return [{"group": topic, "data": {"symbol": symbol, "items": [
        {"o": text(o), "h": text(h), "l": text(lo), "c": text(cl), "v": "100", "ts": start // 1000}]}}]
