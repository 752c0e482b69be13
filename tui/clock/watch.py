"""`keyprobe skew --watch`: measure the offset every interval, fit the drift, forecast when it leaves the windows.

Time comes from a `WatchClock` (the wall clock and a sleep), so a test runs hours of watching in
milliseconds with exact expectations: it passes a clock whose sleep moves time on, and gives the
emulator the same clock (EmulatorState.monotonic) for its drift.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from tui.clock.measure import ClockUnavailable, measure, recv_window_for
from tui.clock.drift import ClockPoint, Crossing, DriftFit, fit
from tui.clock.estimate import DEFAULT_SAMPLES, RECV_WINDOW_MS, TIMESTAMP_WINDOW_MS, ClockEstimate
from tui.venues import Venue


@dataclass(frozen=True)
class WatchClock:
    wall_ms: Callable[[], float]  # local wall-clock time, epoch milliseconds
    sleep: Callable[[float], Awaitable[None]]  # seconds


SYSTEM = WatchClock(lambda: time.time_ns() / 1e6, asyncio.sleep)


@dataclass(frozen=True)
class WatchUpdate:
    number: int  # 1 for the first measurement of this run
    at_ms: float
    estimate: ClockEstimate | None  # None: this measurement failed (`failure` says why)
    fit: DriftFit | None  # over this run's points and the ones kept from before
    recv_window: Crossing | None  # when the fit has enough points
    timestamp_window: Crossing | None
    recv_window_ms: float | None = RECV_WINDOW_MS  # None: the venue takes none (WOO X Pro)
    failure: str | None = None
    unreachable: bool = False  # the failure was a transport failure (the venue could not be reached)
    note: str | None = None  # e.g. the samples could not be kept

    def to_dict(self) -> dict:
        def crossing(c: Crossing | None) -> dict | None:
            if c is None:
                return None
            rounded = {k: (None if v is None else round(v / 1000, 1)) for k, v in
                       (("in_s", c.in_ms), ("soonest_s", c.soonest_ms), ("latest_s", c.latest_ms))}
            return {"window_ms": c.window_ms, **rounded, "outside_now": c.outside_now}

        return {
            "n": self.number,
            "at_ms": round(self.at_ms, 3),
            "estimate": self.estimate.to_dict() if self.estimate is not None else None,
            "failure": self.failure,
            "fit": self.fit.to_dict() if self.fit is not None else None,
            "forecast": {"recv_window": crossing(self.recv_window), "timestamp_window": crossing(self.timestamp_window)},
            "recv_window_ms": self.recv_window_ms,
            "note": self.note,
        }


def forecast(f: DriftFit | None, recv_window_ms: float | None) -> tuple[Crossing | None, Crossing | None]:
    if f is None or not f.enough:
        return None, None
    return (f.crossing(recv_window_ms) if recv_window_ms is not None else None), f.crossing(TIMESTAMP_WINDOW_MS)


async def watch(
    wire: object,
    venue: Venue,
    *,
    interval_s: float,
    duration_s: float | None,
    on_update: Callable[[WatchUpdate], None],
    history: list[ClockPoint] | None = None,
    keep: Callable[[ClockPoint], str | None] | None = None,
    recv_window_ms: float | None = None,
    samples: int = DEFAULT_SAMPLES,
    clock: WatchClock | None = None,
) -> list[ClockPoint]:
    """Measure at start, start + interval, ... while within `duration_s` (None: until cancelled), calling
    `on_update` after each. `history`: points from earlier runs to continue; `keep` stores each new point
    (a sentence back when it could not). Returns every point the fit saw. A venue with no readable clock
    at all (ClockUnavailable without a transport failure) ends the watch with that update."""
    clock = clock or SYSTEM
    recv_window_ms = recv_window_for(venue, recv_window_ms)
    points = list(history or [])
    start = clock.wall_ms()
    number = 0
    while True:
        number += 1
        try:
            estimate = await measure(wire, venue, samples, recv_window_ms)
        except ClockUnavailable as exc:
            at = clock.wall_ms()
            f = fit(points)
            on_update(WatchUpdate(number, at, None, f, *forecast(f, recv_window_ms), recv_window_ms, str(exc),
                                  unreachable=exc.failure is not None))
            if exc.failure is None:
                return points
        else:
            at = clock.wall_ms()
            low, high = estimate.interval
            point = ClockPoint(at, estimate.offset_ms, low, high)
            points.append(point)
            note = keep(point) if keep is not None else None
            f = fit(points)
            on_update(WatchUpdate(number, at, estimate, f, *forecast(f, recv_window_ms), recv_window_ms, note=note))
        next_at = start + number * interval_s * 1000
        if duration_s is not None and next_at > start + duration_s * 1000:
            return points
        await clock.sleep(max(0.0, next_at - clock.wall_ms()) / 1000)
