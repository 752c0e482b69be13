"""How fast the server's clock runs away from ours: a line through offset measurements over time, with
honest bounds on its slope, and when the offset will leave a window. Pure functions, no network.

Each measurement is a local time and an interval the offset was in then (tui.clock.estimate). If the
drift is steady, one line passes through every interval; the slopes that allow it form a range
[low, high], found exactly from pairs: a line of slope r passes through all intervals exactly when, for
every two measurements i before j, r * (tj - ti) lies between Lj - Hi and Hj - Li. That range is the
drift's error bound. The drift itself is the weighted least-squares slope of the estimates, kept inside
that range.

When no line passes through them all (the local clock was stepped, by NTP or by hand, or the rate
changed), the fit keeps the longest run of recent measurements that one line does explain, and says
from when.

A drift of r ppm moves the offset by r microseconds per second: 50 ppm is 4.3 s a day, so a 5 s
recvWindow goes in about a day from an offset near zero.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

PPM = 1e-6  # a drift in ppm times this is ms of offset per ms of time
MIN_FIT_POINTS = 3
MIN_FIT_SPAN_MS = 30_000.0  # below this, a +/-0.5 ms interval alone allows +/-30 ppm
MIN_WEIGHT_MS = 0.05  # an interval narrower than this weighs as much as one this wide


@dataclass(frozen=True)
class ClockPoint:
    """One measurement: when (local wall-clock ms), the offset estimate and the interval it is known to be in."""

    at_ms: float
    offset_ms: float
    low_ms: float
    high_ms: float

    @property
    def half_width_ms(self) -> float:
        return (self.high_ms - self.low_ms) / 2


@dataclass(frozen=True)
class Crossing:
    """When the offset leaves +/- window_ms, counted from the fit's reference time (the last measurement)."""

    window_ms: float
    in_ms: float | None  # at the fitted drift; None: it does not head out (or is already outside)
    soonest_ms: float | None  # at the worst drift the measurements allow; None: it may never leave
    latest_ms: float | None  # at the mildest drift that still leaves; None: it may never leave
    outside_now: bool = False


@dataclass(frozen=True)
class DriftFit:
    points: int  # measurements the fit uses (the latest consistent run)
    span_ms: float  # from the first of them to the last
    at_ms: float  # the reference time: the last measurement
    offset_ms: float  # the fitted offset at at_ms
    offset_low_ms: float  # the offsets a line through every interval may have at at_ms
    offset_high_ms: float
    drift_ppm: float
    drift_low_ppm: float  # the slopes a line through every interval may have
    drift_high_ppm: float
    restarted_at_ms: float | None = None  # the measurement the fit starts from after a step, if there was one

    @property
    def enough(self) -> bool:
        """Enough measurements, far enough apart, for the drift to mean something."""
        return self.points >= MIN_FIT_POINTS and self.span_ms >= MIN_FIT_SPAN_MS

    @property
    def drift_bound_ppm(self) -> float:
        return max(self.drift_ppm - self.drift_low_ppm, self.drift_high_ppm - self.drift_ppm)

    def offset_at(self, at_ms: float) -> float:
        return self.offset_ms + self.drift_ppm * PPM * (at_ms - self.at_ms)

    def crossing(self, window_ms: float) -> Crossing:
        """When |offset| reaches `window_ms`: at the fitted drift, at the worst and at the mildest drift allowed."""
        if max(abs(self.offset_low_ms), abs(self.offset_high_ms)) >= window_ms:
            return Crossing(window_ms, None, 0.0, None, outside_now=abs(self.offset_ms) >= window_ms)
        fitted = _leaves(self.offset_ms, self.drift_ppm, window_ms)
        # The worst case: the fastest drift either way, from the end of the offset's range nearest that side.
        soonest = _earliest([_leaves(self.offset_high_ms, self.drift_high_ppm, window_ms),
                             _leaves(self.offset_low_ms, self.drift_low_ppm, window_ms)])
        latest = None
        if self.drift_low_ppm > 0:  # every allowed line heads up: the slowest leaves last
            latest = _leaves(self.offset_low_ms, self.drift_low_ppm, window_ms)
        elif self.drift_high_ppm < 0:
            latest = _leaves(self.offset_high_ms, self.drift_high_ppm, window_ms)
        return Crossing(window_ms, fitted, soonest, latest)

    def to_dict(self) -> dict:
        return {
            "points": self.points,
            "span_s": round(self.span_ms / 1000, 3),
            "enough": self.enough,
            "at_ms": round(self.at_ms, 3),
            "offset_ms": round(self.offset_ms, 3),
            "offset_interval_ms": [round(self.offset_low_ms, 3), round(self.offset_high_ms, 3)],
            "drift_ppm": round(self.drift_ppm, 4),
            "drift_interval_ppm": [round(self.drift_low_ppm, 4), round(self.drift_high_ppm, 4)],
            "restarted_at_ms": self.restarted_at_ms,
        }


def _leaves(offset_ms: float, drift_ppm: float, window_ms: float) -> float | None:
    """ms until offset + drift * t reaches +window (drifting up) or -window (down); None when it does not move."""
    rate = drift_ppm * PPM
    if rate > 0:
        return (window_ms - offset_ms) / rate
    if rate < 0:
        return (window_ms + offset_ms) / -rate
    return None


