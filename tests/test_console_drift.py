"""The console's Clock tab shows the drift once the venue has three measurements over at least 30 s.

The emulator's drift and the session's measurement times run on one ManualClock: each f5 is a real
measurement over loopback, the minutes between them are moved on, never waited for.
"""

from __future__ import annotations

import re
import time

import pytest
from console_support import press, quiet_console, run_entry, settle, until
from textual.widgets import Static

from tests.clocks import ManualClock
from tui.console.app import ConsoleOptions, KeyprobeApp


@pytest.fixture(autouse=True)
def _console_env(monkeypatch, tmp_path):
    quiet_console(monkeypatch, tmp_path)


async def test_three_measurements_a_minute_apart_show_the_drift_and_the_windows():
    app = KeyprobeApp(ConsoleOptions(flavour="bitmart"))  # /system/time: the console measures at start
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(app, pilot)
        await until(app, pilot, lambda: app.session.estimate is not None, "the first measurement")
        clock = ManualClock(wall_ms=time.time() * 1000)
        emulator = app.session.target.emulator
        emulator.state.monotonic = clock.monotonic  # the rate limits' windows too: they move only with the clock,
        emulator.controls.rate_scale = 100  # so /system/time's 10 a second would hold three quick f5s back
        app.session.wall_ms = clock.wall_ms
        await run_entry(app, pilot, "Emulator: drift its clock +5,000 ppm")
        drift_line = app.main_screen.query_one("#clock-panel .clock-drift", Static)
        for minute in range(3):
            await press(pilot, "f5")
            await until(app, pilot, lambda: app.session.drift is not None and app.session.drift.at_ms == clock.wall_ms(),
                        f"the measurement at minute {minute}")
            if minute == 0:  # the start-up measurement and this one, moments apart
                assert drift_line.content.plain.startswith("drift: from 3 measurements over at least 30 s")
            clock.elapsed_s += 60
        text = drift_line.content.plain
        drift = float(re.search(r"^drift ([+-][0-9,.]+) ppm", text).group(1).replace(",", ""))
        assert drift == pytest.approx(5_000, rel=0.01), text
        # 600 ms gained at the last measurement; 5 s is (5000 - 600) / 5000 ppm = 880 s (15 min) later.
        assert "5 s recvWindow in 15 min" in text and "60 s window in 3.3 h" in text, text
