"""BitMart in the console (issue 26): the venue label names the emulator's dialect ("Local emulator (BitMart)"),
a BitMart target carries a one-sentence notice of the wind-down under the venue (tui.diagnosis.venue_state.notice_line,
the lifecycle's own dates), the status bar keeps the target's URL (the warning went first, not the URL), and
the keys screen warns again when a BitMart profile is saved. Each moment is set with lifecycle.clock_at."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from console_support import press, quiet_console, settle
from textual.widgets import Input, Select

from keys import lifecycle, vault
from keys.demo import EXAMPLE_KEY, EXAMPLE_MEMO, EXAMPLE_SECRET
from tui.console.app import ConsoleOptions, KeyprobeApp
from tui.paths import keyfile_path

SIZE = (140, 45)
NO_TRADING = datetime(2026, 12, 7, 12, tzinfo=timezone.utc)
BEFORE = datetime(2026, 7, 1, 12, tzinfo=timezone.utc)
NOTICE = "BitMart stopped trading 2026-08-26 01:00 UTC and ends operations 2027-01-31 15:59 UTC: withdrawals only."


@pytest.fixture(autouse=True)
def _console_env(monkeypatch, tmp_path):
    quiet_console(monkeypatch, tmp_path)


def shown(app, selector: str) -> str:
    widget = app.main_screen.query_one(selector)
    return widget.content.plain if widget.display else ""


@pytest.mark.parametrize(("options", "label", "url"), [
    ({"venue": "bitmart"}, "BitMart futures v2", "https://api-cloud-v2.bitmart.com"),
    ({"flavour": "bitmart"}, "Local emulator (BitMart)", "http://127.0.0.1:"),
])
async def test_a_bitmart_target_is_labelled_with_its_notice_and_its_url(options, label, url):
    with lifecycle.clock_at(NO_TRADING):
        app = KeyprobeApp(ConsoleOptions(**options))
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            status = shown(app, "#status-bar")
            assert label in status and url in status and "⚠ BitMart: no trading since 2026-08-26" not in status.split(url)[0]
            assert f"Venue {label}" in shown(app, "#target-line")
            assert " ".join(shown(app, "#venue-notice").split()) == f"⚠ {NOTICE}"


async def test_no_notice_before_bitmart_s_notice_nor_on_woo_x_pro():
    with lifecycle.clock_at(BEFORE):
        app = KeyprobeApp(ConsoleOptions(flavour="bitmart"))
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            assert "Local emulator (BitMart)" in shown(app, "#target-line") and shown(app, "#venue-notice") == ""
    with lifecycle.clock_at(NO_TRADING):
        app = KeyprobeApp()
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            assert "Local emulator (WOO X Pro)" in shown(app, "#target-line") and shown(app, "#venue-notice") == ""


async def test_saving_a_bitmart_profile_in_the_keys_screen_warns():
    vault.create(keyfile_path(), "passphrase", vault.TEST_ONLY).save()
    with lifecycle.clock_at(NO_TRADING):
        app = KeyprobeApp()
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            app.focused.insert_text_at_cursor("passphrase")
            await press(pilot, "enter", "f2", "a")
            form = app.screen
            for field, value in (("name", "bm"), ("api-key", EXAMPLE_KEY), ("secret", EXAMPLE_SECRET), ("memo", EXAMPLE_MEMO)):
                form.query_one(f"#{field}", Input).value = value
            form.query_one("#venue", Select).value = "bitmart"
            await press(pilot, "ctrl+s")
            assert "bm" in app.vault.profiles
            warned = [n.message for n in app._notifications if n.title == "Profile bm"]
            assert any("serves only to read balances" in w for w in warned), warned
