"""The sidebar against the in-process emulator: save the composer's draft (ctrl+s), reopen it,
replay it (signed afresh, recorded as a replay), delete it; the history lists every send, newest
first, and a long history is capped in the list."""

from __future__ import annotations

import json

import pytest
from clocks import SteppingClock
from console_support import press, quiet_console, run_entry, screen_text, send, settle
from textual.widgets import Input, OptionList, Select, TextArea, Tree

from keys.demo import EXAMPLE_KEY, EXAMPLE_MEMO, EXAMPLE_SECRET
from keys.signing import AuthLevel
from tui import paths
from tui.records import history, saved
from tui.console.app import KeyprobeApp
from tui.console.screens.dialogs import AskScreen, ConfirmScreen
from tui.console.drafts import open_draft
from tui.console.widgets.sidebar import HISTORY_CAP, Sidebar
from tui.exchange import Draft
from tui.venues import get_venue

SIZE = (120, 40)
SIGNED = "Endpoint: POST /contract/private/submit-order (signed)"
KEYED = "Endpoint: GET /contract/private/assets-detail (keyed)"


@pytest.fixture(autouse=True)
def _console_env(monkeypatch, tmp_path):
    quiet_console(monkeypatch, tmp_path)


def sources() -> list[str]:
    return [e["source"] for e in history.read().entries]


def leaf(tree: Tree, name: str):
    found = []

    def walk(node):
        for child in node.children:
            if child.data is not None and child.data.name == name:
                found.append(child)
            walk(child)

    walk(tree.root)
    return found[0] if found else None


async def show_sidebar(app, pilot) -> Sidebar:
    await press(pilot, "ctrl+b")
    sidebar = app.main_screen.query_one(Sidebar)
    assert sidebar.has_class("-visible")
    return sidebar


async def test_save_reopen_replay_and_delete_a_saved_request():
    app = KeyprobeApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await run_entry(app, pilot, SIGNED)
        composer = app.main_screen.composer
        body = composer.body
        sidebar = await show_sidebar(app, pilot)

        # save: ctrl+s asks a name; folder/name puts it in a collection
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, AskScreen)
        await press(pilot, "ctrl+u", *"orders/submit", "enter")
        file = paths.saved_dir() / "orders" / "submit.request.json"
        record = json.loads(file.read_text())
        assert record["method"] == "POST" and record["path"] == "/contract/private/submit-order" and record["body"] == body
        # The emulator's demo key is no profile of a key file: a file naming "demo" (or "no key" after a base URL)
        # could not be replayed (`keyprobe replay`: cannot use profile 'demo').
        assert record.get("profile") is None, record
        raw = file.read_text()
        for secret in (EXAMPLE_SECRET, EXAMPLE_MEMO, EXAMPLE_KEY, "X-BM-SIGN", "X-BM-TIMESTAMP"):
            assert secret not in raw
        tree = sidebar.query_one("#saved-tree", Tree)
        node = leaf(tree, "submit")
        assert node is not None and str(node.parent.label) == "orders/"

        # reopen: the composer gets the saved request back
        await run_entry(app, pilot, KEYED)
        assert composer.method == "GET"
        tree.focus()
        tree.move_cursor(node)
        await press(pilot, "enter")
        assert (composer.method, composer.path, composer.body) == ("POST", "/contract/private/submit-order", body)
        assert composer.query_one("#auth", Select).value == "signed"

        # replay: signed afresh through the one Wire, answered 1000, recorded once as a replay
        before = len(history.read().entries)
        await press(pilot, "r")
        exchange = app.main_screen.exchange
        assert exchange is not None and exchange.draft.path == "/contract/private/submit-order"
        assert exchange.request.evidence.level.value == "signed"
        assert app.main_screen.diagnosis.code == 1000
        log = history.read().entries
        assert len(log) == before + 1 and log[-1]["source"] == "replay" and log[-1]["name"] == "submit"

        # a second replay is a new request: a new timestamp, a new signature (a clock that never reads
        # the same twice, so an equal timestamp can only mean the first request was reused)
        clock = SteppingClock(after=int(exchange.request.evidence.timestamp))
        app.session.clock = lambda: clock
        await press(pilot, "r")
        again = app.main_screen.exchange
        assert again is not exchange and app.main_screen.diagnosis.code == 1000
        stamp = int(again.request.evidence.timestamp)
        assert stamp in clock.reads and stamp > int(exchange.request.evidence.timestamp)  # signed with this clock, later
        assert again.request.evidence.signature != exchange.request.evidence.signature

        # delete, after confirming
        tree.move_cursor(leaf(tree, "submit"))
        await press(pilot, "delete")
        assert isinstance(app.screen, ConfirmScreen)
        await press(pilot, "y")
        assert not file.exists() and leaf(tree, "submit") is None


