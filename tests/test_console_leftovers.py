"""Issue 15's small console leftovers: the empty sidebar's hint fits, the probe's clock rung uses the
CLI's sampler and estimator."""

from __future__ import annotations

import re

import pytest
from console_support import quiet_console, screen_text, settle

from keys.signing import AuthLevel
from tui import saved
from tui.console.app import KeyprobeApp
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
