"""The server-clock offset from timed samples, with an honest error bound: pure functions, no network.

Offset = server minus local, in milliseconds: positive means the local clock is behind.

Each time-endpoint sample brackets the server's stamp S (whole milliseconds, a floor) between t0 (the
request headers handed to the socket) and t1 (the answer's headers read), so the true offset lies in
[S - t1, S + 1 ms - t0]. Every sample's interval holds it, so their intersection [L, H] does too: that
interval is the bound, and it is never wider than the shortest round trip's own.

Where in [L, H] the offset sits is a question of the two legs' delays: H is the offset plus the fastest
request leg seen, L the offset minus the fastest answer leg seen. With N samples the fastest of each leg
is still some way above the leg's true minimum, and further above it on a leg with more jitter. The
estimate takes that excess from each side's spread (uniform model: the fastest of N lies about
2/(N-1) of the median's distance above the floor) and moves the middle of [L, H] by half the
difference, never outside [L, H]. With jitter on the answer leg only, the plain middle sat too low
and lost to the textbook estimate (the midpoint of the shortest round trip); benchmarks/skew_accuracy.py
measures both on the same samples.

The Date header (whole seconds) gives [D - t1, D + 1 s - t0]: the intervals are intersected and the
middle taken (its samples are timed to the second's edge, not independent draws).
"""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass

from keys.signing import OffsetClock

DEFAULT_SAMPLES = 9  # requests, the first of which may open the connection
RECV_WINDOW_MS = 5_000  # BitMart's default recvWindow on the endpoints that take one (protocol.md 3.3)
TIMESTAMP_WINDOW_MS = 60_000  # 30007: "Within a minute"
STAMP_RESOLUTION_MS = 1.0  # data.server_time is whole milliseconds
DATE_RESOLUTION_MS = 1000.0  # the Date header is whole seconds
# Below this many samples the spread says too little about each leg's minimum: the middle of [L, H]
# is used as it is (a simulation put the correction behind the textbook estimate at 3 samples).
CORRECTION_MIN_SAMPLES = 5

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
    offset_ms: float  # the middle of this sample's own interval
    used: bool  # False: left out (its interval disagrees with the others: a clock step, another backend)
    chosen: bool = False  # a sample that sets an end of the final interval
    warmup: bool = False  # the first request of the measurement (it opened the connection)


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
    low_ms: float | None = None  # the interval the true offset is in (None: offset -/+ bound)
    high_ms: float | None = None

    @property
    def samples_used(self) -> int:
        return sum(1 for s in self.samples if s.used)

    @property
    def interval(self) -> tuple[float, float]:
        low = self.offset_ms - self.bound_ms if self.low_ms is None else self.low_ms
        high = self.offset_ms + self.bound_ms if self.high_ms is None else self.high_ms
        return low, high

    def clock(self, apply: bool = True) -> OffsetClock:
        """A signing clock corrected by this offset (or not, with apply=False, but still reporting it)."""
        return OffsetClock(self.offset_ms, apply=apply)

    def to_dict(self) -> dict:
        low, high = self.interval
        return {
            "offset_ms": round(self.offset_ms, 3),
            "bound_ms": round(self.bound_ms, 3),
            "interval_ms": [round(low, 3), round(high, 3)],
            "rtt_ms": round(self.rtt_ms, 3),
            "samples": [{k: (round(v, 3) if isinstance(v, float) else v) for k, v in asdict(s).items()} for s in self.samples],
            "samples_used": self.samples_used,
            "method": self.method,
            "verdict": self.verdict,
            "verdict_sentence": self.verdict_sentence,
            "note": self.note,
        }


# -- intervals ------------------------------------------------------------------------------------
def server_interval(stamp: Stamp) -> tuple[float, float]:
    """Offsets consistent with one time-endpoint sample: [S - t1, S + 1 ms - t0].

    The server stamped somewhere between t0 and t1, and S is that instant floored to the ms."""
    return stamp.server_ms - stamp.t1_ms, stamp.server_ms + STAMP_RESOLUTION_MS - stamp.t0_ms  # type: ignore[operator]


