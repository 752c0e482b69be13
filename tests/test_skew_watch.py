"""`keyprobe skew --watch` end to end: an emulator drifting 50 ppm, watched for half an hour of injected time."""

from __future__ import annotations

import json
import re

import pytest

from tests.clocks import ManualClock
from tui.clock import watch as clock_watch
from tui.cli import main
from tui.emulator import Emulator

TRUE_CROSSING_S = (5_000 - 90.0) / 50e-6 / 1000  # 90 ms gained after 30 min at 50 ppm; 5 s is 98,200 s later


@pytest.fixture
def drifting(monkeypatch, tmp_path):
    monkeypatch.setenv("KEYPROBE_HOME", str(tmp_path))
    clock = ManualClock()
    monkeypatch.setattr(clock_watch, "SYSTEM", clock.watch_clock())
    with Emulator() as emu:
        emu.state.monotonic = clock.monotonic
        emu.controls.drift_ppm = 50
        yield emu, clock


def watch_json(emu, capsys, *extra: str) -> tuple[int, list[dict]]:
    code = main(["skew", "--watch", "--venue", "emulator", "--base-url", emu.base_url, "--emulator-flavour", "bitmart", "--json", *extra])
    return code, [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_watch_forecasts_the_recv_window_crossing_within_a_tenth(drifting, capsys):
    emu, clock = drifting
    code, lines = watch_json(emu, capsys, "--interval", "60", "--for", "30m")
    assert code == 0 and len(lines) == 31 and clock.elapsed_s == 1800
    last = lines[-1]
    fit, recv = last["fit"], last["forecast"]["recv_window"]
    assert fit["enough"] and fit["points"] == 31 and fit["drift_interval_ppm"][0] <= 50 <= fit["drift_interval_ppm"][1]
    assert recv["in_s"] == pytest.approx(TRUE_CROSSING_S, rel=0.10)
    assert recv["soonest_s"] <= TRUE_CROSSING_S <= recv["latest_s"]
    assert lines[0]["fit"] is None and lines[0]["forecast"]["recv_window"] is None  # one sample: no drift yet
    assert last["estimate"]["interval_ms"][0] <= 90.0 <= last["estimate"]["interval_ms"][1]


def test_a_second_run_continues_the_fit_from_the_kept_samples(drifting, capsys):
    emu, clock = drifting
    watch_json(emu, capsys, "--interval", "60", "--for", "2m")
    clock.elapsed_s += 6 * 3600  # six hours later
    code, lines = watch_json(emu, capsys, "--for", "0")
    fit = lines[-1]["fit"]
    assert code == 0 and len(lines) == 1 and fit["points"] == 4 and fit["span_s"] == pytest.approx(6 * 3600 + 120)
    assert fit["drift_interval_ppm"][0] <= 50 <= fit["drift_interval_ppm"][1]
    assert fit["drift_interval_ppm"][1] - fit["drift_interval_ppm"][0] < 0.2  # six hours pin it down


def test_a_smaller_recv_window_is_reached_sooner_and_the_human_output_names_both_windows(drifting, capsys):
    emu, _ = drifting
    code = main(["skew", "--watch", "--venue", "emulator", "--base-url", emu.base_url, "--emulator-flavour", "bitmart", "--interval", "60", "--for", "10m",
                 "--recv-window", "1000"])
    out = capsys.readouterr().out
    assert code == 0
    assert "Watching the clock of Local emulator" in out and "drift: 1 measurement so far; it needs at least 3, spread over 30 s or more" in out
    assert "1 s recvWindow in" in out.splitlines()[-6]
    drift = float(re.search(r"Drift ([+-][0-9.]+) ppm", out).group(1))
    hours = float(re.search(r"1 s recvWindow: in ([0-9.]+) h at this drift", out).group(1))
    assert drift == pytest.approx(50, abs=1) and hours == pytest.approx((1_000 - 30) / 50e-6 / 3600e3, rel=0.10)
    days = float(re.search(r"60 s timestamp window \(30007\): in ([0-9.]+) days at this drift", out).group(1))
    assert days == pytest.approx((60_000 - 30) / 50e-6 / 86_400e3, rel=0.10)


@pytest.mark.parametrize(("argv", "sentence"), [
    (["skew", "--interval", "5"], "--interval and --for go with --watch"),
    (["skew", "--for", "1h"], "--interval and --for go with --watch"),
])
def test_watch_options_without_watch_are_a_usage_error(capsys, argv, sentence):
    assert main(argv) == 2 and sentence in capsys.readouterr().err


@pytest.mark.parametrize(("argv", "words"), [
    (["skew", "--watch", "--for", "forever"], "is not a duration"),
    (["skew", "--watch", "--interval", "0.5"], "--interval in seconds must be between 1 and 86400"),
    (["skew", "--recv-window", "60000"], "--recv-window in ms must be between 1 and 59999"),
    (["skew", "--watch", "--interval", "nan"], "must be between"),
])
def test_bad_watch_values_are_argparse_sentences(capsys, argv, words):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2 and words in capsys.readouterr().err


def test_an_unreachable_venue_exits_3_after_the_watch(monkeypatch, tmp_path, capsys):
    import socket

    monkeypatch.setenv("KEYPROBE_HOME", str(tmp_path))
    clock = ManualClock()
    monkeypatch.setattr(clock_watch, "SYSTEM", clock.watch_clock())
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code = main(["skew", "--watch", "--venue", "emulator", "--base-url", f"http://127.0.0.1:{port}", "--emulator-flavour", "bitmart", "--interval", "60", "--for", "2m"])
    out = capsys.readouterr().out
    assert code == 3 and out.count("could not measure: Connection refused") == 3 and "No measurement succeeded." in out


def test_the_watch_line_says_in_a_sentence_why_there_is_no_drift_yet():
    """Seven measurements over 29.96 s read "has 7 over 30.0 s" beside "needs ... over at least 30 s": it rounded up
    to the very span it said was missing."""
    from tui.clock.drift import ClockPoint, fit
    from tui.commands._skew_watch import not_enough_yet

    points = [ClockPoint(i * 4_993.3, 10.0, 9.5, 10.5) for i in range(7)]  # 29,959.8 ms from the first to the last
    short = fit(points)
    assert short is not None and not short.enough and short.points == 7
    assert not_enough_yet(short) == "7 measurements so far, over 29.9 s; it needs them spread over 30 s or more"
    two = fit(points[:2])
    assert not_enough_yet(two) == "2 measurements so far, over 4.9 s; it needs at least 3, spread over 30 s or more"
    assert not_enough_yet(None).startswith("1 measurement so far;")
