"""The unlock modal, the keys screen and the profile selector, driven by Pilot against a real key
file (tiny Argon2id limits) and the in-process emulator. A canary secret, memo and key go through
add and edit and are searched for in every screen's text and in the SVG: never found."""

from __future__ import annotations

import json
import os

import pytest
from console_support import check_snapshot, press, quiet_console, screen_text, send, settle, type_and_press
from leaks import find_leaks
from textual.widgets import DataTable, Input, Select, Static

from keys import vault
from keys.demo import EXAMPLE_KEY, EXAMPLE_MEMO, EXAMPLE_SECRET
from keys.secret import Secret
from tui.console.app import KeyprobeApp
from tui.console.profiles import EMULATOR_CHOICE
from tui.console.screens.dialogs import ConfirmScreen
from tui.console.screens.help import HelpScreen
from tui.console.screens.keys import KeysScreen
from tui.console.screens.profile_form import ProfileFormScreen
from tui.console.screens.unlock import UnlockScreen
from tui.console.widgets.profile_select import ProfileSelect
from tui.emulator import Emulator
from tui.paths import keyfile_path

SIZE = (120, 40)
PASSPHRASE = "horse-battery"
CANARY_KEY = "c4n4ry0d1e5a7b3f9e2d8c6b4a2f0e1d3c5b7a9f"
CANARY_SECRET = "CANARY-SECRET-5f1d2a9e77b04c1e-never-rendered"
CANARY_MEMO = "CANARY-MEMO-0b9e"
NEW_SECRET = "CANARY-SECRET-second-3a6c0e9d"


@pytest.fixture(autouse=True)
def _console_env(monkeypatch, tmp_path):
    quiet_console(monkeypatch, tmp_path)
    monkeypatch.setenv("KEYPROBE_KDF", "test")  # key files created by the keys screen: tiny Argon2id


@pytest.fixture
def emulator():
    with Emulator("bitmart") as emu:
        yield emu


@pytest.fixture
def keyfile(emulator):
    """A key file with one profile: the emulator's working demo key, on the emulator's port."""
    opened = vault.create(keyfile_path(), PASSPHRASE, vault.TEST_ONLY)
    opened.add(vault.Profile.new("emu", "emulator", EXAMPLE_KEY, EXAMPLE_SECRET, EXAMPLE_MEMO, base_url=emulator.base_url, notes="local"))
    opened.save()
    return keyfile_path()


def notes(app) -> list[str]:
    return [n.message for n in app._notifications]


def stored(name: str) -> vault.Profile:
    return vault.unlock(keyfile_path(), PASSPHRASE).profiles[name]


async def type_into(pilot, widget, text: str) -> None:
    """Paste `text` into the field, as a person pasting a key does (one key press per character
    would cost a Pilot idle-wait each: seconds per secret)."""
    widget.focus()
    widget.insert_text_at_cursor(text)
    await settle(pilot.app, pilot)


async def unlock(app, pilot, passphrase: str = PASSPHRASE) -> None:
    await settle(app, pilot)
    assert isinstance(app.screen, UnlockScreen)
    await type_and_press(app, pilot, passphrase, "enter")
    await settle(app, pilot)


def assert_no_canary(text: str) -> None:
    """No 8 characters of a secret or memo (nor their first-6/last-4 fingerprint), and no whole key."""
    assert find_leaks([("screen", text)], [CANARY_SECRET, CANARY_MEMO, NEW_SECRET, EXAMPLE_SECRET, EXAMPLE_MEMO]) == []
    assert CANARY_KEY not in text


async def test_wrong_then_right_passphrase_opens_the_profile_on_its_venue(keyfile, emulator):
    app = KeyprobeApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, UnlockScreen)
        assert app.session.target is None  # nothing is started behind the modal

        await type_and_press(app, pilot, "wrong-one", "enter")
        await settle(app, pilot)
        modal = app.screen
        assert isinstance(modal, UnlockScreen) and not modal.busy
        assert "Wrong passphrase" in modal.query_one("#unlock-message", Static).content.plain
        field = modal.query_one("#passphrase", Input)
        assert field.value == "" and field.has_focus
        assert app.vault is None

        await type_and_press(app, pilot, PASSPHRASE, "enter")
        await settle(app, pilot)
        assert not isinstance(app.screen, UnlockScreen)
        assert list(app.vault.profiles) == ["emu"]
        target = app.session.target
        assert target.profile == "emu" and target.emulator is None  # the profile's venue, not a new emulator
        assert target.venue.base_url == emulator.base_url and target.credentials.fingerprint == "#d84ea451"
        assert app.main_screen.query_one("#profile-choice", Select).value == "emu"
        assert (await send(app, pilot)).code == 1000
        assert app.main_screen.exchange.request.url.startswith(emulator.base_url)


