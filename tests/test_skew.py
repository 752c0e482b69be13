"""`keyprobe skew` end to end against the emulator."""

from __future__ import annotations

import json
import socket

import pytest

from tui.cli import main
from tui.emulator import Emulator


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    monkeypatch.setenv("KEYPROBE_HOME", str(tmp_path / "home"))


def test_json_reports_the_skew_within_its_bound(capsys):
    with Emulator(skew_s=2.5) as emu:
        code = main(["skew", "--venue", "emulator", "--base-url", emu.base_url, "--emulator-flavour", "bitmart", "--samples", "4", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    assert {"offset_ms", "bound_ms", "rtt_ms", "samples", "method", "verdict"} <= set(data)
    assert abs(data["offset_ms"] - 2_500) <= data["bound_ms"]
    assert data["method"] == "server-time" and data["verdict"] == "ok" and len(data["samples"]) == 4
    assert all({"rtt_ms", "offset_ms", "used"} <= set(s) for s in data["samples"])


def test_human_output_names_every_figure(capsys):
    with Emulator(skew_s=-90) as emu:
        code = main(["skew", "--venue", "emulator", "--base-url", emu.base_url, "--emulator-flavour", "bitmart", "--samples", "3"])
    out = capsys.readouterr().out
    assert code == 1  # outside the 60 s window: signing now would earn 30007
    for word in ("offset", "bound", "rtt", "samples", "method", "server-time", "outside-30007-window", "ahead of the server"):
        assert word in out


def test_in_process_emulator_by_default(capsys):
    assert main(["skew", "--samples", "2", "--json"]) == 0
    captured = capsys.readouterr()
    assert abs(json.loads(captured.out)["offset_ms"]) < 1_000 and "in-process emulator" in captured.err


def test_unreachable_venue_exits_3(capsys):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    assert main(["skew", "--venue", "emulator", "--base-url", f"http://127.0.0.1:{port}", "--emulator-flavour", "bitmart"]) == 3
    assert "Connection refused" in capsys.readouterr().err


def test_bad_samples_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as info:
        main(["skew", "--samples", "0"])
    assert info.value.code == 2


def test_woo_x_pro_is_judged_by_its_60_s_window_alone_and_bitmart_by_its_recv_window_too(capsys):
    """WOO X Pro's pages name no recvWindow (its emulator keeps the 60 s window whatever a body says): a 10 s
    offset is fine there, and the verdict does not mention a recvWindow; on BitMart the same offset is past the
    default 5 s recvWindow. A new user on WOO X Pro was told about BitMart's recvWindow."""
    with Emulator("wooxpro", skew_s=10) as woo, Emulator("bitmart", skew_s=10) as bitmart:
        woo_code = main(["skew", "--base-url", woo.base_url, "--emulator-flavour", "wooxpro", "--samples", "3"])
        woo_out = capsys.readouterr().out
        bitmart_code = main(["skew", "--base-url", bitmart.base_url, "--emulator-flavour", "bitmart", "--samples", "3"])
        bitmart_out = capsys.readouterr().out
        asked = main(["skew", "--base-url", woo.base_url, "--emulator-flavour", "wooxpro", "--samples", "3",
                      "--recv-window", "3000", "--json"])
        asked_verdict = json.loads(capsys.readouterr().out)["verdict"]
    assert woo_code == 0 and "recvWindow" not in woo_out and "inside the 60 s timestamp window (30007)." in woo_out
    assert bitmart_code == 0 and "warn-recvwindow" in bitmart_out and "recvWindow" in bitmart_out
    assert asked == 0 and asked_verdict == "warn-recvwindow"  # a bot's own recvWindow, asked for, still counts


def test_the_console_drift_line_names_no_recv_window_on_a_venue_without_one():
    from tui.clock.drift import ClockPoint, fit
    from tui.console.widgets.clock_panel import drift_text

    drift = fit([ClockPoint(i * 60_000, 1_000 + i * 30.0, 999 + i * 30.0, 1_001 + i * 30.0) for i in range(5)])
    assert "5 s recvWindow in" in drift_text(drift).plain and "60 s window in" in drift_text(drift).plain
    assert "recvWindow" not in drift_text(drift, None).plain and "60 s window in" in drift_text(drift, None).plain
