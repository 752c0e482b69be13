"""Keys typed in one burst (a password manager's auto-type) land in the fields they were typed for:
the create, unlock and profile windows read each field only after its keys are in it, and a Tab
moves on before the keys typed after it are handed out (screens/fields_modal.py)."""

from __future__ import annotations

import pytest
from console_support import burst, press, quiet_console, settle
from textual.widgets import DataTable, Static

from keys import vault
from keys.demo import EXAMPLE_KEY, EXAMPLE_MEMO, EXAMPLE_SECRET
from keys.secret import Secret
from tui.console.app import KeyprobeApp
from tui.console.screens.keys import KeysScreen
from tui.console.screens.unlock import UnlockScreen
from tui.paths import keyfile_path

SIZE = (120, 40)
PASSPHRASE = "abcdefgh"


@pytest.fixture(autouse=True)
def _console_env(monkeypatch, tmp_path):
    quiet_console(monkeypatch, tmp_path)
    monkeypatch.setenv("KEYPROBE_KDF", "test")


def typed(text: str) -> list[str]:
    return list(text)


async def test_new_key_file_typed_in_one_burst_from_the_key_that_opens_it():
    app = KeyprobeApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await press(pilot, "f2")
        burst(app, "n", *typed(PASSPHRASE), "tab", *typed(PASSPHRASE), "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, KeysScreen), app.screen.query_one("#unlock-message", Static).content
        assert app.vault is not None
    assert vault.unlock(keyfile_path(), PASSPHRASE).profiles == {}


async def test_both_passphrases_auto_typed_into_the_open_window_with_enter_between():
    app = KeyprobeApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await press(pilot, "f2", "n")
        burst(app, *typed(PASSPHRASE), "enter", *typed(PASSPHRASE), "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, KeysScreen) and app.vault is not None
    assert vault.unlock(keyfile_path(), PASSPHRASE).profiles == {}


async def test_two_different_passphrases_in_a_burst_are_still_told_apart():
    app = KeyprobeApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await press(pilot, "f2", "n")
        burst(app, *typed(PASSPHRASE), "tab", *typed("abcdefgX"), "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, UnlockScreen)
        assert "differ" in str(app.screen.query_one("#unlock-message", Static).content)
    assert not keyfile_path().exists()


async def test_a_profile_auto_typed_field_by_field_then_ctrl_s_is_saved_as_typed():
    vault.create(keyfile_path(), PASSPHRASE, vault.TEST_ONLY).save()
    app = KeyprobeApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        burst(app, *typed(PASSPHRASE), "enter")  # the unlock window is up first
        await settle(app, pilot)
        await press(pilot, "f2")
        # name, venue (a select: tab passes it), key, secret, memo, extra hosts, base URL, then save
        burst(app, "a", *typed("emu"), "tab", "tab", *typed(EXAMPLE_KEY), "tab", *typed(EXAMPLE_SECRET), "tab",
              *typed(EXAMPLE_MEMO), "tab", *typed("127.0.0.1"), "tab", *typed("http://127.0.0.1:9"), "ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, KeysScreen), app.screen.query_one("#form-error", Static).content
        assert app.screen.query_one(DataTable).row_count == 1
    profile = vault.unlock(keyfile_path(), PASSPHRASE).profiles["emu"]
    assert profile.api_key == Secret(EXAMPLE_KEY) and profile.secret == Secret(EXAMPLE_SECRET)
    assert profile.memo == Secret(EXAMPLE_MEMO) and profile.extra_hosts == ("127.0.0.1",)
    assert profile.base_url == "http://127.0.0.1:9"


@pytest.mark.parametrize("table", ["query", "headers"])
async def test_a_row_of_a_composer_table_typed_in_one_burst(table):
    """Key, Tab, value in one burst into the query or header table: each lands in its own field, in order
    (the Tab used to move the focus only after the value's keys had been handed to the key field)."""
    app = KeyprobeApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        composer = app.main_screen.composer
        composer.query_one(f"#{table} .table-head").focus()
        await press(pilot, "enter")  # the heading adds the first row and focuses its key field
        burst(app, *typed("abcdefgh"), "tab", *typed("12345678"), "tab", "tab", *typed("x"))
        await settle(app, pilot)
        rows = composer.query_one(f"#{table}").rows
        assert [row.pair for row in rows] == [("abcdefgh", "12345678")]
        assert app.focused is not None and app.focused.id != "path"


async def test_down_moves_past_the_venue_select_in_the_profile_form():
    """The profile form's Venue select took Down to open its list: the fields below were out of reach by
    arrows. Up and down move between fields; enter (or space) opens the list."""
    vault.create(keyfile_path(), PASSPHRASE, vault.TEST_ONLY).save()
    app = KeyprobeApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        burst(app, *typed(PASSPHRASE), "enter")
        await settle(app, pilot)
        await press(pilot, "f2", "a")
        assert app.focused.id == "name"
        await press(pilot, "down")
        assert app.focused.id == "venue" and not app.focused.expanded
        await press(pilot, "down")
        assert app.focused.id == "api-key"
        await press(pilot, "up", "up")
        assert app.focused.id == "name"
        await press(pilot, "down", "enter")  # enter on the select opens its list; down then moves in the list
        assert app.focused.id != "api-key" and app.screen.query_one("#venue").expanded