async def test_history_lists_sends_newest_first_and_opens_them():
    app = KeyprobeApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert (await send(app, pilot)).code == 1000
        await run_entry(app, pilot, SIGNED)
        assert (await send(app, pilot)).code == 1000
        assert sources() == ["console", "console"]

        sidebar = await show_sidebar(app, pilot)
        entries = sidebar.history_entries
        assert [e["method"] for e in entries] == ["POST", "GET"]  # newest first
        assert entries[0]["code"] == 1000 and entries[0]["status"] == 200
        options = sidebar.query_one("#history-list", OptionList)
        assert options.option_count == 2 and "History (2)" in screen_text(app)

        options.focus()
        options.highlighted = 1
        await press(pilot, "o")  # open (enter does the same)
        assert app.main_screen.composer.method == "GET"
        assert app.main_screen.composer.path == "/contract/private/assets-detail"

        assert (await send(app, pilot)).code == 1000  # the list follows new sends
        assert sidebar.history_entries[0]["method"] == "GET" and len(sidebar.history_entries) == 3


async def test_a_long_history_is_read_in_a_worker_and_capped_in_the_list():
    venue = get_venue("emulator")
    line = {**saved.draft_record(Draft(venue, "GET", "/system/time")), "schema": 1, "source": "send", "status": 200, "code": 1000}
    total = 3000
    paths.history_path().parent.mkdir(parents=True, exist_ok=True)
    with paths.history_path().open("w") as fh:
        for i in range(total):
            fh.write(json.dumps({**line, "time": f"2026-01-01T00:00:{i % 60:02d}Z", "name": f"n{i}"}) + "\n")
        fh.write("{not json\n")  # a damaged line is skipped and reported, not fatal
    app = KeyprobeApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        sidebar = await show_sidebar(app, pilot)
        assert sidebar.query_one("#history-list", OptionList).option_count == HISTORY_CAP
        assert sidebar.history_entries[0]["name"] == f"n{total - 1}"  # the newest
        text = screen_text(app)
        # Only the newest entries are parsed; the rest of the file is counted as lines (the damaged one too).
        assert f"History ({HISTORY_CAP} of {total + 1})" in text
        assert "Skipped 1 unreadable line" in sidebar.query_one("#sidebar-note").content.plain


async def test_a_bad_name_is_refused_with_a_sentence_and_nothing_is_written():
    app = KeyprobeApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await press(pilot, "ctrl+s")
        await press(pilot, "ctrl+u", *"..", "enter")
        await settle(app, pilot)
        assert not paths.saved_dir().exists() or not any(paths.saved_dir().rglob("*.json"))
        assert any("not a usable request name" in n.message for n in app._notifications)


async def test_opening_keeps_a_non_default_auth_level_and_the_query():
    app = KeyprobeApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        venue = app.session.target.venue
        # The endpoint table says keyed; the saved request says none, and that is what must come back.
        draft = Draft(venue, "GET", "/contract/private/assets-detail", (("currency", "USDT"),), "", AuthLevel.NONE, "demo")
        await open_draft(app, draft)
        await settle(app, pilot)
        composer = app.main_screen.composer
        assert composer.query_one("#auth", Select).value == "none"
        assert composer.draft(venue).query == (("currency", "USDT"),)
        assert composer.query_one("#path", Input).value == "/contract/private/assets-detail"
        assert composer.query_one("#body", TextArea).text == ""
        refused = await send(app, pilot)  # sent unsigned, as saved: no X-API-KEY, and the emulator says so
        assert refused.code == 30001 and app.main_screen.exchange.request.header("X-API-KEY") is None
def test_a_history_label_starts_with_its_code_so_a_narrow_sidebar_never_cuts_it():
    from tui.console.widgets.sidebar import history_label

    entry = {"time": "2026-03-01T10:01:00Z", "method": "POST", "path": "/contract/private/submit-order", "code": 30005,
             "status": 401, "profile": "demo", "name": "submit"}
    first = history_label(entry).plain.splitlines()[0]
    assert first == "30005 POST 10:01:00 · demo (submit)"
    assert history_label({**entry, "code": None, "failure": "timeout"}).plain.startswith("timeout POST")
