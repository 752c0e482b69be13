"""`keyprobe probe` end to end: JSON shape, exit codes, the ladder's human output."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from keys.demo import EXAMPLE_KEY, EXAMPLE_SECRET
from tui.cli import main

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def clean(emu, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("KEYPROBE_HOME", str(tmp_path))
    for var in ("KEYPROBE_API_KEY", "KEYPROBE_SECRET", "KEYPROBE_MEMO"):
        monkeypatch.delenv(var, raising=False)
    yield


def probe_json(emu, capsys, *extra: str) -> tuple[int, dict]:
    code = main(["probe", "--venue", "emulator", "--base-url", emu.base_url, "--emulator-flavour", "bitmart", "--samples", "2", "--json", *extra])
    return code, json.loads(capsys.readouterr().out)


def test_json_shape_and_exit_0_when_every_layer_passes(emu, capsys):
    code, out = probe_json(emu, capsys)
    assert code == 0 and out["first_failure"] is None
    assert [s["name"] for s in out["steps"]] == ["venue", "public", "clock", "keyed", "signed", "websocket"]
    assert all(set(s) == {"name", "ok", "code", "detail", "ms", "dialect"} and s["ok"] is True for s in out["steps"])
    assert out["verdict"]["ok"] is True and "demo (active)" in out["key"]


@pytest.mark.parametrize(("state", "layer", "code"), [("frozen", "keyed", 30003), ("expired", "keyed", 30011),
                                                     ("ip-restricted", "keyed", 30010)])
def test_key_states_exit_1_and_name_the_layer(emu, capsys, state, layer, code):
    rc, out = probe_json(emu, capsys, "--demo-key", state)
    assert rc == 1 and out["first_failure"] == layer and out["verdict"]["code"] == code


def test_wrong_memo_from_the_environment_fails_the_signed_layer(emu, capsys, monkeypatch):
    monkeypatch.setenv("KEYPROBE_API_KEY", EXAMPLE_KEY)
    monkeypatch.setenv("KEYPROBE_SECRET", EXAMPLE_SECRET)
    monkeypatch.setenv("KEYPROBE_MEMO", "12345678")
    rc, out = probe_json(emu, capsys)
    assert rc == 1 and out["first_failure"] == "signed"
    steps = {s["name"]: s for s in out["steps"]}
    assert steps["keyed"]["ok"] is True and steps["signed"]["code"] == 30005


def test_skewed_clock_is_the_verdict(emu, capsys):
    emu.controls.skew_s = -75
    rc, out = probe_json(emu, capsys)
    assert rc == 1 and out["first_failure"] == "clock" and out["verdict"]["code"] == 30007
    assert "ahead of the server" in out["verdict"]["sentence"]


def test_unreachable_venue_exits_3(capsys):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    rc = main(["probe", "--venue", "emulator", "--base-url", f"http://127.0.0.1:{port}", "--emulator-flavour", "bitmart", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 3 and out["first_failure"] == "public" and [s["ok"] for s in out["steps"]] == [True, False, None, None, None, None]


def test_human_output_is_a_ladder_with_marks(emu, capsys):
    assert main(["probe", "--venue", "emulator", "--base-url", emu.base_url, "--emulator-flavour", "bitmart", "--demo-key", "frozen", "--samples", "1"]) == 1
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if line.startswith(" ") and line[1] in "✓✗–"]
    assert [line.split()[:3] for line in lines] == [
        ["✓", "1", "venue"], ["✓", "2", "public"], ["✓", "3", "clock"], ["✗", "4", "keyed"], ["✗", "5", "signed"],
        ["✗", "6", "websocket"], ["✗", "7", "verdict"],
    ]
    assert "The keyed layer fails. 30003 Header X-BM-KEY has frozen" in out
    assert "     1. " in out  # the numbered fixes


def test_usage_error_exits_2(capsys):
    rc = main(["probe", "--venue", "bitmart", "--demo-key", "frozen"])
    assert rc == 2 and "--demo-key works only with --venue emulator" in capsys.readouterr().err


def test_in_process_emulator_from_a_real_subprocess(tmp_path: Path):
    """`keyprobe probe` with no options: starts its own emulator, climbs the ladder, exits 0."""
    env = {"KEYPROBE_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-m", "tui", "probe", "--json", "--samples", "2"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["first_failure"] is None
