"""keyprobe's pytest plugin from the outside: a bot project's own pytest run finds `keyprobe_emulator` through the
entry point of this install, a bot with its own keys.py gets a sentence, and a run that does not use the fixture
imports nothing of keyprobe's. Then the fixture's switches, from keyprobe's own suite (the plugin is loaded here too).

A fresh virtualenv that pip-installs keyprobe and runs the same bot project is tests/tools/plugin_fresh_venv.py
(it downloads the dependencies: kept out of the suite)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

HERE = Path(__file__).resolve().parent


def run_pytest(project: Path, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess:
    """The project copied away from this checkout and run with this Python's pytest, as its developer would."""
    copy = tmp_path / project.name
    shutil.copytree(project, copy, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTEST_ADDOPTS", "PYTEST_PLUGINS")
           and not k.startswith("KEYPROBE_")}
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", *extra],
                          cwd=copy, env=env, capture_output=True, text=True, timeout=120)


def test_the_sample_bots_tests_pass_with_only_the_plugin(tmp_path):
    done = run_pytest(HERE / "sample_bot", tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "8 passed" in done.stdout


def test_a_bot_with_its_own_keys_module_gets_a_sentence_not_an_import_error(tmp_path):
    done = run_pytest(HERE / "sample_bot_shadow", tmp_path)
    out = done.stdout + done.stderr
    assert done.returncode == 1 and "1 passed, 1 error" in out, out
    assert f"the module `keys` on sys.path is {tmp_path / 'sample_bot_shadow' / 'keys.py'}, not keyprobe's" in out
    assert "rename it, or move it into your own package" in out
    assert "ImportError" not in out and "Traceback" not in out and "AttributeError" not in out


def test_a_run_without_the_fixture_imports_nothing_of_keyprobes(tmp_path):
    project = tmp_path / "plain"
    (project / "tests").mkdir(parents=True)
    (project / "tests" / "test_plain.py").write_text(
        "import sys\n\n"
        "def test_the_plugin_is_loaded_and_idle(request):\n"
        "    assert request.config.pluginmanager.has_plugin('keyprobe')\n"
        "    assert 'tui.pytest_plugin' in sys.modules\n"
        "    loaded = {m for m in sys.modules if m.split('.')[0] in ('tui', 'keys')}\n"
        "    assert loaded == {'tui', 'tui.pytest_plugin'}, loaded\n"
        "    assert 'httpx' not in sys.modules\n")
    done = run_pytest(project, tmp_path / "run")
    assert done.returncode == 0 and "1 passed" in done.stdout, done.stdout + done.stderr


# -- the fixture's switches, used from keyprobe's own suite ---------------------------------------------------
def get(emulator, path: str, **headers: str) -> httpx.Response:
    return httpx.get(emulator.url + path, headers=headers, trust_env=False)


def keyed(emulator, state: str = "active") -> httpx.Response:
    return get(emulator, "/contract/private/assets-detail", **{emulator.header_names.key: emulator.demo_keys[state].api_key})


def test_demo_keys_are_plain_strings_and_every_state_answers_its_code(keyprobe_emulator):
    emu = keyprobe_emulator
    assert all(isinstance(v, str) for v in emu.demo_key[:3]) and emu.demo_key.state == "active"
    codes = {state: keyed(emu, state).json()["code"] for state in emu.demo_keys}
    assert codes == {"active": 1000, "frozen": 30003, "expired": 30011, "ip-restricted": 30010, "read-only": 1000}
    emu.restrict_ips(["203.0.113.9"])
    assert keyed(emu).json()["code"] == 30010 and emu.exchanges[-1].diagnosis.code == 30010
    emu.restrict_ips(None)
    emu.freeze()
    assert emu.key_state() == "frozen" and keyed(emu).json()["code"] == 30003
    emu.unfreeze()
    assert keyed(emu).json()["code"] == 1000


def test_dialects_and_their_header_names(keyprobe_emulator):
    emu = keyprobe_emulator
    assert emu.dialect == "wooxpro" and tuple(emu.header_names) == ("X-API-KEY", "X-API-TIMESTAMP", "X-API-SIGN")
    assert keyed(emu).json()["code"] == 1000
    emu.dialect = "bitmart"
    assert tuple(emu.header_names) == ("X-BM-KEY", "X-BM-TIMESTAMP", "X-BM-SIGN")
    assert keyed(emu).json()["code"] == 1000
    emu.dialect = "wooxpro"
    emu.header_prefix = "X-BM-"
    assert emu.header_names.key == "X-BM-KEY" and keyed(emu).json()["code"] == 1000
    with pytest.raises(ValueError, match="dialect must be one of bitmart, wooxpro"):
        emu.dialect = "binance"


def test_clock_switches_skew_and_drift_on_an_injected_clock(keyprobe_emulator):
    import time

    from tests.clocks import ManualClock

    emu = keyprobe_emulator
    emu.dialect = "bitmart"  # its /system/time: WOO X Pro documents no time endpoint
    clock = ManualClock()
    emu.set_clock(clock.monotonic)
    emu.skew_s = 2
    emu.drift_ppm = 50
    clock.elapsed_s += 100_000  # 5 s gained at 50 ppm
    server_ms = get(emu, "/system/time").json()["data"]["server_time"]
    assert abs(server_ms - time.time() * 1000 - 7_000) < 1_000
    assert emu.exchanges[-1].received_at_ms - time.time() * 1000 == pytest.approx(7_000, abs=1_000)


def test_faults_latency_rate_scale_maintenance_and_the_market_seed(keyprobe_emulator):
    emu = keyprobe_emulator
    emu.dialect = "bitmart"  # /system/time and the kline endpoint, which WOO X Pro does not document
    emu.fault = "html502"
    answer = get(emu, "/system/time")
    assert answer.status_code == 502 and emu.exchanges[-1].code is None and emu.exchanges[-1].diagnosis is not None
    emu.fault = None
    with pytest.raises(ValueError):
        emu.fault = "on fire"
    emu.maintenance = True
    assert keyed(emu).json()["code"] == 30016
    emu.maintenance = False
    emu.rate_scale = 100
    assert emu.controls.rate_scale == 100
    emu.latency_ms = 1
    assert get(emu, "/system/time").json()["code"] == 1000
    emu.latency_ms = 0
    import time

    end_s = int(time.time()) - 120  # a fixed hour of the past: the same minutes whenever it is asked
    candles = f"/contract/public/kline?symbol=BTCUSDT&step=1&start_time={end_s - 3600}&end_time={end_s}"

    def closes() -> list[str]:
        return [c["close_price"] for c in get(emu, candles).json()["data"]]

    emu.market_seed = 99
    first = closes()
    emu.market_seed = 100
    other = closes()
    emu.market_seed = 99
    assert closes() == first != other and emu.market_seed == 99


def test_exchanges_hold_what_was_received_and_repr_shows_no_header(keyprobe_emulator):
    emu = keyprobe_emulator
    keyed(emu)
    (sent,) = emu.exchanges
    assert (sent.method, sent.path, sent.status, sent.code) == ("GET", "/contract/private/assets-detail", 200, 1000)
    assert sent.header("X-API-KEY") == emu.demo_key.api_key
    assert emu.demo_key.api_key not in repr(sent) and emu.demo_key.api_key not in repr(emu)
    assert emu.wait_for(1) == [sent]
    emu.clear_exchanges()
    assert emu.exchanges == []
