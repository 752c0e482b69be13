"""The emulator's small market: instruments and a deterministic price per symbol.

Prices are a seeded random walk (small steps of the log price), four sub-steps per minute of the emulator's
clock, starting from each instrument's start price at the minute the emulator started: the same seed
gives the same sequence of prices, run after run. A minute's candle is its four sub-steps. The book is
synthetic: five levels either side of the last price, one tick apart. Nothing trades against other
users: a marketable order fills at once against this book, a resting one waits until cancelled.
"""

from __future__ import annotations

import hashlib
import math
import threading
from itertools import accumulate
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

EPOCH_MS = 1_704_067_200_000  # 2024-01-01T00:00:00Z
MINUTE_MS = 60_000
STEP_SIGMA = 0.001  # per sub-step: about 0.2 % per minute
# A step is a byte b as (2b - 255) half-units: centred on 0, its standard deviation scaled to STEP_SIGMA.
_HALF_UNIT = STEP_SIGMA / math.sqrt((256**2 - 1) / 3)
_CENTRED = [2 * b - 255 for b in range(256)]
DEFAULT_SEED = 7


@dataclass(frozen=True)
class Contract:
    """A USDT-margined perpetual (BitMart futures v2)."""

    symbol: str
    base: str
    contract_size: Decimal
    price_tick: Decimal
    start_price: Decimal
    min_leverage: int = 1
    max_leverage: int = 100


@dataclass(frozen=True)
class SpotPair:
    symbol: str
    base: str
    quote: str
    price_tick: Decimal
    size_step: Decimal  # base_min_size doubles as the size increment
    min_size: Decimal
    max_size: Decimal
    min_price: Decimal
    min_notional: Decimal
    start_price: Decimal

    @property
    def price_decimals(self) -> int:
        return -self.price_tick.as_tuple().exponent


CONTRACTS: dict[str, Contract] = {
    c.symbol: c
    for c in (
        Contract("BTCUSDT", "BTC", Decimal("0.001"), Decimal("0.1"), Decimal("60000.0")),
        Contract("ETHUSDT", "ETH", Decimal("0.01"), Decimal("0.01"), Decimal("3000.00"), max_leverage=75),
    )
}
SPOT_PAIRS: dict[str, SpotPair] = {
    p.symbol: p
    for p in (
        SpotPair("BTC_USDT", "BTC", "USDT", Decimal("0.01"), Decimal("0.00001"), Decimal("0.00001"), Decimal("100"),
                 Decimal("0.01"), Decimal("5"), Decimal("60000.00")),
        SpotPair("ETH_USDT", "ETH", "USDT", Decimal("0.01"), Decimal("0.0001"), Decimal("0.0001"), Decimal("1000"),
                 Decimal("0.01"), Decimal("5"), Decimal("3000.00")),
    )
}
CURRENCIES = ("USDT", "BTC", "ETH")


