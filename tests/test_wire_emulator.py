"""tui/transport/wire.py and tui/clock/measure.py end to end, over a real loopback socket to the emulator."""

from __future__ import annotations

import json
import time

import pytest

from tui import endpoints

from keys.signing import OffsetClock
from tui.clock.measure import DATE_HEADER, SERVER_TIME, measure
from tui.emulator import Emulator
from tui.signing_context import SigningContext
from tui.exchange import Draft, FailureKind
from tui.transport.wire import Wire

ORDER = '{"symbol":"BTCUSDT","side":1,"type":"limit","leverage":"10","open_type":"isolated","size":1,"price":"20000"}'


def code_of(ex) -> int:
    return json.loads(ex.response.body)["code"]


async def test_a_signed_order_is_accepted_and_timed(emu):
    async with Wire() as wire:
        first = await wire.send(Draft(emu.venue, "POST", "/contract/private/submit-order", body=ORDER), emu.demo_credentials())
        second = await wire.send(Draft(emu.venue, "GET", "/contract/private/assets-detail"), emu.demo_credentials())
    # The emulator verifies X-BM-SIGN over the bytes it received: 1000 means signed bytes == sent bytes.
    assert first.failure is None and first.response.status == 200 and code_of(first) == 1000
    assert code_of(second) == 1000
    t1, t2 = first.timings, second.timings
    assert t1.connect_ms is not None and t1.tls_ms is None  # a new connection, plain HTTP on loopback
    assert t2.connect_ms is None  # the kept-alive connection was reused
    for t in (t1, t2):
        assert None not in (t.request_sent_ms, t.first_byte_ms, t.body_ms, t.total_ms)
    documented = endpoints.lookup("POST", "/contract/private/submit-order").rate_limit
    assert (first.rate_limit.limit, first.rate_limit.reset) == (documented.count, documented.window_s) and first.rate_limit.remaining == 1
    assert first.response.header("Date") is not None and first.started_at > 0


async def test_a_wrong_memo_is_answered_30005_not_a_failure(emu):
    from keys.signing import Credentials
    from keys.demo import EXAMPLE_KEY, EXAMPLE_SECRET

    wrong = Credentials.of(EXAMPLE_KEY, EXAMPLE_SECRET, "not-the-memo")
    async with Wire() as wire:
        ex = await wire.send(Draft(emu.venue, "POST", "/contract/private/submit-order", body=ORDER), wrong)
    assert ex.failure is None and ex.response.status == 401 and code_of(ex) == 30005


async def test_html_502_is_a_response(emu):
    emu.controls.fault = "html502"
    async with Wire() as wire:
        ex = await wire.send(Draft(emu.venue, "GET", "/system/time"), None)
    assert ex.failure is None and ex.response.status == 502 and b"502 Bad Gateway" in ex.response.body
    assert ex.response.header("content-type") == "text/html"


async def test_reset_is_classified(emu):
    emu.controls.fault = "reset"
    async with Wire() as wire:
        ex = await wire.send(Draft(emu.venue, "POST", "/contract/private/submit-order", body=ORDER), emu.demo_credentials())
    assert ex.response is None and ex.failure.kind is FailureKind.RESET
    assert emu.base_url.removeprefix("http://") in ex.failure.sentence
    assert ex.request is not None and ex.request.body == ORDER.encode()


async def test_latency_beyond_the_timeout_is_past_the_deadline():
    # An emulator of its own: the abandoned request is still counted a second later, which on the
    # shared emulator would land in another test's counters.
    with Emulator(latency_ms=1_000) as slow:
        async with Wire.with_timeout(0.1) as wire:
            ex = await wire.send(Draft(slow.venue, "GET", "/system/time"), None)
    assert ex.failure.kind is FailureKind.DEADLINE and "did not finish the exchange within the --timeout of 0.1 s" in ex.failure.sentence
    assert ex.went_out and "The request was sent" in ex.failure.sentence


async def test_a_stalled_body_is_a_read_timeout(emu):
    emu.controls.fault = "slow-body"
    emu.controls.slow_body_gap_s = 1.0
    async with Wire.with_timeout(0.1) as wire:
        ex = await wire.send(Draft(emu.venue, "GET", "/system/time"), None)
    assert ex.failure.kind is FailureKind.DEADLINE


async def test_a_huge_body_is_truncated_at_the_cap(emu):
    emu.controls.fault = "huge-body"
    emu.controls.huge_body_bytes = 2 * 1024 * 1024
    async with Wire(body_cap=64 * 1024) as wire:
        ex = await wire.send(Draft(emu.venue, "GET", "/system/time"), None)
    r = ex.response
    assert ex.failure is None and r.truncated and len(r.body) == 64 * 1024
    assert r.size >= 2 * 1024 * 1024 and r.size == int(r.header("content-length"))


async def test_skewed_clock_is_measured_within_its_bound_and_fixes_30007():
    with Emulator(skew_s=90) as emu:
        async with Wire() as wire:
            stale = await wire.send(Draft(emu.venue, "POST", "/contract/private/submit-order", body=ORDER), emu.demo_credentials())
            est = await measure(wire, emu.venue, samples=4)
            fixed = await wire.send(
                Draft(emu.venue, "POST", "/contract/private/submit-order", body=ORDER), SigningContext.for_venue(emu.venue, emu.demo_credentials(), clock=est.clock())
            )
    assert code_of(stale) == 30007
    assert est.method == SERVER_TIME and abs(est.offset_ms - 90_000) <= est.bound_ms
    assert est.verdict == "outside-30007-window" and len(est.samples) == 4
    assert code_of(fixed) == 1000 and fixed.request.evidence.clock_offset_ms == round(est.offset_ms)


async def test_date_fallback_when_the_time_endpoint_is_off():
    with Emulator(skew_s=-7.25) as emu:
        emu.controls.time_endpoint = False
        async with Wire() as wire:
            est = await measure(wire, emu.venue, samples=3)
    assert est.method == DATE_HEADER and abs(est.offset_ms - -7_250) <= est.bound_ms
    assert est.verdict == "warn-recvwindow" and "Date header" in est.note


async def test_offset_clock_without_apply_reports_but_does_not_shift(emu):
    clock = OffsetClock(120_000, apply=False)
    async with Wire() as wire:
        before = time.time_ns() // 1_000_000
        ex = await wire.send(
            Draft(emu.venue, "POST", "/contract/private/submit-order", body=ORDER), SigningContext.for_venue(emu.venue, emu.demo_credentials(), clock=clock)
        )
        after = time.time_ns() // 1_000_000
    assert code_of(ex) == 1000
    # the measured offset is still there to report, but the timestamp is the local clock's, unshifted
    assert clock.offset_ms == 120_000 and ex.request.evidence.clock_offset_ms == 0
    assert before <= int(ex.request.evidence.timestamp) <= after
