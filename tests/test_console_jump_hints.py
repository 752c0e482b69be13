"""The jump keys (alt+1 … alt+7) are told where a person looks (issue 26): the footer carries one "Jump" key
naming them, and F1's general help names the keys they are bound to now, a keymap's included. Both are
read from the bindings, so they stay true; the key the footer names does what it says."""

from __future__ import annotations

import io
import json

import pytest
from rich.console import Console
from console_support import press, quiet_console, settle
from textual.widgets._footer import FooterKey

from tui.console.app import KeyprobeApp

SIZE = (140, 45)


@pytest.fixture(autouse=True)
def _console_env(monkeypatch, tmp_path):
    quiet_console(monkeypatch, tmp_path)


def footer_jump(app) -> FooterKey:
    found = [k for k in app.main_screen.query(FooterKey) if k.description == "Jump"]
    assert len(found) == 1, [k.description for k in app.main_screen.query(FooterKey)]
    return found[0]


async def help_words(app, pilot) -> str:
    """F1's help text as rendered (Markdown: the bold markers gone), whitespace folded."""
    await press(pilot, "f1")
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(app.screen.query_one("#help-text").content)
    await press(pilot, "escape")
    return " ".join(console.export_text().split())


async def test_the_footer_and_help_name_the_jump_keys_and_they_jump():
    app = KeyprobeApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        jump = footer_jump(app)
        assert jump.key_display == "alt+1…7" and jump.display
        await press(pilot, "alt+4")
        assert app.focused.id == "diagnosis"
        words = await help_words(app, pilot)
        assert "alt+1 … alt+7 jump to the request" in words, words


async def test_a_keymap_that_moves_a_jump_is_told_in_the_footer_and_help(tmp_path):
    (tmp_path / "keymap.json").write_text(json.dumps({"main.jump_request": "ctrl+g"}))
    app = KeyprobeApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert footer_jump(app).key_display == "^g…alt+7"
        app.main_screen.query_one("#body").focus()
        await press(pilot, "ctrl+g")
        assert app.focused.id == "path"
        words = await help_words(app, pilot)
        assert "^g, alt+2, alt+3, alt+4, alt+5, alt+6, alt+7 jump to the request" in words, words
