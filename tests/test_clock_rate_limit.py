"""A clock sample the venue rate-limits (HTTP 429) is taken again once the window has passed, so a
measurement soon after another still reads the time endpoint (the console's f5 then its probe went
over BitMart's 10 a second on /system/time and fell back to the Date header's whole seconds)."""

from __future__ import annotations

from tui.clock.measure import SERVER_TIME, measure
from tui.emulator import Emulator
from tui.transport.wire import Wire


async def test_a_rate_limited_sample_is_taken_again_and_the_time_endpoint_still_read():
    with Emulator() as emu:
        emu.controls.rate_limit = 4  # every endpoint: 4 a window; the measurement's 6 requests go over it
        emu.controls.rate_window_s = 1.0
        statuses: list[int] = []
        async with Wire() as wire:
            send_traced = wire.send_traced

            async def watched(*args, **kwargs):
                exchange, trace = await send_traced(*args, **kwargs)
                statuses.append(exchange.response.status)
                return exchange, trace

            wire.send_traced = watched
            estimate = await measure(wire, emu.venue, samples=6)
    assert 429 in statuses  # the limit was hit: the retry path ran
    assert statuses.count(200) == 6  # every sample, the first included, was answered in the end
    assert estimate.method == SERVER_TIME and len(estimate.samples) == 6
    assert abs(estimate.offset_ms) <= estimate.bound_ms  # the emulator's clock is ours