def date_interval(stamp: Stamp) -> tuple[float, float]:
    """Offsets consistent with one Date header: [D - t1, D + 1 s - t0] (D is a floor)."""
    d_ms = stamp.date_s * 1000.0  # type: ignore[operator]
    return d_ms - stamp.t1_ms, d_ms + DATE_RESOLUTION_MS - stamp.t0_ms


def intersect(intervals: list[tuple[float, float]], prefer: int | None = None) -> tuple[float, float, list[bool]]:
    """The intersection of the most intervals that share a point, and which intervals took part.

    All of them when they agree (the usual case); when one disagrees (a server whose clock stepped, a
    sample from another backend) the largest agreeing group wins; between groups of the same size, the
    one holding interval `prefer` (the shortest round trip) if given, else the earliest.
    """
    lo, hi = max(a for a, _ in intervals), min(b for _, b in intervals)
    if lo <= hi:
        return lo, hi, [True] * len(intervals)
    best: list[bool] = []
    for point, _ in sorted(intervals):  # a largest group's intersection starts at one of the starts
        member = [a <= point <= b for a, b in intervals]
        better = member.count(True) > best.count(True)
        tie = member.count(True) == best.count(True) and prefer is not None and member[prefer] and not best[prefer]
        if better or tie:
            best = member
    chosen = [iv for iv, m in zip(intervals, best) if m]
    return max(a for a, _ in chosen), min(b for _, b in chosen), best


def leg_corrected_middle(intervals: list[tuple[float, float]], lo: float, hi: float) -> float:
    """The offset inside [lo, hi] once each leg's excess over its minimum is allowed for (module docstring).

    hi = offset + the fastest request leg seen, lo = offset - the fastest answer leg seen. Under a uniform
    model of N draws, the fastest lies 2/(N-1) of (median - fastest) above the leg's floor; with equal
    floors both ways, the offset is the middle moved by half the difference of the two excesses."""
    n = len(intervals)
    middle = (lo + hi) / 2
    if n < CORRECTION_MIN_SAMPLES:
        return middle
    scale = 2 / (n - 1)
    request_excess = (statistics.median(b for _, b in intervals) - hi) * scale
    answer_excess = (lo - statistics.median(a for a, _ in intervals)) * scale
    return min(max(middle + (answer_excess - request_excess) / 2, lo), hi)


# -- estimates ------------------------------------------------------------------------------------
def estimate_server_time(stamps: list[Stamp] | tuple[Stamp, ...], recv_window_ms: float | None = RECV_WINDOW_MS,
                         warmup: bool = False) -> ClockEstimate:
    """The offset from time-endpoint samples (each must carry server_ms); `warmup`: the first is the warm-up.

    The bound is the intersection of every sample's interval, as an offset +/- the larger distance to its
    ends (the interval itself is `low_ms`/`high_ms`). If the intervals do not all meet (the server's clock
    stepped mid-way), the largest group that does is used, the shortest round trip's group on a tie.
    """
    if not stamps:
        raise ValueError("no samples")
    if any(s.server_ms is None for s in stamps):
        raise ValueError("every sample needs a server time")
    min_rtt = min(s.rtt_ms for s in stamps)
    best = min(range(len(stamps)), key=lambda i: stamps[i].rtt_ms)
    intervals = [server_interval(s) for s in stamps]
    lo, hi, used = intersect(intervals, prefer=best)
    note = ""
    if not all(used):
        note = (f"{used.count(False)} sample(s) disagreed with the rest (did the server's clock step?) and were left out; "
                "the largest group that agrees was used. ")
    offset = leg_corrected_middle([iv for iv, u in zip(intervals, used) if u], lo, hi)
    bound = max(offset - lo, hi - offset)
    samples = tuple(
        ClockSample(rtt_ms=s.rtt_ms, offset_ms=(a + b) / 2, used=u, chosen=u and (a == lo or b == hi), warmup=warmup and i == 0)
        for i, (s, (a, b), u) in enumerate(zip(stamps, intervals, used))
    )
    verdict, sentence = judge(offset, bound, recv_window_ms)
    mids = [x.offset_ms for x in samples if x.used]
    if len(mids) >= 3:
        note += f"Median of the {len(mids)} samples' own middles {statistics.median(mids):+.1f} ms, spread {max(mids) - min(mids):.1f} ms."
    return ClockEstimate(offset, bound, min_rtt, samples, SERVER_TIME, verdict, sentence, note.strip(), lo, hi)


