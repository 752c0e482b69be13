"""Keyboard: Tab leaves the body editor without touching the body, every pane has a jump key
(alt+1 .. alt+7, also from inside the editor), and the diagnosis scrolls by keyboard."""

from __future__ import annotations

import pytest
from console_support import press, quiet_console, run_entry, send, settle

from tui.console.app import KeyprobeApp
from tui.console.screens.main import JUMPS

SIZE = (100, 30)


@pytest.fixture(autouse=True)
def _console_env(monkeypatch, tmp_path):
    quiet_console(monkeypatch, tmp_path)


async def test_tab_moves_through_the_composer_and_out_of_the_body_editor_without_typing():
    app = KeyprobeApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await run_entry(app, pilot, "Endpoint: POST /contract/private/submit-order (signed)")
        main = app.main_screen
        body_before = main.composer.body
        main.query_one("#path").focus()
        await settle(app, pilot)
        order = []
        for _ in range(12):
            await press(pilot, "tab")
            order.append(app.focused.id)
            if app.focused.id == "body":
                await press(pilot, "tab")
                break
        assert "body" in order, order
        assert app.focused is not None and app.focused.id != "body"  # Tab left the editor
        assert main.composer.body == body_before  # and typed nothing into the signed body
        await press(pilot, "shift+tab")
        assert app.focused.id == "body"


async def test_every_pane_has_a_jump_key_that_works_even_from_the_body_editor():
    expected = {"request": "path", "body": "body", "preview": "preview-scroll", "diagnosis": "diagnosis",
                "response": "body-log", "sidebar": "saved-tree"}
    app = KeyprobeApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        main = app.main_screen
        for number, pane in enumerate(JUMPS, start=1):
            main.query_one("#body").focus()
            await press(pilot, f"alt+{number}")
            focused = app.focused
            if pane == "tabs":
                assert type(focused).__name__ == "ContentTabs", focused
            else:
                assert focused.id == expected[pane], (pane, focused)
        assert main.query_one("#sidebar").has_class("-visible")  # alt+7 showed it
        assert main.composer.body == ""  # nothing typed into the editor on the way


async def test_the_diagnosis_scrolls_by_keyboard():
    app = KeyprobeApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await run_entry(app, pilot, "Break it: use a wrong secret")
        assert (await send(app, pilot)).code == 30005
        panel = app.main_screen.query_one("#diagnosis")
        assert panel.max_scroll_y > 0  # more than fits at 80x24
        await press(pilot, "alt+4")
        assert app.focused is panel
        await press(pilot, "pagedown")
        assert panel.scroll_y > 0
        await press(pilot, "end")
        assert panel.scroll_y == panel.max_scroll_y


async def test_every_jump_has_a_palette_entry_for_terminals_without_alt():
    """alt+1 .. alt+7 arrive as characters (¡, £, ...) from a macOS terminal without Option as Meta: the
    palette's "Jump:" entries reach the same panes."""
    from tui.console.screens.main import JUMP_TARGETS

    app = KeyprobeApp()
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(app, pilot)
        for pane, label in JUMPS.items():
            await run_entry(app, pilot, f"Jump: {label}")
            if pane == "sidebar":
                assert app.focused.id == "saved-tree"
            else:
                assert app.focused is app.main_screen.query(JUMP_TARGETS[pane]).first(), pane
