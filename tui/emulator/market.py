"""The emulator's small market: instruments and a deterministic price per symbol.

Prices are a seeded random walk (log-normal steps), four sub-steps per minute of the emulator's
clock, starting from each instrument's start price at the minute the emulator started: the same seed
gives the same sequence of prices, run after run. A minute's candle is its four sub-steps. The book is
synthetic: five levels either side of the last price, one tick apart. Nothing trades against other
users: a marketable order fills at once against this book, a resting one waits until cancelled.
"""

from __future__ import annotations

import math
import random
import threading
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

EPOCH_MS = 1_704_067_200_000  # 2024-01-01T00:00:00Z
MINUTE_MS = 60_000
STEP_SIGMA = 0.001  # per sub-step: about 0.2 % per minute
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
    seeded generator, so a price never depends on the order in which minutes were asked for."""

    BLOCK = 256
    # The walk reaches about three months either side of the origin (4 steps a minute); past that it stays at its
    # edge. Before, each block was built by recursing into its neighbour: a candle asked for six months away
    # (a client's `since`, a large skew) overflowed the stack and the answer was HTTP 500.
    REACH_BLOCKS = 2048
    CACHED_BLOCKS = 64  # full blocks kept; start levels (one float a block) are all kept

    def __init__(self, seed: int = DEFAULT_SEED, origin_ms: int = EPOCH_MS) -> None:
        self.seed = seed
        self.origin_minute = origin_ms // MINUTE_MS
        self._starts: dict[tuple[str, int], float] = {}
        self._blocks: dict[tuple[str, int], list[float]] = {}
        self._lock = threading.Lock()

    def _steps(self, symbol: str, b: int) -> list[float]:
        rng = random.Random(f"{self.seed}:{symbol}:{b}")
        return [rng.gauss(0.0, STEP_SIGMA) for _ in range(self.BLOCK)]

    @staticmethod
    def _walked(level: float, steps: list[float], sign: int) -> list[float]:
        levels = [level]
        for step in steps:
            levels.append(levels[-1] + sign * step)
        return levels

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
                level = self._walked(level, self._steps(symbol, known), 1)[-1]
            else:  # block k - 1, walked back from its end
                level = self._walked(level, self._steps(symbol, known - 1), -1)[-1]
            known -= toward
            self._starts[(symbol, known)] = level
        return level

    def _block(self, symbol: str, b: int) -> list[float]:
        """Log-levels at the BLOCK + 1 sub-step boundaries of block b (block 0 starts at level 0)."""
        key = (symbol, b)
        levels = self._blocks.get(key)
        if levels is not None:
            return levels
        if b >= 0:
            levels = self._walked(self._start(symbol, b), self._steps(symbol, b), 1)
        else:
            levels = self._walked(self._start(symbol, b + 1), self._steps(symbol, b), -1)[::-1]
        if len(self._blocks) >= self.CACHED_BLOCKS:
            self._blocks.pop(next(iter(self._blocks)))  # the oldest: a client walks candles in one direction
        self._blocks[key] = levels
        return levels

    def _level(self, symbol: str, i: int) -> float:
        b, offset = divmod(i, self.BLOCK)
        if not -self.REACH_BLOCKS <= b < self.REACH_BLOCKS:  # beyond the reach: flat at the edge
            b, offset = (self.REACH_BLOCKS - 1, self.BLOCK) if b > 0 else (-self.REACH_BLOCKS, 0)
        with self._lock:
            return self._block(symbol, b)[offset]

    def minute(self, now_ms: int) -> int:
        return now_ms // MINUTE_MS - self.origin_minute

    def candle(self, symbol: str, start: Decimal, tick: Decimal, minute: int) -> tuple[Decimal, Decimal, Decimal, Decimal]:
        """(open, high, low, close) of one minute (relative to the origin), each rounded to the tick."""
        steps = [_to_tick(start * Decimal(repr(math.exp(self._level(symbol, 4 * minute + k)))), tick) for k in range(5)]
        return steps[0], max(steps), min(steps), steps[-1]

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
            minutes = range(bucket, min(bucket + step, absolute_last + 1))  # the current candle stops at now
            parts = [self.candle(symbol, start, tick, m - self.origin_minute) for m in minutes]
            ohlc = (parts[0][0], max(p[1] for p in parts), min(p[2] for p in parts), parts[-1][3])
            out.append((bucket * MINUTE_MS, ohlc))
        return out


def book(last: Decimal, tick: Decimal, levels: int = 5) -> tuple[list[Decimal], list[Decimal]]:
    """(asks ascending, bids descending), one tick apart, around the last price."""
    asks = [last + tick * (i + 1) for i in range(levels)]
    bids = [last - tick * (i + 1) for i in range(levels)]
    return asks, bids


def _to_tick(value: Decimal, tick: Decimal) -> Decimal:
    return (value / tick).quantize(Decimal(1), rounding=ROUND_DOWN) * tick