async def test_escape_continues_on_the_emulator_without_keys(keyfile):
    app = KeyprobeApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await press(pilot, "escape")
        assert app.vault is None and not app.main_screen.query(ProfileSelect)
        target = app.session.target
        assert target.emulator is not None and target.profile == "demo"
        assert (await send(app, pilot)).code == 1000


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        ("chmod", "chmod 600"),
        ("garbage", "Restore it from a backup"),
        ("version", "written by a newer keyprobe"),
    ],
)
async def test_other_key_file_problems_are_sentences_with_the_fix(keyfile, damage, expected):
    if damage == "chmod":
        os.chmod(keyfile, 0o644)
    elif damage == "garbage":
        keyfile.write_text("this is not JSON")
    else:
        document = json.loads(keyfile.read_text())
        keyfile.write_text(json.dumps(dict(document, version=99)))
    app = KeyprobeApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        message = app.screen.query_one("#unlock-message", Static)
        assert expected in message.content.plain and message.has_class("-error")  # said before any typing
        await type_and_press(app, pilot, PASSPHRASE, "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, UnlockScreen) and app.vault is None
        assert expected in app.screen.query_one("#unlock-message", Static).content.plain


async def test_add_edit_remove_a_profile_never_renders_its_secrets(keyfile, emulator):
    app = KeyprobeApp()
    async with app.run_test(size=SIZE) as pilot:
        await unlock(app, pilot)
        await press(pilot, "f2")
        keys = app.screen
        assert isinstance(keys, KeysScreen) and keys.query_one(DataTable).row_count == 1

        # add
        await press(pilot, "a")
        form = app.screen
        assert isinstance(form, ProfileFormScreen)
        await type_into(pilot, form.query_one("#name", Input), "canary")
        await type_into(pilot, form.query_one("#api-key", Input), CANARY_KEY)
        await type_into(pilot, form.query_one("#secret", Input), CANARY_SECRET)
        await type_into(pilot, form.query_one("#memo", Input), CANARY_MEMO)
        await type_into(pilot, form.query_one("#notes", Input), "canary notes")
        assert_no_canary(screen_text(app))  # typed into password fields: bullets only
        await press(pilot, "ctrl+s")
        assert app.screen is keys and "Added profile canary." in notes(app)
        on_disk = stored("canary")
        assert on_disk.api_key == Secret(CANARY_KEY) and on_disk.secret == Secret(CANARY_SECRET) and on_disk.memo == Secret(CANARY_MEMO)
        assert on_disk.venue == "wooxpro" and on_disk.notes == "canary notes"  # WOO X Pro leads the venue list
        text = screen_text(app)
        assert_no_canary(text)
        assert "c4n4ry" not in text and "#4e18230b" in text  # the key as its fingerprint (a hash)

        # edit: blank secret fields keep theirs
        assert keys.highlighted_name() == "canary"
        await press(pilot, "e")
        form = app.screen
        assert form.query_one("#secret", Input).value == "" and "set · blank keeps it" in screen_text(app)
        notes_field = form.query_one("#notes", Input)
        notes_field.value = ""
        await type_into(pilot, notes_field, "edited")
        await press(pilot, "ctrl+s")
        on_disk = stored("canary")
        assert on_disk.secret == Secret(CANARY_SECRET) and on_disk.memo == Secret(CANARY_MEMO) and on_disk.notes == "edited"

        # edit: a new secret replaces the old
        await press(pilot, "e")
        await type_into(pilot, app.screen.query_one("#secret", Input), NEW_SECRET)
        await press(pilot, "ctrl+s")
        assert stored("canary").secret == Secret(NEW_SECRET)
        assert_no_canary(screen_text(app))
        assert_no_canary(app.export_screenshot())

        # remove, after confirming
        await press(pilot, "d")
        assert isinstance(app.screen, ConfirmScreen)
        await press(pilot, "y")
        assert "canary" not in app.vault.profiles
        assert list(vault.unlock(keyfile_path(), PASSPHRASE).profiles) == ["emu"]
        assert keys.query_one(DataTable).row_count == 1


async def test_a_bad_profile_keeps_the_form_open_with_the_sentence(keyfile):
    app = KeyprobeApp()
    async with app.run_test(size=SIZE) as pilot:
        await unlock(app, pilot)
        await press(pilot, "f2")
        await press(pilot, "a")
        await settle(app, pilot)
        form = app.screen
        await type_into(pilot, form.query_one("#name", Input), "emu")  # taken
        await type_into(pilot, form.query_one("#api-key", Input), CANARY_KEY)
        await press(pilot, "ctrl+s")
        assert app.screen is form and "already exists" in form.query_one("#form-error", Static).content.plain
        form.query_one("#name", Input).value = "fresh"
        await press(pilot, "ctrl+s")  # no secret typed
        assert app.screen is form and "secret is empty" in form.query_one("#form-error", Static).content.plain
        # A malformed base URL and a secret with a Windows line ending: field errors, the form and what was typed stay.
        await type_into(pilot, form.query_one("#secret", Input), CANARY_SECRET)
        form.query_one("#base-url", Input).value = "http://[::1"
        await press(pilot, "ctrl+s")
        assert app.screen is form and "'http://[::1' is not a valid URL" in form.query_one("#form-error", Static).content.plain
        assert form.query_one("#name", Input).value == "fresh" and form.query_one("#secret", Input).value == CANARY_SECRET
        form.query_one("#base-url", Input).value = "http://cloud-api.wooxpro.com"  # the default venue's host
        await press(pilot, "ctrl+s")
        assert app.screen is form and "over plain http" in form.query_one("#form-error", Static).content.plain
        form.query_one("#base-url", Input).value = ""
        form.query_one("#secret", Input).value = CANARY_SECRET + "\r"
        await press(pilot, "ctrl+s")
        error = form.query_one("#form-error", Static).content.plain
        assert app.screen is form and f"The secret contains a carriage return (CR) at position {len(CANARY_SECRET) + 1}" in error
        assert CANARY_SECRET[:8] not in error
        await press(pilot, "escape")
        assert isinstance(app.screen, KeysScreen) and list(stored_names()) == ["emu"]


def stored_names() -> list[str]:
    return list(vault.unlock(keyfile_path(), PASSPHRASE).profiles)


async def test_profile_selector_moves_the_venue_and_lock_drops_the_vault(keyfile, emulator):
    opened = vault.unlock(keyfile, PASSPHRASE)
    # A WOO X Pro profile pointed at a closed loopback port: the venue changes, nothing leaves the machine.
    opened.add(vault.Profile.new("live", "wooxpro", CANARY_KEY, CANARY_SECRET, CANARY_MEMO,
                                 extra_hosts=("127.0.0.1",), base_url="http://127.0.0.1:9"))
    opened.save()
    app = KeyprobeApp()
    async with app.run_test(size=SIZE) as pilot:
        await unlock(app, pilot)
        choice = app.main_screen.query_one("#profile-choice", Select)
        choice.value = "live"  # what picking it in the selector does
        await settle(app, pilot)
        target = app.session.target
        assert target.profile == "live" and target.venue.id == "wooxpro" and "cloud-api.wooxpro.com" in target.allowed_hosts
        assert "WOO X Pro" in screen_text(app)  # the composer shows the venue that follows the profile
        assert_no_canary(screen_text(app))

        choice.value = EMULATOR_CHOICE
        await settle(app, pilot)
        assert app.session.target.emulator is not None and app.session.target.profile == "demo"

        await press(pilot, "f2")
        await press(pilot, "l")
        await settle(app, pilot)
        assert app.vault is None and isinstance(app.screen, UnlockScreen)
        assert not app.main_screen.query(ProfileSelect)
        await press(pilot, "escape")
        assert app.session.target.emulator is not None and (await send(app, pilot)).code == 1000


async def test_lock_while_on_a_profile_returns_to_the_emulator_and_unlock_again_restores_it(keyfile):
    app = KeyprobeApp()
    async with app.run_test(size=SIZE) as pilot:
        await unlock(app, pilot)
        assert app.session.target.profile == "emu" and app.session.target.emulator is None
        from tui.console.commands import entries

        assert any(e.title == "Profile: use emu" for e in entries(app))
        lock_entry = next(e for e in entries(app) if e.title == "Keys: lock the key file")
        lock_entry.callback()
        await settle(app, pilot)
        assert app.vault is None
        assert app.session.target.emulator is not None and app.session.target.credentials.fingerprint == "#d84ea451"
        assert any(e.title == "Keys: unlock the key file" for e in entries(app))

        await press(pilot, "f2")
        assert "locked" in app.screen.query_one("#keys-status", Static).content.plain
        await press(pilot, "o")
        await unlock(app, pilot)
        assert isinstance(app.screen, KeysScreen) and app.screen.query_one(DataTable).row_count == 1
        assert app.session.target.profile == "emu"


async def test_create_a_key_file_from_the_keys_screen_then_add_the_first_profile(emulator):
    app = KeyprobeApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await press(pilot, "f2")
        assert "does not exist yet" in app.screen.query_one("#keys-status", Static).content.plain
        await press(pilot, "n")
        modal = app.screen
        assert isinstance(modal, UnlockScreen)
        await type_and_press(app, pilot, "one", "enter")
        await type_and_press(app, pilot, "two", "enter")
        await settle(app, pilot)
        assert app.screen is modal and "differ" in modal.query_one("#unlock-message", Static).content.plain
        assert not keyfile_path().exists()
        await type_and_press(app, pilot, PASSPHRASE, "enter")
        await type_and_press(app, pilot, PASSPHRASE, "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, KeysScreen) and app.vault is not None and app.vault.profiles == {}
        assert keyfile_path().stat().st_mode & 0o777 == 0o600

        await press(pilot, "a")
        form = app.screen
        await type_into(pilot, form.query_one("#name", Input), "emu")
        form.query_one("#venue", Select).value = "emulator"
        await type_into(pilot, form.query_one("#api-key", Input), EXAMPLE_KEY)
        await type_into(pilot, form.query_one("#secret", Input), EXAMPLE_SECRET)
        await type_into(pilot, form.query_one("#memo", Input), EXAMPLE_MEMO)
        await type_into(pilot, form.query_one("#base-url", Input), emulator.base_url)
        await press(pilot, "ctrl+s")
        assert stored_names() == ["emu"]
        await press(pilot, "enter")  # use the highlighted profile
        assert app.session.target.profile == "emu" and app.session.target.venue.base_url == emulator.base_url
        assert app.main_screen.query_one("#profile-choice", Select).value == "emu"
        assert (await send(app, pilot)).code == 1000


@pytest.mark.screenshot
async def test_keys_screen_help_bindings_and_snapshot(keyfile, emulator, monkeypatch, tmp_path):
    import console_support

    opened = vault.unlock(keyfile, PASSPHRASE)
    opened.add(vault.Profile.new("canary", "bitmart", CANARY_KEY, CANARY_SECRET, CANARY_MEMO, extra_hosts=("api.example.com",), notes="snapshot canary"))
    opened.save()
    # The key file's folder is shown on the screen: make it the same short path on every run.
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KEYPROBE_HOME", "home")
    (tmp_path / "home").mkdir()
    os.replace(keyfile, tmp_path / "home" / "keys.json")
    # the snapshot shows the emulator's base URL: its random port must come out the same on every run
    assert console_support.normalise(emulator.base_url) == "http://127.0.0.1:48640"

    for cls in (KeysScreen, ProfileFormScreen, UnlockScreen, ConfirmScreen):
        assert cls.BINDINGS and all(b.id for b in cls.BINDINGS) and cls.HELP

    app = KeyprobeApp()
    async with app.run_test(size=SIZE) as pilot:
        await unlock(app, pilot)
        await press(pilot, "f2")
        app.screen.query_one(DataTable).move_cursor(row=1)
        await settle(app, pilot)
        picture = check_snapshot(app, "keys-screen")
        assert "canary" in picture and "#4e18230b" in picture  # the profile is in the picture...
        assert_no_canary(picture)  # ...its secret, memo and full key are not

        await press(pilot, "f1")
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        assert "fingerprint" in text  # the keys screen's HELP, shown for the focused table
        keys_listed = app.screen.query_one("#help-keys", Static).content.plain  # below the text: scrolled out of view
        assert "keys.add" in keys_listed and "keys.lock" in keys_listed and "keys.remove" in keys_listed


async def test_palette_reaches_every_keys_action(keyfile):
    from console_support import entry, run_entry

    app = KeyprobeApp()
    async with app.run_test(size=SIZE) as pilot:
        await unlock(app, pilot)
        for title in ("Keys: manage profiles", "Keys: add a profile", "Keys: edit emu", "Keys: remove emu",
                      "Keys: lock the key file", "Profile: use emu", "Profile: use the local emulator's demo key"):
            entry(app, title)
        await run_entry(app, pilot, "Keys: edit emu")
        form = app.screen
        assert isinstance(form, ProfileFormScreen) and form.query_one("#name", Input).value == "emu"
        assert "#d84ea451" in screen_text(app) and EXAMPLE_SECRET not in screen_text(app)
        await press(pilot, "escape")
        assert isinstance(app.screen, KeysScreen)
        await press(pilot, "escape")
        await run_entry(app, pilot, "Keys: remove emu")
        assert isinstance(app.screen, ConfirmScreen)
        await press(pilot, "n")
        assert stored_names() == ["emu"] and list(app.vault.profiles) == ["emu"]


async def test_an_emulator_profile_without_a_base_url_uses_the_consoles_own_emulator():
    opened = vault.create(keyfile_path(), PASSPHRASE, vault.TEST_ONLY)
    opened.add(vault.Profile.new("own", "emulator", EXAMPLE_KEY, EXAMPLE_SECRET, EXAMPLE_MEMO))
    opened.save()
    app = KeyprobeApp()
    async with app.run_test(size=SIZE) as pilot:
        await unlock(app, pilot)
        target = app.session.target
        assert target.profile == "own" and target.key_file_profile == "own"
        emulator = target.emulator
        assert emulator is not None and emulator.running and target.venue.base_url == emulator.base_url != "http://127.0.0.1:8640"
        assert (await send(app, pilot)).code == 1000
        assert app.main_screen.exchange.request.url.startswith(emulator.base_url)

        from console_support import entry, run_entry

        entry(app, "Break it: use a wrong secret")  # the emulator's entries are offered on this profile
        await run_entry(app, pilot, "Emulator: maintenance on")
        assert (await send(app, pilot)).code == 30016  # the switch is on the emulator this profile sends to
        await run_entry(app, pilot, "Emulator: maintenance off")
        await run_entry(app, pilot, "Break it: use a wrong secret")  # the demo key, broken: no longer the profile
        assert app.session.target.key_file_profile is None and app.session.target.emulator is emulator
        await run_entry(app, pilot, "Profile: use own")
        assert app.session.target.key_file_profile == "own" and app.session.target.emulator is emulator

        await press(pilot, "f2")
        assert "this console's own emulator" in app.screen.query_one("#keys-detail", Static).content.plain
        await press(pilot, "l")  # lock: the profile's key leaves, the same emulator stays with its demo key
        await settle(app, pilot)
        await press(pilot, "escape")
        target = app.session.target
        assert target.emulator is emulator and target.key_file_profile is None and target.profile == "demo"


async def test_a_bad_keymap_is_told_after_the_unlock_window_naming_its_entries(keyfile):
    from tui.console.app import DARK_THEME, LIGHT_THEME
    from tui.console.keymap import keymap_path

    keymap_path().write_text('{"main.send": 5, "main.sned": "f9", "app.theme": "f12"}')
    app = KeyprobeApp()
    # Notifications are recorded (app._notifications) without being drawn: with them drawn, the test harness
    # sometimes left the main screen under the start-up unlock window without its first refresh, and settle
    # waited for its deferred mount (2 runs in 4, with or without a keymap; a real terminal refreshes it).
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)  # the warm-up worker that checks the ids has run
        assert isinstance(app.screen, UnlockScreen)
        assert not [n for n in notes(app) if "keymap" in n]  # a toast under the unlock window went unread
        await press(pilot, "escape")
        said = [n for n in notes(app) if "keymap" in n]
        assert any("entry 'main.send' must map to keys written as a string" in n for n in said), said
        assert any("entry 'main.sned': no binding has that id" in n for n in said), said
        assert app.theme == DARK_THEME
        await press(pilot, "f12")  # the good entry applies
        assert app.theme == LIGHT_THEME