class Market:
    """Prices of every instrument as a function of the emulator's clock. Thread-safe; walks are cached.

    The walk's step 0 is the minute the emulator started (`origin_ms`); minutes before it walk backwards
    from there, so candles of the past exist too. Steps come in blocks of BLOCK, each drawn from its own
    seeded hash, so a price never depends on the order in which minutes were asked for.

    A step is a byte of the block's SHAKE-128 stream, centred and scaled to STEP_SIGMA. Within a block the
    walk is kept as whole numbers (twice the running sum of the bytes minus 255 a step), so a block ends
    exactly where the next one starts and its lowest and highest levels cost one min() and one max(). Before,
    a week's candle turned each of its 40,320 steps into a Decimal price: one kline request took a minute of CPU."""

    BLOCK = 256
    # The walk reaches about 22 days either side of the origin (4 steps a minute); past that it stays at its edge.
    # A weekly kline reads the lowest and highest level of every block in reach once (about 1,000 blocks, ~12 us
    # each: a fresh emulator's first long kline costs ~12 ms, then ~5); blocks used to be built by recursing into
    # their neighbour, and six months away overflowed the stack.
    REACH_BLOCKS = 512
    CACHED_BLOCKS = 64  # full blocks kept; start levels and each block's lowest and highest step are all kept

    def __init__(self, seed: int = DEFAULT_SEED, origin_ms: int = EPOCH_MS) -> None:
        self.seed = seed
        self.origin_minute = origin_ms // MINUTE_MS
        self._starts: dict[tuple[str, int], float] = {}
        self._blocks: dict[tuple[str, int], list[int]] = {}
        self._spans: dict[tuple[str, int], tuple[int, int, int]] = {}
        self._lock = threading.Lock()

    def _bytes(self, symbol: str, b: int) -> bytes:
        return hashlib.shake_128(f"{self.seed}:{symbol}:{b}".encode()).digest(self.BLOCK)

    def _start(self, symbol: str, b: int) -> float:
        """Log-level at the first boundary of block b, walked block by block from the nearest one known.
        A block of the past is walked backwards from the start of the block after it."""
        key = (symbol, b)
        if b == 0 or key in self._starts:
            return self._starts.get(key, 0.0)
        toward = -1 if b > 0 else 1  # toward block 0
        known = b
        while known != 0 and (symbol, known) not in self._starts:
            known += toward
        level = self._starts.get((symbol, known), 0.0)
        while known != b:
            if b > 0:  # block k ends where block k + 1 starts
                level = level + _HALF_UNIT * (2 * sum(self._bytes(symbol, known)) - 255 * self.BLOCK)
            else:  # block k - 1, walked back from its end
                level = level - _HALF_UNIT * (2 * sum(self._bytes(symbol, known - 1)) - 255 * self.BLOCK)
            known -= toward
            self._starts[(symbol, known)] = level
        return level

    def _steps(self, symbol: str, b: int) -> list[int]:
        """Block b's walk in whole half-units from its start: BLOCK + 1 boundaries, the first 0."""
        key = (symbol, b)
        walk = self._blocks.get(key)
        if walk is None:
            walk = list(accumulate(map(_CENTRED.__getitem__, self._bytes(symbol, b)), initial=0))
            if len(self._blocks) >= self.CACHED_BLOCKS:
                self._blocks.pop(next(iter(self._blocks)))  # the oldest: a client walks candles in one direction
            self._blocks[key] = walk
            self._spans[key] = (min(walk), max(walk), walk[-1])
        return walk

    def _span(self, symbol: str, b: int) -> tuple[int, int, int]:
        """Block b's lowest, highest and last step (kept for every block built: a week is 158 blocks)."""
        span = self._spans.get((symbol, b))
        if span is None:
            self._steps(symbol, b)
            span = self._spans[(symbol, b)]
        return span

    def _at(self, symbol: str, b: int, steps: int) -> float:
        """The log-level `steps` half-units from block b's start; a block of the past is placed from its end
        (the next block's start), the same sum either way, so blocks meet exactly."""
        if b >= 0:
            return self._start(symbol, b) + _HALF_UNIT * steps
        return self._start(symbol, b + 1) - _HALF_UNIT * (self._span(symbol, b)[2] - steps)

    def _place(self, i: int) -> tuple[int, int]:
        """(block, offset) of sub-step boundary i; beyond the reach, the edge (the walk is flat there)."""
        b, offset = divmod(i, self.BLOCK)
        if not -self.REACH_BLOCKS <= b < self.REACH_BLOCKS:
            b, offset = (self.REACH_BLOCKS - 1, self.BLOCK) if b > 0 else (-self.REACH_BLOCKS, 0)
        return b, offset

    def _level(self, symbol: str, i: int) -> float:
        b, offset = self._place(i)
        with self._lock:
            return self._at(symbol, b, self._steps(symbol, b)[offset])

    def _extremes(self, symbol: str, first: int, last: int) -> tuple[float, float]:
        """The lowest and highest level at boundaries first..last (first <= last): whole blocks from their
        kept spans, the two ends from their steps, so a week's candle costs its blocks, not its 40,320 steps."""
        (b0, o0), (b1, o1) = self._place(first), self._place(last)
        with self._lock:
            if b0 == b1:
                part = self._steps(symbol, b0)[o0 : o1 + 1]
                return self._at(symbol, b0, min(part)), self._at(symbol, b0, max(part))
            head, tail = self._steps(symbol, b0)[o0:], self._steps(symbol, b1)[: o1 + 1]
            lows, highs = [self._at(symbol, b0, min(head)), self._at(symbol, b1, min(tail))], [self._at(symbol, b0, max(head)), self._at(symbol, b1, max(tail))]
            for b in range(b0 + 1, b1):
                low, high, _ = self._span(symbol, b)
                lows.append(self._at(symbol, b, low))
                highs.append(self._at(symbol, b, high))
        return min(lows), max(highs)

    def minute(self, now_ms: int) -> int:
        return now_ms // MINUTE_MS - self.origin_minute

    def candle(self, symbol: str, start: Decimal, tick: Decimal, minute: int) -> tuple[Decimal, Decimal, Decimal, Decimal]:
        """(open, high, low, close) of one minute (relative to the origin), each rounded to the tick."""
        return self._ohlc(symbol, start, tick, minute, minute)

    def _ohlc(self, symbol: str, start: Decimal, tick: Decimal, first: int, last: int) -> tuple[Decimal, Decimal, Decimal, Decimal]:
        """The candle of minutes first..last: a price only grows with its level, so the highest price is the
        price of the highest level, and only four levels become Decimals."""
        low, high = self._extremes(symbol, 4 * first, 4 * last + 4)
        opening, closing = self._level(symbol, 4 * first), self._level(symbol, 4 * last + 4)
        return tuple(_price(start, tick, level) for level in (opening, high, low, closing))  # type: ignore[return-value]

    def last(self, symbol: str, start: Decimal, tick: Decimal, now_ms: int) -> Decimal:
        return self.candle(symbol, start, tick, self.minute(now_ms))[3]

    def contract_price(self, c: Contract, now_ms: int) -> Decimal:
        return self.last(c.symbol, c.start_price, c.price_tick, now_ms)

    def spot_price(self, p: SpotPair, now_ms: int) -> Decimal:
        return self.last(p.symbol, p.start_price, p.price_tick, now_ms)

    def candles(self, symbol: str, start: Decimal, tick: Decimal, end_ms: int, count: int, step: int = 1) -> list[tuple[int, tuple]]:
        """Up to `count` candles of `step` minutes each, the last one holding `end_ms`, oldest first:
        (open time in ms, (open, high, low, close))."""
        count = max(1, min(count, 500))
        step = max(1, step)
        absolute_last = end_ms // MINUTE_MS
        last_bucket = absolute_last - absolute_last % step
        out = []
        for n in range(count - 1, -1, -1):
            bucket = last_bucket - n * step
            until = min(bucket + step, absolute_last + 1) - 1  # the current candle stops at now
            ohlc = self._ohlc(symbol, start, tick, bucket - self.origin_minute, until - self.origin_minute)
            out.append((bucket * MINUTE_MS, ohlc))
        return out


def _price(start: Decimal, tick: Decimal, level: float) -> Decimal:
    return _to_tick(start * Decimal(repr(math.exp(level))), tick)


def book(last: Decimal, tick: Decimal, levels: int = 5) -> tuple[list[Decimal], list[Decimal]]:
    """(asks ascending, bids descending), one tick apart, around the last price."""
    asks = [last + tick * (i + 1) for i in range(levels)]
    bids = [last - tick * (i + 1) for i in range(levels)]
    return asks, bids


def _to_tick(value: Decimal, tick: Decimal) -> Decimal:
    return (value / tick).quantize(Decimal(1), rounding=ROUND_DOWN) * tick
