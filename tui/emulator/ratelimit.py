"""Per-endpoint rate limits, as BitMart's limits page describes them (tui.endpoints.LIMITS is the data).

Each endpoint counts in its own fixed window, per key when a valid key was sent and per client IP
otherwise (endpoints whose limit is per IP always count per IP). Beyond the count: 30013 (HTTP 429).
30017 (HTTP 418) is the emulator's own rule, since BitMart states no threshold: after `block_after`
429s in one window the bucket answers 418 until that window ends.

The clock is injectable (`monotonic`), so tests move time instead of sleeping.

The windows are bounded: past MAX_WINDOWS, those that have ended are dropped (a window is only replaced when
its bucket is counted again, so a client naming new buckets without end grew them without end; the handler
also counts every unknown path in one bucket: fresh-eyes attack on 26ca1db, 200 MB a second of 404s).
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from tui.endpoints import RateLimit


MAX_WINDOWS = 4096  # endpoints x (keys and client addresses) of a busy test run; past it, ended windows go


@dataclass(slots=True)
class Window:
    started: float
    window_s: float = 0.0
    count: int = 0
    rejected: int = 0  # 429s answered in this window


@dataclass(frozen=True, slots=True)
class RateCount:
    """What the rate-limit headers report. `used` counts requests in this window, this one included
    (BitMart's worked example: "Remaining: 10 ... has been called 10 times")."""

    used: int
    limit: int
    window_s: float
    mode: str  # "UID" (counted per key) or "IP"
    outcome: str = "ok"  # "ok" | "429" | "418"


@dataclass(frozen=True)
class Effective:
    """A limit after the switches: the scale, or a blanket override (the console's "3 per minute")."""

    count: int
    window_s: float


@functools.lru_cache(maxsize=256)
def effective(limit: RateLimit, scale: float, override: int | None, override_window_s: float | None) -> Effective:
    if override is not None:
        return Effective(max(1, int(override)), float(override_window_s or limit.window_s))
    return Effective(max(1, round(limit.count * scale)), float(override_window_s or limit.window_s))


class RateLimiter:
    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.monotonic = monotonic
        self._windows: dict[tuple[str, str], Window] = {}
        self._lock = threading.Lock()
        self.counted = 0  # requests counted since the last reset, every endpoint and bucket

    def reset(self) -> None:
        with self._lock:
            self._windows.clear()
            self.counted = 0

    def count(self, endpoint: str, who: str, mode: str, eff: Effective, block_after: int) -> RateCount:
        """Count one request against (endpoint, who) and say whether it passes, gets 429 or 418."""
        now = self.monotonic()
        key = (endpoint, who)
        with self._lock:
            w = self._windows.get(key)
            if w is None or now - w.started >= eff.window_s:
                if w is None and len(self._windows) >= MAX_WINDOWS:
                    self._drop_ended(now)
                w = self._windows[key] = Window(started=now, window_s=eff.window_s)
            w.count += 1
            self.counted += 1
            outcome = "ok"
            if w.count > eff.count:
                if w.rejected < block_after:
                    w.rejected += 1
                    outcome = "429"
                else:
                    outcome = "418"
            return RateCount(w.count, eff.count, eff.window_s, mode, outcome)

    def _drop_ended(self, now: float) -> None:
        for key in [k for k, w in self._windows.items() if now - w.started >= w.window_s]:
            del self._windows[key]

    def peek(self, endpoint: str, who: str, mode: str, eff: Effective) -> RateCount:
        """The window as it stands, without counting (answers given in front of the limiter)."""
        now = self.monotonic()
        with self._lock:
            w = self._windows.get((endpoint, who))
            used = 0 if w is None or now - w.started >= eff.window_s else w.count
        return RateCount(used, eff.count, eff.window_s, mode)
