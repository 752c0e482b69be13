"""The drift: the emulator's drift switch, the fit and its bounds, the kept samples, and `skew --watch`.

Time is a ManualClock everywhere: the watch sleeps on it and the emulator's drift runs on it, so an hour
of watching takes a few dozen real round trips and the expectations are exact.
"""

from __future__ import annotations

import json
import math
import random

import pytest

from tests.clocks import ManualClock
from tests.seeds import drawn_seed
from tui.clock.drift import ClockPoint, consistent_run, crossing_sentence, fit
from tui.clock.store import MAX_POINTS, ClockStore, thin
from tui.clock.watch import watch
from tui.emulator import Emulator
from tui.transport.wire import Wire

PPM = 1e-6


# -- the emulator's drift ---------------------------------------------------------------------------
def test_the_emulators_clock_gains_its_drift_and_keeps_it_when_the_rate_changes():
    clock = ManualClock()
    with Emulator() as emu:
        state = emu.state
        state.monotonic = clock.monotonic
        emu.controls.drift_ppm = 50
        clock.elapsed_s += 1000  # 1000 s at 50 ppm: 50 ms gained
        assert state.drift_ms() == pytest.approx(50.0)
        emu.controls.drift_ppm = -10  # what was gained stays; the clock now loses
        clock.elapsed_s += 500
        assert state.drift_ms() == pytest.approx(50.0 - 5.0)
        emu.controls.skew_s = 2
        assert state.now_ms() - state.drift_ms() - 2000 == pytest.approx(OffsetClockNow(), abs=50)
        state.reset_clock()
        assert state.drift_ms() == 0.0 and emu.controls.drift_ppm == 0.0 and emu.controls.skew_s == 0.0
        with pytest.raises(ValueError, match="drift must be a number of ppm"):
            emu.controls.drift_ppm = math.nan
        emu.controls.drift_ppm = 20
        state.reset()  # a fresh venue has no drift and nothing gained
        assert state.drift_ms() == 0.0 and emu.controls.drift_ppm == 0.0


def OffsetClockNow() -> float:  # noqa: N802 - the local wall clock in ms, as the emulator reads it
    import time

    return time.time_ns() / 1e6


# -- the fit ------------------------------------------------------------------------------------------
def line(drift_ppm: float, offset0: float, times_s: list[float], half: float = 0.3, rng: random.Random | None = None):
    """Points on offset0 + drift * t, each estimate somewhere inside an interval of +/- half around the truth."""
    out = []
    for t in times_s:
        truth = offset0 + drift_ppm * PPM * t * 1000
        shift = rng.uniform(-half, half) if rng else 0.0
        out.append(ClockPoint(t * 1000, truth + shift, truth + shift - half, truth + shift + half))
    return out


def test_the_fit_finds_the_drift_and_its_range_holds_the_truth():
    rng = random.Random(drawn_seed("KEYPROBE_DRIFT_SEED"))
    for drift in (50.0, -6.0, 0.0, 400.0):
        f = fit(line(drift, 123.0, [60.0 * k for k in range(31)], rng=rng))
        assert f is not None and f.enough and f.points == 31 and f.restarted_at_ms is None
        assert f.drift_low_ppm <= drift <= f.drift_high_ppm
        assert f.drift_low_ppm <= f.drift_ppm <= f.drift_high_ppm
        assert f.drift_high_ppm - f.drift_low_ppm < 1.2  # +/-0.6 ms over 30 min is about +/-0.33 ppm at most twice
        truth_now = 123.0 + drift * PPM * 1_800_000
        assert f.offset_low_ms <= truth_now <= f.offset_high_ms


