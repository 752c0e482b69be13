"""tui/clock/measure.py: the estimation math (pure, property-tested) and measure() over httpx.MockTransport."""

from __future__ import annotations

import email.utils
import json
import random
import time

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.clock.measure import (
    DATE_HEADER,
    OK,
    OUTSIDE_WINDOW,
    SERVER_TIME,
    TIME_BODY_LIMIT,
    WARN_RECV_WINDOW,
    ClockUnavailable,
    Stamp,
    date_interval,
    estimate_date_header,
    estimate_server_time,
    intersect,
    judge,
    measure,
    next_boundary_delay_ms,
)
from tui.venues import VENUES, emulator_venue
from tui.transport.wire import Wire

BASE = 1_700_000_000_000.0
# Stamps are epoch milliseconds, where doubles are 2.4e-4 ms apart: interval arithmetic can land one rounding
# step outside the bound (Hypothesis found theta=0.99999), so allow a microsecond, far below any claimed bound.
FLOAT_SLACK_MS = 1e-3


def observe(theta: float, t0: float, rtt: float, at: float) -> Stamp:
    """What a client sees when a server with offset `theta` stamps at fraction `at` of the round trip."""
    server = t0 + at * rtt + theta
    return Stamp(t0, t0 + rtt, server_ms=int(server // 1), date_s=int(server // 1000))


rtts = st.floats(min_value=0.05, max_value=400.0)
fractions = st.floats(min_value=0.0, max_value=1.0)


@settings(max_examples=200, deadline=None)
@given(
    theta=st.floats(min_value=-120_000, max_value=120_000),
    draws=st.lists(st.tuples(st.floats(min_value=0, max_value=5_000), rtts, fractions), min_size=1, max_size=12),
)
def test_server_time_estimate_always_contains_the_true_offset(theta, draws):
    stamps = [observe(theta, BASE + start, rtt, at) for start, rtt, at in draws]
    est = estimate_server_time(stamps)
    assert abs(est.offset_ms - theta) <= est.bound_ms + FLOAT_SLACK_MS
    assert est.method == SERVER_TIME and est.rtt_ms == min(s.rtt_ms for s in stamps)


def test_a_single_sample_is_the_min_rtt_formula():
    s = observe(250.0, BASE + 0.3, 2.0, 0.9)
    est = estimate_server_time([s])
    assert est.offset_ms == pytest.approx(s.server_ms + 0.5 - (s.t0_ms + s.t1_ms) / 2)
    assert est.bound_ms == pytest.approx(2.0 / 2 + 0.5)


def test_every_interval_narrows_the_min_rtt_bound():
    stamps = [observe(250.0, BASE, 10.0, 0.5), observe(250.0, BASE + 50, 2.0, 0.9), observe(250.0, BASE + 90, 3.9, 0.1)]
    est = estimate_server_time(stamps)
    assert all(s.used for s in est.samples) and est.samples_used == 3 and est.rtt_ms == 2.0
    low, high = est.interval
    # One answered late in its round trip, the other early: they pin both ends, 2 ms apart where the
    # shortest round trip alone leaves 3 ms.
    assert (low, high) == pytest.approx((249.0, 251.0))
    assert est.bound_ms <= 2.0 / 2 + 0.5  # never wider than the min-RTT sample's
    assert low <= 250.0 <= high and abs(est.offset_ms - 250.0) <= est.bound_ms
    assert [s.chosen for s in est.samples] == [False, True, True]


def test_intervals_that_do_not_meet_keep_the_shortest_round_trips_group():
    a = Stamp(BASE, BASE + 2.0, server_ms=int(BASE) + 100)
    b = Stamp(BASE + 10, BASE + 13.0, server_ms=int(BASE) + 900)  # the server's clock jumped
    est = estimate_server_time([b, a])
    assert est.offset_ms == pytest.approx(100 + 0.5 - 1.0) and est.bound_ms == pytest.approx(1.5)
    assert [s.used for s in est.samples] == [False, True] and "disagreed" in est.note


def test_server_time_refuses_samples_without_a_time():
    with pytest.raises(ValueError):
        estimate_server_time([Stamp(BASE, BASE + 1, None, 1)])
    with pytest.raises(ValueError):
        estimate_server_time([])


@settings(max_examples=200, deadline=None)
@given(
    theta=st.floats(min_value=-120_000, max_value=120_000),
    draws=st.lists(st.tuples(st.floats(min_value=0, max_value=10_000), rtts, fractions), min_size=1, max_size=12),
)
def test_date_estimate_always_contains_the_true_offset(theta, draws):
    stamps = [observe(theta, BASE + start, rtt, at) for start, rtt, at in draws]
    est = estimate_date_header(stamps)
    assert abs(est.offset_ms - theta) <= est.bound_ms + FLOAT_SLACK_MS
    assert est.method == DATE_HEADER and all(s.used for s in est.samples)
    assert "Date header" in est.note


def test_date_interval_is_floor_aware():
    lo, hi = date_interval(Stamp(t0_ms=BASE + 100, t1_ms=BASE + 140, date_s=int(BASE // 1000) + 5))
    assert (lo, hi) == (5000 - 140, 6000 - 100)


def test_intersection_leaves_out_a_disagreeing_sample():
    lo, hi, member = intersect([(0.0, 100.0), (50.0, 150.0), (60.0, 120.0), (500.0, 900.0)])
    assert (lo, hi, member) == (60.0, 100.0, [True, True, True, False])


def test_bisection_schedule_narrows_the_date_bound_to_about_the_rtt():
    """Requests timed to the predicted second boundary halve the interval each time (simulated clock)."""
    rng = random.Random(7)
    for theta in (2345.6, -777.7, 0.0, 61_234.5):
        now = BASE + rng.uniform(0, 1000)
        first = observe(theta, now, 1.0, rng.random())
        lo, hi = date_interval(first)
        stamps = [first]
        for _ in range(10):
            now = stamps[-1].t1_ms
            wait = next_boundary_delay_ms(lo, hi, now, 1.0)
            assert 0 < wait <= 1000 + 2
            stamps.append(observe(theta, now + wait + rng.uniform(0, 0.3), 1.0, rng.random()))
            lo, hi, _ = intersect([date_interval(s) for s in stamps])
        est = estimate_date_header(stamps)
        assert abs(est.offset_ms - theta) <= est.bound_ms
        assert est.bound_ms < 5.0, (theta, est.bound_ms)  # from 500 ms after one sample


@pytest.mark.parametrize(
    ("offset", "bound", "verdict", "words"),
    [
        (12.0, 0.7, OK, "12.0 ms behind the server"),
        (-4_000.0, 1_500.0, WARN_RECV_WINDOW, "4.00 s ahead of the server"),
        (70_000.0, 1.0, OUTSIDE_WINDOW, "outside the 60 s"),
        (59_800.0, 500.0, OUTSIDE_WINDOW, "possibly outside"),
        (0.01, 0.5, OK, "in step"),
    ],
)
def test_verdicts(offset, bound, verdict, words):
    got, sentence = judge(offset, bound)
    assert got == verdict and words in sentence


def test_estimate_to_dict_has_the_documented_keys():
    est = estimate_server_time([observe(5.0, BASE, 1.0, 0.5)])
    d = est.to_dict()
    assert {"offset_ms", "bound_ms", "rtt_ms", "samples", "method", "verdict"} <= set(d)
    assert d["samples"][0].keys() >= {"rtt_ms", "offset_ms", "used"}
    json.dumps(d)
    clk = est.clock(apply=True)
    assert clk.offset_ms == est.offset_ms and clk.apply


def skewed_server(skew_ms: float, time_endpoint: bool = True, date: bool = True, padding: int = 0):
    calls = []

    def handle(request: httpx.Request) -> httpx.Response:
        now = time.time() * 1000 + skew_ms
        calls.append(request.url.path)
        headers = {"Date": email.utils.formatdate(now / 1000, usegmt=True)} if date else {}
        if time_endpoint and request.url.path == "/system/time":
            data = {"server_time": int(now), **({"padding": "x" * padding} if padding else {})}
            return httpx.Response(200, headers=headers, json={"code": 1000, "message": "OK", "data": data})
        return httpx.Response(404, headers=headers, json={"code": 30000, "message": "Not found"})

    return handle, calls


async def test_measure_sends_n_requests_each_a_sample_the_first_flagged_warm_up():
    handle, calls = skewed_server(-3_210.0)
    async with Wire(transport=httpx.MockTransport(handle)) as wire:
        est = await measure(wire, VENUES["bitmart"], samples=5)
    assert len(calls) == 5 and len(est.samples) == 5
    assert [s.warmup for s in est.samples] == [True, False, False, False, False]
    assert est.method == SERVER_TIME
    assert abs(est.offset_ms - -3_210.0) <= est.bound_ms
    assert est.verdict == OK


async def test_measure_falls_back_to_the_date_header():
    handle, calls = skewed_server(1_500.0, time_endpoint=False)
    async with Wire(transport=httpx.MockTransport(handle)) as wire:
        est = await measure(wire, emulator_venue("http://127.0.0.1:9"), samples=2)
    assert est.method == DATE_HEADER and len(calls) == 2
    assert abs(est.offset_ms - 1_500.0) <= est.bound_ms


async def test_a_time_answer_too_big_to_be_one_is_not_parsed_and_the_date_header_is_used():
    # A proxy answering everything with one 20 MB page: parsing it per sample would freeze the console.
    handle, calls = skewed_server(1_500.0, padding=TIME_BODY_LIMIT)
    async with Wire(transport=httpx.MockTransport(handle)) as wire:
        est = await measure(wire, VENUES["bitmart"], samples=2)
    assert est.method == DATE_HEADER and len(calls) == 2
    assert abs(est.offset_ms - 1_500.0) <= est.bound_ms


async def test_measure_without_any_clock_says_so():
    handle, _ = skewed_server(0.0, time_endpoint=False, date=False)
    async with Wire(transport=httpx.MockTransport(handle)) as wire:
        with pytest.raises(ClockUnavailable, match="neither data.server_time nor a Date header"):
            await measure(wire, VENUES["bitmart"], samples=2)


async def test_measure_reports_a_transport_failure():
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("All connection attempts failed")

    async with Wire(transport=httpx.MockTransport(refuse)) as wire:
        with pytest.raises(ClockUnavailable) as info:
            await measure(wire, VENUES["bitmart"], samples=2)
    assert info.value.failure is not None and str(info.value) == info.value.failure.sentence