def _earliest(times: list[float | None]) -> float | None:
    found = [t for t in times if t is not None]
    return min(found) if found else None


def consistent_run(points: list[ClockPoint]) -> tuple[int, float, float]:
    """(start, low, high): the latest measurements from `start` on are all explained by one line, and the
    slopes (ms per ms) such a line may have. `points` are in time order."""
    start = len(points)
    low, high = -math.inf, math.inf
    while start > 0:
        candidate = points[start - 1]
        new_low, new_high = low, high
        for later in points[start:]:
            dt = later.at_ms - candidate.at_ms
            if dt > 0:
                new_low = max(new_low, (later.low_ms - candidate.high_ms) / dt)
                new_high = min(new_high, (later.high_ms - candidate.low_ms) / dt)
            elif later.low_ms > candidate.high_ms or candidate.low_ms > later.high_ms:  # same instant, apart
                new_low, new_high = math.inf, -math.inf
        if new_low > new_high:
            break
        low, high, start = new_low, new_high, start - 1
    return start, low, high


def fit(points: list[ClockPoint] | tuple[ClockPoint, ...]) -> DriftFit | None:
    """The drift through `points` (any order), or None with fewer than two at different times."""
    ordered = sorted(points, key=lambda p: p.at_ms)
    start, low, high = consistent_run(ordered)
    used = ordered[start:]
    if len(used) < 2 or used[-1].at_ms == used[0].at_ms:
        return None
    slope = _weighted_slope(used)
    slope = min(max(slope, low), high)
    ref = used[-1].at_ms
    # The offsets at `ref` of lines with this slope through every interval, and the weighted fit's own.
    off_low = max(p.low_ms + slope * (ref - p.at_ms) for p in used)
    off_high = min(p.high_ms + slope * (ref - p.at_ms) for p in used)
    offset = min(max(_weighted_offset(used, slope, ref), off_low), off_high)
    # The offsets at `ref` any allowed line may have, for the worst-case forecast. `ref` is the last time, so
    # both ends grow with the slope: the lowest is at the lowest slope, the highest at the highest.
    any_low = max(p.low_ms + low * (ref - p.at_ms) for p in used)
    any_high = min(p.high_ms + high * (ref - p.at_ms) for p in used)
    return DriftFit(
        points=len(used),
        span_ms=ref - used[0].at_ms,
        at_ms=ref,
        offset_ms=offset,
        offset_low_ms=any_low,
        offset_high_ms=any_high,
        drift_ppm=slope / PPM,
        drift_low_ppm=low / PPM,
        drift_high_ppm=high / PPM,
        restarted_at_ms=used[0].at_ms if start else None,
    )


def _weights(points: list[ClockPoint]) -> list[float]:
    return [1 / max(p.half_width_ms, MIN_WEIGHT_MS) ** 2 for p in points]


def _weighted_slope(points: list[ClockPoint]) -> float:
    w = _weights(points)
    total = sum(w)
    t_mean = sum(wi * p.at_ms for wi, p in zip(w, points)) / total
    y_mean = sum(wi * p.offset_ms for wi, p in zip(w, points)) / total
    sxx = sum(wi * (p.at_ms - t_mean) ** 2 for wi, p in zip(w, points))
    sxy = sum(wi * (p.at_ms - t_mean) * (p.offset_ms - y_mean) for wi, p in zip(w, points))
    return sxy / sxx if sxx > 0 else 0.0


def _weighted_offset(points: list[ClockPoint], slope: float, ref: float) -> float:
    w = _weights(points)
    return sum(wi * (p.offset_ms + slope * (ref - p.at_ms)) for wi, p in zip(w, points)) / sum(w)


def duration(ms: float) -> str:
    """A span for people: 45 s, 12 min, 27.8 h, 13.9 days."""
    s = abs(ms) / 1000
    if s < 120:
        return f"{s:.0f} s"
    if s < 2 * 3600:
        return f"{s / 60:.0f} min"
    if s < 3 * 86400:
        return f"{s / 3600:.1f} h"
    return f"{s / 86400:.1f} days"


def crossing_sentence(fit: DriftFit, crossing: Crossing, name: str) -> str:
    """`5 s recvWindow: in 27.8 h at this drift (no sooner than 27.5 h at the worst drift the samples allow).`"""
    window = f"{crossing.window_ms / 1000:g} s {name}"
    if crossing.outside_now:
        return f"{window}: the offset is outside it already."
    if crossing.soonest_ms == 0.0:
        return f"{window}: the offset may be outside it already (its bound reaches the edge)."
    if crossing.in_ms is None:
        if crossing.soonest_ms is None:
            return f"{window}: not reached at this drift."
        return f"{window}: not reached at the fitted drift; at the worst drift the samples allow, in {duration(crossing.soonest_ms)}."
    worst = f"no sooner than {duration(crossing.soonest_ms)}" if crossing.soonest_ms is not None else ""
    latest = f"no later than {duration(crossing.latest_ms)}" if crossing.latest_ms is not None else "perhaps never"
    return f"{window}: in {duration(crossing.in_ms)} at this drift ({worst}, {latest}, at the drifts the samples allow)."
