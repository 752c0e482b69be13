"""How far the venue's clock is from ours, measured through the Wire (ecosystem.md 2.3 and 2.4).

Offset = server minus local, in milliseconds: positive means the local clock is behind. The estimate
itself (intervals, their intersection, the bound, the verdict) is tui.clock.estimate's pure functions;
this module takes the samples:

- "server-time": the venue's time endpoint (BitMart `GET /system/time` -> data.server_time, ms): a
  first request that may open the connection, then N more on it, every one a sample (the first is
  flagged `warmup`). Each brackets the server's stamp between t0 (request headers handed to the
  socket) and t1 (response headers read); the first request's t0 comes after its connect, so its
  interval is as honest as the others'.
- "date-header": no time endpoint, so the HTTP Date header (whole seconds, a floor) bounds the
  offset to [D - t1, D + 1 s - t0]. Sampling at random moments leaves ~+/-500 ms; so each request is
  timed to reach the server just as its second is predicted to tick over, which halves the interval
  per sample (a bisection on the phase). The first request only starts that schedule.
"""

from __future__ import annotations

import asyncio
import time
from email.utils import parsedate_to_datetime

from keys import bounded
from tui.clock.estimate import (  # noqa: F401 - the estimate's names, where callers have always found them
    DATE_HEADER,
    DEFAULT_SAMPLES,
    OK,
    OUTSIDE_WINDOW,
    RECV_WINDOW_MS,
    SERVER_TIME,
    TIMESTAMP_WINDOW_MS,
    WARN_RECV_WINDOW,
    ClockEstimate,
    ClockSample,
    Stamp,
    date_interval,
    estimate_date_header,
    estimate_server_time,
    intersect,
    judge,
    next_boundary_delay_ms,
    server_interval,
)
from keys.signing import AuthLevel
from tui.exchange import Draft, Exchange, TransportFailure
from tui.venues import Venue

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


class ClockUnavailable(Exception):
    """The offset could not be measured; `str()` is a sentence, `failure` the transport failure if any."""

    def __init__(self, sentence: str, failure: TransportFailure | None = None, exchange: Exchange | None = None) -> None:
        super().__init__(sentence)
        self.failure = failure
        self.exchange = exchange


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


def recv_window_for(venue: Venue, asked_ms: float | None = None) -> float | None:
    """The recvWindow a verdict compares with: the one asked for, else BitMart's default 5 s; None on WOO X Pro,
    whose pages name no recvWindow (its emulator keeps the 60 s window whatever a body says)."""
    if asked_ms is not None:
        return asked_ms
    return RECV_WINDOW_MS if venue.family == "bitmart" else None


async def measure(wire: object, venue: Venue, samples: int = DEFAULT_SAMPLES,
                  recv_window_ms: float | None = None) -> ClockEstimate:
    """Measure the offset of `venue`'s clock through `wire` (a tui.transport.wire.Wire) from `samples` requests, the
    first of which may open the connection (module docstring). `recv_window_ms`: the bot's, else the venue's
    (recv_window_for). Raises ClockUnavailable."""
    recv_window_ms = recv_window_for(venue, recv_window_ms)
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

    # The first request may pay for the connection, but its t0 is taken after the connect: a sample like the rest.
    warm, warm_exchange = await one()
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
    for _ in range(samples - 1):
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
        return estimate_server_time([warm, *stamps], recv_window_ms, warmup=True)
    return estimate_date_header([warm, *stamps], recv_window_ms)


def measure_once(venue: Venue, samples: int = DEFAULT_SAMPLES, timeout: float | None = None,
                 recv_window_ms: float | None = None, **wire_options: object) -> ClockEstimate:
    """`measure` from synchronous code, on a Wire that lives for this call (`wire_options`: proxy, trust_env)."""
    from tui.transport.wire import Wire

    async def go() -> ClockEstimate:
        async with Wire(timeout=timeout, **wire_options) as wire:  # type: ignore[arg-type]
            return await measure(wire, venue, samples, recv_window_ms)

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