def test_crossings_at_the_fitted_worst_and_mildest_drift():
    f = fit(line(50.0, 0.0, [60.0 * k for k in range(31)]))
    c = f.crossing(5_000)
    truth = (5_000 - 90.0) / (50 * PPM)  # from the last point, 90 ms at 30 min
    assert c.in_ms == pytest.approx(truth, rel=1e-6)
    assert c.soonest_ms < truth < c.latest_ms and not c.outside_now
    sentence = crossing_sentence(f, c, "recvWindow")
    assert sentence.startswith("5 s recvWindow: in 27.3 h at this drift (no sooner than 27.")
    inward = fit(line(0.0, 10.0, [60.0 * k for k in range(31)]))
    assert inward.crossing(5_000).latest_ms is None  # a drift range holding 0: it may never leave
    assert "perhaps never" in crossing_sentence(inward, inward.crossing(5_000), "recvWindow") or \
        "not reached" in crossing_sentence(inward, inward.crossing(5_000), "recvWindow")
    outside = fit(line(50.0, 6_000.0, [60.0 * k for k in range(31)])).crossing(5_000)
    assert outside.outside_now and outside.soonest_ms == 0.0


def test_a_step_restarts_the_fit_after_it():
    before = line(50.0, 0.0, [60.0 * k for k in range(10)])
    after = line(50.0, 400.0, [60.0 * k for k in range(10, 20)])  # NTP stepped the local clock by 400 ms
    assert consistent_run(before + after)[0] == 10
    f = fit(before + after)
    assert f.points == 10 and f.restarted_at_ms == 600_000 and f.drift_low_ppm <= 50 <= f.drift_high_ppm


def test_too_few_points_are_no_fit_and_two_are_not_enough():
    assert fit([]) is None and fit(line(50.0, 0.0, [0.0])) is None
    f = fit(line(50.0, 0.0, [0.0, 60.0]))
    assert f is not None and not f.enough
    assert not fit(line(50.0, 0.0, [0.0, 5.0, 10.0])).enough  # three, but over 10 s


# -- the store ----------------------------------------------------------------------------------------
def test_the_store_keeps_points_per_server_bounded_and_without_anything_else(tmp_path):
    store = ClockStore(tmp_path / "clock-samples.json")
    points = line(50.0, 0.0, [10.0 * k for k in range(MAX_POINTS + 100)])
    assert store.add("https://api-cloud-v2.bitmart.com", points[:5]) is None
    assert store.add("https://api-cloud-v2.bitmart.com", points[5:]) is None
    assert store.add("http://127.0.0.1:8640", points[:3]) is None
    kept, problem = store.load("https://api-cloud-v2.bitmart.com")
    assert problem is None and len(kept) <= MAX_POINTS
    times = [p.at_ms for p in kept]
    assert times[0] == points[0].at_ms and times[-64:] == [p.at_ms for p in points[-64:]]  # the span is kept
    assert kept[-1].offset_ms == pytest.approx(points[-1].offset_ms) and kept[-1].high_ms == pytest.approx(points[-1].high_ms)
    assert [p.at_ms for p in store.load("http://127.0.0.1:8640")[0]] == [0.0, 10_000.0, 20_000.0]
    assert store.load("https://elsewhere")[0] == []
    doc = json.loads((tmp_path / "clock-samples.json").read_text())
    assert set(doc) == {"format", "version", "servers"} and (tmp_path / "clock-samples.json").stat().st_mode & 0o777 == 0o600


def test_thinning_keeps_the_first_and_the_newest():
    points = line(1.0, 0.0, [float(k) for k in range(1000)])
    thinned = thin(points)
    assert len(thinned) <= MAX_POINTS and thinned[0] == points[0] and thinned[-64:] == points[-64:]
    assert [p.at_ms for p in thinned] == sorted(p.at_ms for p in thinned)


@pytest.mark.parametrize("content", [b"not json", b'{"format": "something else"}', b"[1, 2]",
                                     b'{"format": "keyprobe-clock-samples", "version": 99, "servers": {}}'])
def test_a_file_that_is_not_the_store_is_a_sentence_and_is_never_written_over(tmp_path, content):
    path = tmp_path / "clock-samples.json"
    path.write_bytes(content)
    store = ClockStore(path)
    points, problem = store.load("http://127.0.0.1:1")
    assert points == [] and problem and str(path) in problem
    assert store.add("http://127.0.0.1:1", line(1.0, 0.0, [0.0])) == problem
    assert path.read_bytes() == content