def estimate_date_header(stamps: list[Stamp] | tuple[Stamp, ...], recv_window_ms: float | None = RECV_WINDOW_MS) -> ClockEstimate:
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
    verdict, sentence = judge(offset, bound, recv_window_ms)
    dropped = member.count(False)
    note = "No server-time endpoint: estimated from the HTTP Date header (whole seconds), so the bound is wider."
    if dropped:
        note += f" {dropped} sample(s) disagreed with the rest and were left out."
    return ClockEstimate(offset, bound, min(s.rtt_ms for s in stamps), samples, DATE_HEADER, verdict, sentence, note, lo, hi)


def next_boundary_delay_ms(lo: float, hi: float, now_ms: float, rtt_ms: float, margin_ms: float = 2.0) -> float:
    """How long to wait so the next request reaches the server as its second ticks over, if the
    offset is the middle of [lo, hi]: the answer then halves the interval either way."""
    guess = (lo + hi) / 2
    # The server stamps about rtt/2 after we send: want t0 + rtt/2 + guess == k * 1000.
    target = -guess - rtt_ms / 2
    k = (now_ms + margin_ms - target) // DATE_RESOLUTION_MS + 1
    return target + k * DATE_RESOLUTION_MS - now_ms


# -- the verdict ----------------------------------------------------------------------------------
def span(ms: float) -> str:
    ms = abs(ms)
    return f"{ms:.1f} ms" if ms < 1000 else f"{ms / 1000:.2f} s"


def seconds(ms: float) -> str:
    """A window in seconds as people write it: 5 s, 2.5 s, 0.25 s."""
    return f"{ms / 1000:g} s"


def judge(offset_ms: float, bound_ms: float, recv_window_ms: float | None = RECV_WINDOW_MS) -> tuple[str, str]:
    """Compare the worst case |offset| + bound with the recvWindow (5 s by default; None for a venue that takes
    none, as WOO X Pro) and the 60 s 30007 window."""
    worst = abs(offset_ms) + bound_ms
    if abs(offset_ms) < 0.05:
        where = "in step with the server"
    else:
        where = f"{span(offset_ms)} {'behind' if offset_ms > 0 else 'ahead of'} the server"
    measured = f"Your clock is {where} (± {span(bound_ms)})"
    if recv_window_ms is None:
        if worst < TIMESTAMP_WINDOW_MS:
            return OK, f"{measured}: inside the 60 s timestamp window (30007)."
        recv_window_ms = TIMESTAMP_WINDOW_MS
    window = "5 s default recvWindow" if recv_window_ms == RECV_WINDOW_MS else f"{seconds(recv_window_ms)} recvWindow"
    if worst < min(recv_window_ms, TIMESTAMP_WINDOW_MS):
        return OK, f"{measured}: inside the 60 s timestamp window (30007) and the {window}."
    # Neutral on purpose: each front end says how to sign with the offset (the CLI --sync-clock, the console f8).
    fix = "Turn on NTP (timedatectl set-ntp true) or sign with the measured offset."
    if worst < TIMESTAMP_WINDOW_MS:
        carries = "5 s by default" if recv_window_ms == RECV_WINDOW_MS else f"{seconds(recv_window_ms)} here"
        return WARN_RECV_WINDOW, (
            f"{measured}: inside the 60 s window, but requests that carry recvWindow ({carries}) "
            f"will be rejected as expired. {fix}"
        )
    certain = abs(offset_ms) - bound_ms >= TIMESTAMP_WINDOW_MS
    return OUTSIDE_WINDOW, (
        f"{measured}: {'outside' if certain else 'possibly outside'} the 60 s timestamp window, so signed "
        f"requests fail with 30007. {fix}"
    )
