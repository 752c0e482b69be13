"""The console tests' own wait (tests/console_support.settle): it must not return while the app is
still working on what it was given, however idle the process looks meanwhile."""

from __future__ import annotations

import asyncio
import time

from console_support import settle
from textual.app import App, ComposeResult
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Static


class Slow(Message):
    pass


class Under(Screen):
    def __init__(self) -> None:
        super().__init__()
        self.finished = False

    def compose(self) -> ComposeResult:
        yield Static("under")

    async def on_slow(self, message: Slow) -> None:
        # Slow work that leaves the process idle (a blocking call in a thread), with no worker, no
        # queued message and, with a modal on top, not on the screen Pilot looks at.
        await asyncio.to_thread(time.sleep, 0.5)
        self.finished = True


class Modal(ModalScreen):
    def compose(self) -> ComposeResult:
        yield Static("modal")


async def test_settle_waits_for_a_handler_still_running_under_a_modal():
    under = Under()
    app = App()
    async with app.run_test() as pilot:
        await app.push_screen(under)
        await app.push_screen(Modal())
        await settle(app, pilot)
        under.post_message(Slow())
        await settle(app, pilot)
        assert under.finished