def test_bad_rows_are_skipped_and_the_rest_read(tmp_path):
    path = tmp_path / "clock-samples.json"
    rows = [[0, 1, 0.5, 1.5], [1, "x", 0, 1], [2, 5, 6, 7], [3, 1e999, 0, 1], [4, 1, 0, 2, 9], [5, True, 0, 1], [6, 2, 1, 3]]
    path.write_text(json.dumps({"format": "keyprobe-clock-samples", "version": 1, "servers": {"u": {"points": rows}}}))
    points, problem = ClockStore(path).load("u")
    assert problem is None and [p.at_ms for p in points] == [0.0, 6.0]


def test_a_folder_that_cannot_be_written_is_a_sentence(tmp_path):
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("")
    problem = ClockStore(blocked / "clock-samples.json").add("u", line(1.0, 0.0, [0.0]))
    assert problem and problem.startswith("Could not keep the clock samples")


# -- the watch, against an emulator drifting 50 ppm ------------------------------------------------------
async def test_watch_against_a_drifting_emulator_forecasts_the_crossing_within_a_tenth():
    clock = ManualClock()
    updates = []
    with Emulator() as emu:
        emu.state.monotonic = clock.monotonic
        emu.controls.drift_ppm = 50
        async with Wire() as wire:
            await watch(wire, emu.venue, interval_s=60, duration_s=1800, on_update=updates.append,
                        clock=clock.watch_clock())
    assert len(updates) == 31 and clock.elapsed_s == 1800 and all(u.estimate is not None for u in updates)
    assert [u.fit is not None and u.fit.enough for u in updates].index(True) == 2  # the third sample, 2 min in
    last = updates[-1]
    truth_s = (5_000 - 90.0) / (50 * PPM) / 1000  # 90 ms gained by the last sample
    assert last.fit.drift_low_ppm <= 50 <= last.fit.drift_high_ppm
    assert last.recv_window.in_ms / 1000 == pytest.approx(truth_s, rel=0.10)
    assert last.recv_window.soonest_ms / 1000 <= truth_s <= last.recv_window.latest_ms / 1000
    assert last.timestamp_window.in_ms / 1000 == pytest.approx((60_000 - 90.0) / (50 * PPM) / 1000, rel=0.10)


async def test_a_second_watch_continues_from_the_kept_samples(tmp_path):
    clock = ManualClock()
    store = ClockStore(tmp_path / "clock-samples.json")
    with Emulator() as emu:
        emu.state.monotonic = clock.monotonic
        emu.controls.drift_ppm = -30
        server = emu.base_url
        async with Wire() as wire:
            first = []
            await watch(wire, emu.venue, interval_s=60, duration_s=120, on_update=first.append, clock=clock.watch_clock(),
                        keep=lambda p: store.add(server, [p]))
            clock.elapsed_s += 3600  # an hour later, a new run
            kept, _ = store.load(server)
            second = []
            await watch(wire, emu.venue, interval_s=60, duration_s=0, on_update=second.append, clock=clock.watch_clock(),
                        history=kept, keep=lambda p: store.add(server, [p]))
    assert len(first) == 3 and len(second) == 1
    f = second[0].fit
    assert f.points == 4 and f.span_ms == pytest.approx((3600 + 120) * 1000)
    assert f.drift_low_ppm <= -30 <= f.drift_high_ppm and f.drift_high_ppm - f.drift_low_ppm < 1.0
    assert len(store.load(server)[0]) == 4


# -- keyprobe emulator --drift --------------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["nan", "1e9", "-200000"])
def test_emulator_refuses_a_drift_past_any_clock(capsys, value):
    from tui.cli import main

    assert main(["emulator", "--port", "0", "--drift", value]) == 2
    assert "--drift must be between -100,000 and 100,000 ppm" in capsys.readouterr().err


def test_emulator_start_line_names_the_drift():
    import argparse

    from keys.demo import DEMO_KEYS
    from tui.commands.emulator import _table

    listing = [k.listing() for k in DEMO_KEYS]
    args = argparse.Namespace(venue="bitmart", header_prefix="X-API-", skew=0.0, drift=50.0, latency=0.0, rate_scale=1.0)
    assert "clock skew +0 s, drifting +50 ppm, latency 0 ms" in _table("http://127.0.0.1:1", args, listing)
    args.drift = 0.0
    assert "drifting" not in _table("http://127.0.0.1:1", args, listing)
