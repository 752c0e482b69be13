"""alt+1 … alt+7 from a real terminal: xterm, GNOME Terminal, Konsole and tmux send ESC and the digit, which
Textual 8 read as "¡", "™" ... (WezTerm-on-macOS's Option characters). The jumps never fired and the
characters were typed into the path and the signed body. Here the terminal's bytes go through Textual's own
parser and the keys it yields are pressed."""

from __future__ import annotations

import pytest
from console_support import press, quiet_console, settle
from textual._xterm_parser import XTermParser

from tui.console.app import KeyprobeApp


@pytest.fixture(autouse=True)
def _console_env(monkeypatch, tmp_path):
    quiet_console(monkeypatch, tmp_path)


def keys_from_terminal(data: str) -> list[str]:
    parser = XTermParser()
    events = list(parser.feed(data)) + list(parser.feed(""))  # "" flushes a lone ESC
    return [event.key for event in events]


async def test_esc_and_a_digit_jump_and_type_nothing():
    app = KeyprobeApp()  # installs the reading of ESC + digit
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(app, pilot)
        screen = app.main_screen
        path_before = screen.query_one("#path").value
        body_before = screen.query_one("#body").text
        for data, focused in (("\x1b2", "body"), ("\x1b1", "path"), ("\x1b4", "diagnosis")):
            keys = keys_from_terminal(data)
            assert keys == [f"alt+{data[1]}"], keys
            await press(pilot, *keys)
            assert app.focused.id == focused, (data, app.focused)
        assert screen.query_one("#path").value == path_before
        assert screen.query_one("#body").text == body_before
