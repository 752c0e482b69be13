"""Headers in the composer: add one keyprobe does not know, remove a default, override a signing
header on purpose; the signing preview and the request as sent follow, and the emulator answers
to what was really sent."""

from __future__ import annotations

import pytest
from console_support import quiet_console, run_entry, send, send_refused, settle, type_and_press
from textual.widgets import Input

from keys.demo import EXAMPLE_KEY
from tui import saved
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
