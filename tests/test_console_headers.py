"""Headers in the composer: add one keyprobe does not know, remove a default, override a signing
header on purpose; the signing preview and the request as sent follow, and the emulator answers
to what was really sent."""

from __future__ import annotations

import pytest
from console_support import press, quiet_console, run_entry, send, send_refused, settle, type_and_press
from textual.widgets import Input

from keys.demo import EXAMPLE_KEY
from tui.records import saved
from tui.console.app import KeyprobeApp
from tui.exchange import Draft
from tui.venues import get_venue

SIZE = (140, 45)


@pytest.fixture(autouse=True)
def _console_env(monkeypatch, tmp_path):
    quiet_console(monkeypatch, tmp_path)


async def _add_header(app, pilot, name: str, value: str) -> None:
    table = app.main_screen.query_one("#headers")
    await table.action_add_row()
    await settle(app, pilot)
    await type_and_press(app, pilot, name)
    row = table.rows[-1]
    row.query_one(".query-value", Input).focus()
    await settle(app, pilot)
    if value:
        await type_and_press(app, pilot, value)


async def test_added_removed_and_overridden_headers_reach_the_preview_and_the_wire():
    app = KeyprobeApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await run_entry(app, pilot, "Endpoint: POST /contract/private/submit-order (signed)")
        await _add_header(app, pilot, "X-Trace-Me", "hello")
        await _add_header(app, pilot, "User-Agent", "")  # empty value: removed
        await settle(app, pilot)
        preview = app.main_screen.query_one("#preview").content.plain
        assert "X-Trace-Me: hello  (edited)" in preview
        assert "User-Agent: (removed: not sent)" in preview  # a removal is an edit the preview shows too
        assert (await send(app, pilot)).code == 1000
        sent = dict(app.main_screen.exchange.request.headers)
        assert sent["X-Trace-Me"] == "hello" and "User-Agent" not in sent

        # A signing header broken on purpose goes out as typed, after the signer: the venue refuses it.
        await _add_header(app, pilot, "X-API-TIMESTAMP", "1")
        await settle(app, pilot)
        assert "X-API-TIMESTAMP: 1  (edited)" in app.main_screen.query_one("#preview").content.plain
        diagnosis = await send(app, pilot)
        assert diagnosis.code != 1000
        assert dict(app.main_screen.exchange.request.headers)["X-API-TIMESTAMP"] == "1"


async def test_an_invalid_header_name_is_refused_with_a_sentence():
    app = KeyprobeApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await _add_header(app, pilot, "Bad Name", "x")
        await send_refused(app, pilot)
        assert app.main_screen.exchange is None
        assert "not valid" in app.main_screen.query_one("#status-line").content.plain


def test_a_saved_request_keeps_header_edits_but_never_a_key_typed_over_the_signers(tmp_path):
    venue = get_venue("emulator")
    draft = Draft(venue, "GET", "/x", headers=(("X-Trace-Me", "1"), ("X-BM-KEY", EXAMPLE_KEY), ("X-BM-SIGN", "abc"), ("User-Agent", "")))
    path = saved.save(draft, "edited", tmp_path)
    text = path.read_text()
    assert EXAMPLE_KEY[:8] not in text and "abc" not in text
    assert saved.load(path).draft.headers == (("X-Trace-Me", "1"), ("User-Agent", ""))


async def _tab_to(app, pilot, widget_id: str) -> None:
    """Press Tab from where the focus is until `widget_id` has it (at most one round of the screen)."""
    for _ in range(len(app.screen.focus_chain) + 1):
        if app.focused is not None and app.focused.id == widget_id:
            return
        await press(pilot, "tab")
    raise AssertionError(f"Tab never reached #{widget_id}; the focus stops are {[w.id for w in app.screen.focus_chain]}")


async def test_the_first_query_parameter_and_header_are_added_from_the_keyboard_alone():
    app = KeyprobeApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        composer = app.main_screen.composer
        query, headers = composer.query_one("#query"), composer.query_one("#headers")
        assert query.rows == [] and headers.rows == []
        await _tab_to(app, pilot, "query-head")
        await press(pilot, "ctrl+n")  # the table's own key, from its heading
        assert len(query.rows) == 1 and app.focused is query.rows[0].query_one(".query-key")
        await type_and_press(app, pilot, "currency", "tab")
        await type_and_press(app, pilot, "USDT")
        await _tab_to(app, pilot, "header-head")
        await press(pilot, "enter")
        assert len(headers.rows) == 1 and app.focused is headers.rows[0].query_one(".query-key")
        await type_and_press(app, pilot, "X-Trace-Me", "tab")
        await type_and_press(app, pilot, "typed")
        assert (await send(app, pilot)).code == 1000
        request = app.main_screen.exchange.request
        assert dict(request.headers)["X-Trace-Me"] == "typed" and request.url.endswith("?currency=USDT")


async def test_the_palette_adds_a_query_row_and_a_header_row():
    app = KeyprobeApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        composer = app.main_screen.composer
        await run_entry(app, pilot, "Headers: add a header")
        assert len(composer.query_one("#headers").rows) == 1
        assert app.focused is composer.query_one("#headers").rows[0].query_one(".query-key")
        await run_entry(app, pilot, "Query: add a parameter")
        assert len(composer.query_one("#query").rows) == 1
        assert app.focused is composer.query_one("#query").rows[0].query_one(".query-key")
