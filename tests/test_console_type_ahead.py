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
