"""The console never sends a signed write to a real venue unasked (issue 26).

Unlocking the key file keeps the console where it is (the emulator) when the first profile is bound
to a real venue, and says so; ctrl+j and the sidebar's replay of a signed POST to a real (non-loopback)
host ask first, as `keyprobe replay` does; "a" (send, stop asking) holds for that target until the key
file is locked. Nothing reaches the network: the session's Wire gets a transport that records every
request it is handed and answers it, so "nothing was sent" is read from what reached the transport.
"""

from __future__ import annotations

import json

import httpx
import pytest
from console_support import press, quiet_console, run_entry, screen_text, settle, until
from textual.widgets import Select

from keys import vault
from keys.demo import EXAMPLE_KEY, EXAMPLE_MEMO, EXAMPLE_SECRET
from tui.console.app import ConsoleOptions, KeyprobeApp
from tui.console.profiles import EMULATOR_CHOICE
from tui.console.screens.dialogs import SendConfirmScreen
from tui.console.screens.unlock import UnlockScreen
from tui.console.widgets.sidebar import Sidebar
from tui.paths import keyfile_path
from tui.transport.wire import Wire

SIZE = (120, 40)
PASSPHRASE = "horse-battery"
SIGNED = "Endpoint: POST /contract/private/submit-order (signed)"
REAL_HOST = "cloud-api.wooxpro.com"


class RecordingTransport(httpx.AsyncBaseTransport):
    """Stands where the network would be: keeps each request it is handed and answers 200 with a
    WOO X Pro-shaped success, so a confirmed send completes without a socket."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(200, json={"code": 1000, "message": "Ok", "data": {}}, request=request)

    def hosts(self) -> list[str]:
        return [r.url.host for r in self.requests]


@pytest.fixture(autouse=True)
def _console_env(monkeypatch, tmp_path):
    quiet_console(monkeypatch, tmp_path)


@pytest.fixture
def keyfile():
    """One profile, first in the file: the demo key bound to WOO X Pro's real host (no base URL)."""
    opened = vault.create(keyfile_path(), PASSPHRASE, vault.TEST_ONLY)
    opened.add(vault.Profile.new("live", "wooxpro", EXAMPLE_KEY, EXAMPLE_SECRET, EXAMPLE_MEMO))
    opened.save()
    return keyfile_path()


async def unlock(app, pilot) -> RecordingTransport:
    await settle(app, pilot)
    assert isinstance(app.screen, UnlockScreen)
    app.focused.insert_text_at_cursor(PASSPHRASE)
    await press(pilot, "enter")
    recorder = RecordingTransport()
    app.session._wire = Wire(timeout=15, transport=recorder)  # no socket: the recorder is the network
    return recorder


def asked(app) -> bool:
    return isinstance(app.screen, SendConfirmScreen)


async def test_unlock_offers_a_real_venue_in_words_and_stays_on_the_emulator(keyfile):
    app = KeyprobeApp()
    async with app.run_test(size=SIZE) as pilot:
        recorder = await unlock(app, pilot)
        target = app.session.target
        assert target.emulator is not None and target.profile == "demo", target  # not switched to "live"
        assert not target.reaches_real_venue
        offer = " ".join(n.message for n in app._notifications)
        assert "Still on the local emulator" in offer and "live" in offer and REAL_HOST in offer
        assert app.main_screen.query_one("#profile-choice", Select).value == EMULATOR_CHOICE
        await run_entry(app, pilot, SIGNED)
        await press(pilot, "ctrl+j")
        await until(app, pilot, lambda: app.main_screen.exchange is not None, "the send to the emulator")
        assert recorder.hosts() == ["127.0.0.1"] and not asked(app)  # the emulator: loopback never asks


async def test_ctrl_j_asks_before_a_signed_write_to_a_real_venue_and_lock_forgets_the_trust(keyfile):
    app = KeyprobeApp(ConsoleOptions(profile="live"))  # named on the command line: the console starts on it
    async with app.run_test(size=SIZE) as pilot:
        recorder = await unlock(app, pilot)
        assert app.session.target.profile == "live" and app.session.target.reaches_real_venue
        await run_entry(app, pilot, SIGNED)

        await press(pilot, "ctrl+j")
        assert asked(app) and not recorder.requests
        assert REAL_HOST in screen_text(app) and "POST /contract/private/submit-order" in screen_text(app)
        await press(pilot, "enter", "ctrl+j")  # typed ahead: neither answers the question
        assert asked(app) and not recorder.requests
        await press(pilot, "n")
        assert not asked(app) and not recorder.requests
        assert app.main_screen.query_one("#status-line").content.plain.startswith("Not sent: you said no")

        await press(pilot, "ctrl+j", "y")  # once
        await until(app, pilot, lambda: app.main_screen.exchange is not None, "the confirmed send")
        assert recorder.hosts() == [REAL_HOST]
        await press(pilot, "ctrl+j")
        assert asked(app) and len(recorder.requests) == 1  # "y" was for that send only
        await press(pilot, "a")  # send, and stop asking for this target
        await until(app, pilot, lambda: len(recorder.requests) == 2, "the second confirmed send")
        await press(pilot, "ctrl+j")
        await until(app, pilot, lambda: len(recorder.requests) == 3, "a send that no longer asks")
        assert not asked(app)

        # GET (a read) never asks
        await run_entry(app, pilot, "Endpoint: GET /contract/private/assets-detail (keyed)")
        await press(pilot, "ctrl+j")
        await until(app, pilot, lambda: len(recorder.requests) == 4, "a keyed read")
        assert not asked(app)

        # lock, unlock (stays on the emulator now), pick "live" again: it asks again
        await press(pilot, "f2", "l")
        assert isinstance(app.screen, UnlockScreen)
        app.focused.insert_text_at_cursor(PASSPHRASE)
        await press(pilot, "enter")
        assert app.session.target.emulator is not None  # the unlock after a lock offers, it does not switch
        app.main_screen.query_one("#profile-choice", Select).value = "live"
        await settle(app, pilot)
        assert app.session.target.profile == "live"
        await run_entry(app, pilot, SIGNED)
        await press(pilot, "ctrl+j")
        assert asked(app) and len(recorder.requests) == 4
        await press(pilot, "escape")
        assert len(recorder.requests) == 4


async def test_the_sidebar_replay_goes_through_the_same_gate(keyfile):
    app = KeyprobeApp(ConsoleOptions(profile="live"))
    async with app.run_test(size=SIZE) as pilot:
        recorder = await unlock(app, pilot)
        await run_entry(app, pilot, SIGNED)
        await press(pilot, "ctrl+b", "ctrl+s")
        await press(pilot, "ctrl+u", *"order", "enter")
        sidebar = app.main_screen.query_one(Sidebar)
        await until(app, pilot, lambda: sidebar.saved_count == 1, "the saved request in the sidebar")
        sidebar.query_one("#saved-tree").focus()
        await press(pilot, "down", "r")
        assert asked(app) and not recorder.requests, [n.message for n in app._notifications]
        await press(pilot, "n")
        assert not recorder.requests and not asked(app)
        await press(pilot, "r", "a")
        await until(app, pilot, lambda: len(recorder.requests) == 1, "the confirmed replay")
        sent = json.loads(recorder.requests[0].content)
        assert recorder.hosts() == [REAL_HOST] and sent["symbol"]
        await press(pilot, "r")  # trusted for this target now, also for ctrl+j
        await until(app, pilot, lambda: len(recorder.requests) == 2, "a replay that no longer asks")
        assert not asked(app)
