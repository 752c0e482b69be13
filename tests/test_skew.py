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
