"""r and delete in the sidebar act on the highlighted item (issue 26): the list last focused, and the
same item after the lists are read again (a replay adds a history line, a save adds a request, and
each reload moved the highlight onto another item, or dropped it so the other list's cursor was used)."""

from __future__ import annotations

from console_support import press, quiet_console, send, settle, until
import pytest

from tui.console.app import KeyprobeApp
from tui.console.screens.dialogs import ConfirmScreen
from tui.console.widgets.sidebar import Sidebar

SIZE = (120, 40)


@pytest.fixture(autouse=True)
def _console_env(monkeypatch, tmp_path):
    quiet_console(monkeypatch, tmp_path)


async def save_as(app, pilot, path: str, name: str) -> None:
    app.main_screen.composer.query_one("#path").value = path
    await press(pilot, "ctrl+s", "ctrl+u", *name, "enter")


async def asked_about(app, pilot) -> str:
    """The delete question's text; the answer is no."""
    await press(pilot, "delete")
    assert isinstance(app.screen, ConfirmScreen)
    question = app.screen.query_one("#confirm-question").content.plain
    await press(pilot, "n")
    return question


async def test_replay_and_delete_act_on_the_highlighted_history_entry_across_reloads():
    app = KeyprobeApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await save_as(app, pilot, "/saved/decoy", "decoy")  # a saved request the history keys must never reach
        for path in ("/a/one", "/b/two", "/c/three"):
            app.main_screen.composer.query_one("#path").value = path
            await send(app, pilot)
        await press(pilot, "ctrl+b")
        sidebar = app.main_screen.query_one(Sidebar)
        await until(app, pilot, lambda: len(sidebar.history_entries) == 3, "the three sends in the history")
        sidebar.query_one("#history-list").focus()
        await press(pilot, "down", "down")  # newest first: three, two, one -> "two"
        await press(pilot, "r")
        await until(app, pilot, lambda: len(sidebar.history_entries) == 4, "the replay in the history")
        assert app.main_screen.exchange.draft.path == "/b/two"
        # the replay's own line came in on top: the highlight stays on the entry it was on
        assert sidebar.selected()[1]["path"] == "/b/two" and sidebar.selected()[1]["source"] != "replay"
        await press(pilot, "r")
        await until(app, pilot, lambda: len(sidebar.history_entries) == 5, "the second replay")
        assert app.main_screen.exchange.draft.path == "/b/two"
        assert "/b/two" in await asked_about(app, pilot)

        await press(pilot, "end")  # the last (oldest) entry
        assert "/a/one" in await asked_about(app, pilot)


async def test_replay_and_delete_act_on_the_highlighted_saved_request_across_reloads():
    app = KeyprobeApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        for name in ("b-first", "c-second", "d-third"):
            await save_as(app, pilot, f"/x/{name}", name)
        await press(pilot, "ctrl+b")
        sidebar = app.main_screen.query_one(Sidebar)
        await until(app, pilot, lambda: sidebar.saved_count == 3, "the three saved requests")
        await press(pilot, "down", "down")  # the 2nd
        assert "c-second" in await asked_about(app, pilot)
        await save_as(app, pilot, "/x/a-new", "a-new")  # sorts first: every item moves down a line
        await until(app, pilot, lambda: sidebar.saved_count == 4, "the fourth saved request")
        sidebar.query_one("#saved-tree").focus()
        await settle(app, pilot)
        assert "c-second" in await asked_about(app, pilot)
        await press(pilot, "r")
        await until(app, pilot, lambda: app.main_screen.exchange is not None, "the replay")
        assert app.main_screen.exchange.draft.path == "/x/c-second"
        await press(pilot, "end")
        assert "d-third" in await asked_about(app, pilot)
        await press(pilot, "r")
        await until(app, pilot, lambda: app.main_screen.exchange.draft.path == "/x/d-third", "the replay of the last")
