"""Issue 15's small console leftovers: the empty sidebar's hint fits, the probe's clock rung uses the
CLI's sampler and estimator."""

from __future__ import annotations

import re

import pytest
from console_support import quiet_console, screen_text, settle, until

from keys.signing import AuthLevel
from tui.records import saved
from tui.clock.measure import SERVER_TIME
from tui.console.app import ConsoleOptions, KeyprobeApp
from tui.exchange import Draft
from tui.venues import get_venue

EMPTY_HINT = "Nothing saved yet: ctrl+s saves the request in the composer."


@pytest.fixture(autouse=True)
def _console_env(monkeypatch, tmp_path):
    quiet_console(monkeypatch, tmp_path)


def region_words(app, widget) -> str:
    """The words drawn inside `widget`'s region of the screen, lines joined, spaces squeezed."""
    region = widget.region
    lines = screen_text(app).splitlines()[region.y:region.bottom]
    return re.sub(r"\s+", " ", " ".join(line[region.x:region.right] for line in lines)).strip()


@pytest.mark.parametrize("size", [(140, 45), (80, 24)])
async def test_the_empty_sidebar_shows_its_whole_hint(size):
    app = KeyprobeApp()
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+b")
        await settle(app, pilot)
        hint = app.main_screen.query_one("#saved-empty")
        assert hint.display and hint.region.width > 0
        assert region_words(app, hint) == EMPTY_HINT  # every word, none cut at the border


async def test_the_hint_goes_once_something_is_saved():
    saved.save(Draft(get_venue("emulator"), "GET", "/contract/private/assets-detail", (), "", AuthLevel.KEYED), "assets")
    app = KeyprobeApp()
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+b")
        await settle(app, pilot)
        assert not app.main_screen.query_one("#saved-empty").display
        assert "assets" in region_words(app, app.main_screen.query_one("#saved-tree"))


async def test_the_probe_clock_rung_reads_the_time_endpoint_even_when_rate_limited():
    """The probe's clock rung is tui.clock.measure.measure, the CLI's sampler and estimator: a rate-limited
    sample is taken again, not read from the Date header (the console's f5 then f3 went over the
    venue's limit on /system/time and the rung came back as a Date-header estimate). BitMart's dialect: WOO X Pro,
    the console's default, has no time endpoint."""
    app = KeyprobeApp(ConsoleOptions(flavour="bitmart"))
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(app, pilot)
        controls = app.session.target.emulator.controls
        controls.rate_limit, controls.rate_window_s = 4, 1.0  # the public rung and the clock's 6 samples: 7
        await pilot.press("f3")
        await until(app, pilot, lambda: getattr(app.screen, "report", None) is not None, "the probe's report")
        clock = next(step for step in app.screen.report.steps if step.name == "clock")
        assert clock.estimate is not None and clock.estimate.method == SERVER_TIME
        assert len(clock.estimate.samples) == 6  # the probe's default, as `keyprobe probe`
        assert "server-time, " in region_words(app, app.screen.query_one("#step-clock"))
