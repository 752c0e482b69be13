"""A base URL without a profile: `keyprobe --base-url URL` and the palette's "Base URL" entry; the
key signs for the host the user named, and never goes over plain http to anything but loopback."""

from __future__ import annotations

import pytest
from console_support import quiet_console, send, settle, type_and_press

from keys.demo import demo_key
from tui.cli import _console_args
from tui.console.app import ConsoleOptions, KeyprobeApp
from tui.console.base_url import at_base_url
from tui.emulator import Emulator
from tui.venues import get_venue

SIZE = (120, 40)


@pytest.fixture(autouse=True)
def _console_env(monkeypatch, tmp_path):
    quiet_console(monkeypatch, tmp_path)


@pytest.fixture()
def emulator():
    with Emulator() as emu:
        yield emu


def test_a_base_url_binds_the_key_to_that_host_and_keeps_keys_off_plain_http():
    creds = demo_key().credentials
    target, warning = at_base_url(get_venue("bitmart"), "https://mirror.example.com:8443/", creds)
    assert warning is None and target.venue.base_url == "https://mirror.example.com:8443"
    assert "mirror.example.com" in target.allowed_hosts and target.credentials is creds
    target, warning = at_base_url(get_venue("bitmart"), "http://mirror.example.com", creds)
    assert target.credentials is None and "plain http" in warning  # public requests only
    target, warning = at_base_url(get_venue("emulator"), "http://127.0.0.1:8640", None)
    assert warning is None and target.credentials.fingerprint == creds.fingerprint  # loopback: the demo key
    assert target.key_label == f"demo {creds.fingerprint}"  # said as the demo key, not as KEYPROBE_* credentials
    target, _ = at_base_url(get_venue("emulator"), "http://127.0.0.1:8640", demo_key("frozen").credentials)
    assert target.key_label.startswith("environment #")  # KEYPROBE_* set: that key, named for where it came from
    for bad in ("ftp://x", "https://host/path", "nonsense"):
        assert at_base_url(get_venue("bitmart"), bad, creds)[0] is None


def test_the_console_reads_base_url_as_its_own_option():
    args = _console_args(["--base-url", "http://127.0.0.1:8640"])
    assert args is not None and args.command is None and args.console_base_url == "http://127.0.0.1:8640"


async def test_keyprobe_base_url_opens_on_a_running_emulator_and_sends(emulator):
    app = KeyprobeApp(ConsoleOptions(base_url=emulator.base_url))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert app.session.target.venue.base_url == emulator.base_url and app.session.target.emulator is None
        assert "Key demo #d84ea451" in app.main_screen.composer.query_one("#target-line").content.plain
        assert (await send(app, pilot)).code == 1000


async def test_the_palette_entry_moves_the_console_to_another_base_url(emulator):
    app = KeyprobeApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        from console_support import entry

        entry(app, "Base URL: send to another base URL (no profile)").callback()
        await settle(app, pilot)
        app.screen.query_one("Input").value = ""
        await type_and_press(app, pilot, emulator.base_url, "enter")
        await settle(app, pilot)
        assert app.session.target.venue.base_url == emulator.base_url
        assert (await send(app, pilot)).code == 1000
        assert app.main_screen.exchange.request.url.startswith(emulator.base_url)
