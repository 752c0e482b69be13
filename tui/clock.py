"""How far the venue's clock is from ours, with an honest error bound (ecosystem.md 2.3 and 2.4).

Offset = server minus local, in milliseconds: positive means the local clock is behind.

Two methods, both measured through the Wire on one kept-alive connection:
- "server-time": the venue's time endpoint (BitMart `GET /system/time` -> data.server_time, ms).
  One warm-up request (discarded), then N samples. Each sample brackets the server's stamp between
  t0 (request headers handed to the socket) and t1 (response headers read). Samples with RTT over
  2 x the minimum are dropped. The min-RTT sample gives offset = S + 0.5 - (t0 + t1)/2, bound
  +/-(RTT/2 + 0.5 ms) (S is a floor of the true time, hence the half millisecond); the kept
  samples' intervals are intersected, which can only narrow that (see estimate_server_time).
- "date-header": no time endpoint, so the HTTP Date header (whole seconds, a floor) bounds the
  offset to [D - t1, D + 1 s - t0]. The intervals of all samples are intersected. Sampling at random
  moments leaves ~+/-500 ms; so each request is timed to reach the server just as its second is
  predicted to tick over, which halves the interval per sample (a bisection on the phase).

The estimation is pure functions over `Stamp`s, testable without a network.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import asdict, dataclass
from email.utils import parsedate_to_datetime

from keys import bounded
from keys.signing import AuthLevel, OffsetClock
from tui.exchange import Draft, Exchange, TransportFailure
from tui.venues import Venue

DEFAULT_SAMPLES = 8
RECV_WINDOW_MS = 5_000  # BitMart's default recvWindow on the endpoints that take one (protocol.md 3.3)
TIMESTAMP_WINDOW_MS = 60_000  # 30007: "Within a minute"
STAMP_RESOLUTION_MS = 1.0  # data.server_time is whole milliseconds
DATE_RESOLUTION_MS = 1000.0  # the Date header is whole seconds
DROP_RATIO = 2.0
MAX_SERVER_MS = 253_402_300_800_000  # year 10000: a server_time past it is unreadable, not an offset
# A sample the venue rate-limits (HTTP 429) is taken again once the window has passed, rather than read
# as "no time endpoint": BitMart's /system/time allows 10 a second per IP, and a measurement (9
# requests) soon after another (the console's f5, then its probe) went over it and fell back to the
# Date header's +/-500 ms. The wait is the window the answer names (X-BM-RateLimit-Reset), at most
# RATE_LIMIT_MAX_WAIT_S, and a sample is retried at most RATE_LIMIT_RETRIES times.
RATE_LIMIT_RETRIES = 2
RATE_LIMIT_MAX_WAIT_S = 5.0
# A time answer is a few dozen bytes. Parsing a 20 MB one (a broken proxy answering everything with
# the same page) would build ~10x its size in objects and hold the GIL for a third of a second in
# one json.loads, freezing the console's keys: past this size it has no server_time, and the
# measurement falls back to the Date header.
TIME_BODY_LIMIT = 64 * 1024

SERVER_TIME = "server-time"
DATE_HEADER = "date-header"

OK = "ok"
WARN_RECV_WINDOW = "warn-recvwindow"
OUTSIDE_WINDOW = "outside-30007-window"


@dataclass(frozen=True)
class Stamp:
    """One raw observation: local wall-clock ms when the request left and the answer arrived, and
    what the server said the time was (its ms stamp, and/or its Date header in epoch seconds)."""

    t0_ms: float
    t1_ms: float
    server_ms: int | None = None
    date_s: int | None = None

    @property
    def rtt_ms(self) -> float:
        return self.t1_ms - self.t0_ms


@dataclass(frozen=True)
class ClockSample:
    rtt_ms: float
    offset_ms: float
    used: bool  # False: dropped (RTT too long, or its Date interval disagrees with the others)
    chosen: bool = False  # a sample that sets an end of the final interval (server-time method)


@dataclass(frozen=True)
class ClockEstimate:
    offset_ms: float  # server minus local
    bound_ms: float  # the true offset is within offset_ms +/- bound_ms
    rtt_ms: float  # the minimum round trip seen
    samples: tuple[ClockSample, ...]
    method: str  # "server-time" | "date-header"
    verdict: str  # "ok" | "warn-recvwindow" | "outside-30007-window"
    verdict_sentence: str
    note: str = ""  # a caveat worth showing (e.g. "Date header only: 1 s resolution")

    @property
    def samples_used(self) -> int:
        return sum(1 for s in self.samples if s.used)

    def clock(self, apply: bool = True) -> OffsetClock:
        """A signing clock corrected by this offset (or not, with apply=False, but still reporting it)."""
        return OffsetClock(self.offset_ms, apply=apply)

    def to_dict(self) -> dict:
        return {
            "offset_ms": round(self.offset_ms, 3),
            "bound_ms": round(self.bound_ms, 3),
            "rtt_ms": round(self.rtt_ms, 3),
            "samples": [{k: (round(v, 3) if isinstance(v, float) else v) for k, v in asdict(s).items()} for s in self.samples],
            "samples_used": self.samples_used,
            "method": self.method,
            "verdict": self.verdict,
            "verdict_sentence": self.verdict_sentence,
            "note": self.note,
        }


class ClockUnavailable(Exception):
    """The offset could not be measured; `str()` is a sentence, `failure` the transport failure if any."""

    def __init__(self, sentence: str, failure: TransportFailure | None = None, exchange: Exchange | None = None) -> None:
        super().__init__(sentence)
        self.failure = failure
        self.exchange = exchange


# -- pure estimation ------------------------------------------------------------------------------
def server_interval(stamp: Stamp) -> tuple[float, float]:
    """Offsets consistent with one time-endpoint sample: [S - t1, S + 1 ms - t0].

    The server stamped somewhere between t0 and t1, and S is that instant floored to the ms."""
    return stamp.server_ms - stamp.t1_ms, stamp.server_ms + STAMP_RESOLUTION_MS - stamp.t0_ms  # type: ignore[operator]


def estimate_server_time(stamps: list[Stamp] | tuple[Stamp, ...]) -> ClockEstimate:
    """The offset from time-endpoint samples (each must carry server_ms).

    The min-RTT sample alone gives offset = S + 0.5 - (t0 + t1)/2, bound RTT/2 + 0.5 ms: the middle
    and half-width of its interval. Every kept sample's interval holds the true offset too, so
    their intersection does, and it is never wider: a sample whose answer came back fast pins the
    low end, one whose request went out fast pins the high end. If the intervals do not meet (the
    server's clock stepped mid-way), the min-RTT sample is used alone.
    """
    if not stamps:
        raise ValueError("no samples")
    if any(s.server_ms is None for s in stamps):
        raise ValueError("every sample needs a server time")
    min_rtt = min(s.rtt_ms for s in stamps)
    best = min(range(len(stamps)), key=lambda i: stamps[i].rtt_ms)
    limit = DROP_RATIO * min_rtt
    used = [s.rtt_ms <= limit for s in stamps]
    intervals = [server_interval(s) for s in stamps]
    kept = [iv for iv, u in zip(intervals, used) if u]
    lo, hi = max(a for a, _ in kept), min(b for _, b in kept)
    note = ""
    if lo > hi:  # cannot happen with honest clocks; say so and fall back to the one best sample
        lo, hi = intervals[best]
        note = "The samples' intervals did not overlap (did a clock step?); the shortest round trip alone was used. "
    offset, bound = (lo + hi) / 2, (hi - lo) / 2
    samples = tuple(
        ClockSample(rtt_ms=s.rtt_ms, offset_ms=(a + b) / 2, used=u, chosen=u and (a == lo or b == hi))
        for s, (a, b), u in zip(stamps, intervals, used)
    )
    verdict, sentence = judge(offset, bound)
    mids = [x.offset_ms for x in samples if x.used]
    if len(mids) >= 3:
        note += f"Median of the {len(mids)} kept samples {statistics.median(mids):+.1f} ms, spread {max(mids) - min(mids):.1f} ms."
    return ClockEstimate(offset, bound, min_rtt, samples, SERVER_TIME, verdict, sentence, note.strip())


def date_interval(stamp: Stamp) -> tuple[float, float]:
    """Offsets consistent with one Date header: [D - t1, D + 1 s - t0] (D is a floor)."""
    d_ms = stamp.date_s * 1000.0  # type: ignore[operator]
    return d_ms - stamp.t1_ms, d_ms + DATE_RESOLUTION_MS - stamp.t0_ms


def intersect(intervals: list[tuple[float, float]]) -> tuple[float, float, list[bool]]:
    """The intersection of the most intervals that share a point, and which intervals took part.

    All of them when they agree (the usual case); when one disagrees (a server whose Date header
    lags, a sample from another backend) the largest agreeing group wins, found by a sweep.
    """
    lo, hi = max(a for a, _ in intervals), min(b for _, b in intervals)
    if lo <= hi:
        return lo, hi, [True] * len(intervals)
    # Sweep: the point covered by the most intervals (starts sort before ends at the same place).
    events = sorted([(a, 0) for a, _ in intervals] + [(b, 1) for _, b in intervals])
    depth = best_depth = 0
    best_point = intervals[0][0]
    for x, kind in events:
        depth += 1 if kind == 0 else -1
        if kind == 0 and depth > best_depth:
            best_depth, best_point = depth, x
    member = [a <= best_point <= b for a, b in intervals]
    chosen = [iv for iv, m in zip(intervals, member) if m]
    return max(a for a, _ in chosen), min(b for _, b in chosen), member


def estimate_date_header(stamps: list[Stamp] | tuple[Stamp, ...]) -> ClockEstimate:
    """Intersection of the Date-header intervals: the midpoint, bounded by half the width."""
    if not stamps:
        raise ValueError("no samples")
    if any(s.date_s is None for s in stamps):
        raise ValueError("every sample needs a Date header")
    intervals = [date_interval(s) for s in stamps]
    lo, hi, member = intersect(intervals)
    offset, bound = (lo + hi) / 2, (hi - lo) / 2
    samples = tuple(
        ClockSample(rtt_ms=s.rtt_ms, offset_ms=(a + b) / 2, used=m) for s, (a, b), m in zip(stamps, intervals, member)
    )
    verdict, sentence = judge(offset, bound)
    dropped = member.count(False)
    note = "No server-time endpoint: estimated from the HTTP Date header (whole seconds), so the bound is wider."
    if dropped:
        note += f" {dropped} sample(s) disagreed with the rest and were left out."
    return ClockEstimate(offset, bound, min(s.rtt_ms for s in stamps), samples, DATE_HEADER, verdict, sentence, note)


def next_boundary_delay_ms(lo: float, hi: float, now_ms: float, rtt_ms: float, margin_ms: float = 2.0) -> float:
    """How long to wait so the next request reaches the server as its second ticks over, if the
    offset is the middle of [lo, hi]: the answer then halves the interval either way."""
    guess = (lo + hi) / 2
    # The server stamps about rtt/2 after we send: want t0 + rtt/2 + guess == k * 1000.
    target = -guess - rtt_ms / 2
    k = (now_ms + margin_ms - target) // DATE_RESOLUTION_MS + 1
    return target + k * DATE_RESOLUTION_MS - now_ms


def _span(ms: float) -> str:
    ms = abs(ms)
    return f"{ms:.1f} ms" if ms < 1000 else f"{ms / 1000:.2f} s"


def judge(offset_ms: float, bound_ms: float) -> tuple[str, str]:
    """Compare the worst case |offset| + bound with the 5 s recvWindow and the 60 s 30007 window."""
    worst = abs(offset_ms) + bound_ms
    if abs(offset_ms) < 0.05:
        where = "in step with the server"
    else:
        where = f"{_span(offset_ms)} {'behind' if offset_ms > 0 else 'ahead of'} the server"
    measured = f"Your clock is {where} (± {_span(bound_ms)})"
    if worst < RECV_WINDOW_MS:
        return OK, f"{measured}: inside the 60 s timestamp window (30007) and the 5 s default recvWindow."
    # Neutral on purpose: each front end says how to sign with the offset (the CLI --sync-clock, the console f8).
    fix = "Turn on NTP (timedatectl set-ntp true) or sign with the measured offset."
    if worst < TIMESTAMP_WINDOW_MS:
        return WARN_RECV_WINDOW, (
            f"{measured}: inside the 60 s window, but requests that carry recvWindow (5 s by default) "
            f"will be rejected as expired. {fix}"
        )
    certain = abs(offset_ms) - bound_ms >= TIMESTAMP_WINDOW_MS
    return OUTSIDE_WINDOW, (
        f"{measured}: {'outside' if certain else 'possibly outside'} the 60 s timestamp window, so signed "
        f"requests fail with 30007. {fix}"
    )


# -- measuring through the Wire -------------------------------------------------------------------
def stamp_of(exchange: Exchange, trace: object) -> Stamp:
    """t0/t1 from the trace (headers out, headers in), else the whole send; server time and Date."""
    t_start = getattr(trace, "request_started_ns", None) or trace.perf0_ns  # type: ignore[attr-defined]
    t_end = getattr(trace, "response_headers_ns", None) or trace.end_ns  # type: ignore[attr-defined]
    t0, t1 = trace.wall_ms(t_start), trace.wall_ms(t_end)  # type: ignore[attr-defined]
    return Stamp(t0, t1, server_time_of(exchange), date_of(exchange))


def server_time_of(exchange: Exchange) -> int | None:
    """data.server_time (ms) from a time-endpoint answer, or None when the body has none."""
    if exchange.response is None or exchange.response.status != 200 or len(exchange.response.body) > TIME_BODY_LIMIT:
        return None
    data, _ = bounded.parse_json(exchange.response.body)
    try:
        value = data["data"]["server_time"]
    except (KeyError, TypeError, IndexError):
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        ms = int(value)
    except (ValueError, OverflowError):  # "abc", 1e999 (inf), nan
        return None
    return ms if abs(ms) < MAX_SERVER_MS else None


def rate_limited_wait_s(exchange: Exchange) -> float | None:
    """How long to wait before asking again when the venue rate-limited this request (HTTP 429), else None."""
    if exchange.response is None or exchange.response.status != 429:
        return None
    window = exchange.rate_limit.reset
    return min(float(window), RATE_LIMIT_MAX_WAIT_S) if window is not None and window > 0 else 1.0


def date_of(exchange: Exchange) -> int | None:
    if exchange.response is None:
        return None
    text = exchange.response.header("date")
    if not text:
        return None
    try:
        return int(parsedate_to_datetime(text).timestamp())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


async def measure(wire: object, venue: Venue, samples: int = DEFAULT_SAMPLES) -> ClockEstimate:
    """Measure the offset of `venue`'s clock through `wire` (a tui.wire.Wire). Raises ClockUnavailable."""
    if samples < 1:
        raise ValueError("at least one sample is needed")
    path = venue.time_path or "/"
    draft = Draft(venue, "GET", path, auth=AuthLevel.NONE)

    async def one() -> tuple[Stamp, Exchange]:
        for retry in range(RATE_LIMIT_RETRIES + 1):
            exchange, trace = await wire.send_traced(draft, None)  # type: ignore[attr-defined]
            if exchange.failure is not None:
                raise ClockUnavailable(exchange.failure.sentence, exchange.failure, exchange)
            wait_s = rate_limited_wait_s(exchange)
            if wait_s is None or retry == RATE_LIMIT_RETRIES:
                break
            await asyncio.sleep(wait_s)
        return stamp_of(exchange, trace), exchange

    warm, warm_exchange = await one()  # discarded: the first request pays for the connection
    use_server_time = venue.time_path is not None and warm.server_ms is not None
    if not use_server_time and warm.date_s is None:
        status = warm_exchange.response.status if warm_exchange.response else "?"
        raise ClockUnavailable(
            f"{venue.name} answered {path} (HTTP {status}) with neither data.server_time nor a Date header, "
            "so its clock cannot be read.",
            exchange=warm_exchange,
        )
    del warm_exchange  # only its stamp is needed now: a huge answer is not kept for the whole measurement
    stamps: list[Stamp] = []
    lo, hi = date_interval(warm) if not use_server_time else (0.0, 0.0)
    for _ in range(samples):
        if not use_server_time:
            wait = next_boundary_delay_ms(lo, hi, time.time_ns() / 1e6, min([warm.rtt_ms, *(s.rtt_ms for s in stamps)]))
            await asyncio.sleep(wait / 1000)
        stamp, exchange = await one()
        stamps.append(stamp)
        if use_server_time and stamp.server_ms is None:
            # The endpoint stopped answering with a time mid-way: fall back rather than fail.
            use_server_time = False
        if not use_server_time:
            if any(s.date_s is None for s in stamps):
                raise ClockUnavailable(f"{venue.name} stopped sending a Date header; the offset cannot be measured.", exchange=exchange)
            lo, hi, _ = intersect([date_interval(s) for s in [warm, *stamps]])
        exchange = None  # nor the last one while the next is read
    if use_server_time:
        return estimate_server_time(stamps)
    return estimate_date_header(stamps)


def measure_once(venue: Venue, samples: int = DEFAULT_SAMPLES, timeout: float | None = None, **wire_options: object) -> ClockEstimate:
    """`measure` from synchronous code, on a Wire that lives for this call (`wire_options`: proxy, trust_env)."""
    from tui.wire import Wire

    async def go() -> ClockEstimate:
        async with Wire(timeout=timeout, **wire_options) as wire:  # type: ignore[arg-type]
            return await measure(wire, venue, samples)

    return asyncio.run(go())


__all__ = [
    "ClockEstimate",
    "ClockSample",
    "ClockUnavailable",
    "Stamp",
    "estimate_date_header",
    "estimate_server_time",
    "judge",
    "measure",
    "measure_once",
]
