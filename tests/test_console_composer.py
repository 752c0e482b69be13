"""The composer and the edges of the main screen: endpoint completion, query rows, other targets,
an emulator that cannot start, a truncated body and a transport failure."""

from __future__ import annotations

import pytest
from console_support import press, quiet_console, run_entry, screen_text, send, send_refused, settle
from textual.widgets import Input, Select, Static

from tui.console.app import ConsoleOptions, KeyprobeApp
from tui.console.widgets.preview import PreviewPanel
from tui.console.widgets.query_table import QueryRow

SIZE = (120, 40)


@pytest.fixture(autouse=True)
def _console_env(monkeypatch, tmp_path):
    quiet_console(monkeypatch, tmp_path)


async def test_path_completes_known_endpoints_and_the_auth_level_follows_the_table():
    app = KeyprobeApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        path = app.main_screen.query_one("#path", Input)
        path.focus()
        path.value = "/contract/private/get-"
        path.cursor_position = len(path.value)
        await settle(app, pilot)
        await press(pilot, "o")  # typing asks the suggester
        await press(pilot, "right")  # accept the suggestion
        await settle(app, pilot)
        assert path.value == "/contract/private/get-open-orders"
        assert app.main_screen.query_one("#auth", Select).value == "keyed"
        assert "Open orders" in app.main_screen.query_one("#endpoint-hint", Static).content.plain

        app.main_screen.query_one("#method", Select).value = "POST"
        path.value = "/spot/v4/query/order"
        await settle(app, pilot)
        assert app.main_screen.query_one("#auth", Select).value == "signed"
        path.value = "/not/a/known/path"
        await settle(app, pilot)
        assert "signed by default" in app.main_screen.query_one("#endpoint-hint", Static).content.plain


async def test_query_rows_are_sent_in_order_and_signed_for_a_get():
    app = KeyprobeApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await run_entry(app, pilot, "Endpoint: GET /contract/public/details (none)")
        screen = app.main_screen
        screen.query_one(QueryRow).query_one(".query-key", Input).focus()
        await press(pilot, "ctrl+n")  # a second row, focused
        await press(pilot, "z", "tab", "1")
        await press(pilot, "ctrl+n")
        await press(pilot, "a", "tab", "2")
        assert screen.query_one("#query").pairs() == (("symbol", "BTCUSDT"), ("z", "1"), ("a", "2"))
        await press(pilot, "ctrl+r")  # remove the row being edited
        assert screen.query_one("#query").pairs() == (("symbol", "BTCUSDT"), ("z", "1"))

        screen.query_one("#auth", Select).value = "signed"
        await settle(app, pilot)
        preview = screen.query_one(PreviewPanel).content.plain
        assert "#****#symbol=BTCUSDT&z=1" in preview  # the query string is the GET payload
        diagnosis = await send(app, pilot)
        assert diagnosis.code == 1000
        assert screen.exchange.request.url.endswith("?symbol=BTCUSDT&z=1")
        assert screen.exchange.request.evidence.payload == "symbol=BTCUSDT&z=1"


async def test_a_named_venue_uses_environment_credentials_and_says_when_there_are_none(monkeypatch):
    app = KeyprobeApp(ConsoleOptions(venue="wooxpro"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        target = app.session.target
        assert target.venue.id == "wooxpro" and target.emulator is None and target.credentials is None
        assert "needs a key" in app.main_screen.query_one(PreviewPanel).content.plain
        assert app.session.estimate is None and "clock not measured (f5)" in screen_text(app)  # no contact unasked
    monkeypatch.setenv("KEYPROBE_API_KEY", "k" * 24)
    monkeypatch.setenv("KEYPROBE_SECRET", "s" * 24)
    app = KeyprobeApp(ConsoleOptions(venue="bitmart-spot"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        target = app.session.target
        assert target.credentials.fingerprint == "#eede6765" and "X-BM-KEY: #eede6765" in screen_text(app)


async def test_an_emulator_that_cannot_start_is_a_sentence_and_nothing_is_sent():
    app = KeyprobeApp(ConsoleOptions(flavour="klingon"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert app.session.target is None
        assert "did not start" in screen_text(app)
        await send_refused(app, pilot)
        assert app.main_screen.exchange is None
        assert "Not sent: The local emulator did not start" in screen_text(app)


async def test_a_truncated_body_is_flagged_and_a_reset_is_explained():
    app = KeyprobeApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.session.wire().body_cap = 64 * 1024
        app.session.target.emulator.controls.huge_body_bytes = 512 * 1024
        await run_entry(app, pilot, "Emulator: fault huge body (20 MB)")
        await send(app, pilot)
        response = app.main_screen.exchange.response
        assert response.truncated and len(response.body) == 64 * 1024
        assert "TRUNCATED" in app.main_screen.query_one("#body-note", Static).content.plain
        assert "truncated" in app.main_screen.query_one("#status-line", Static).content.plain

        await run_entry(app, pilot, "Emulator: fault connection reset")
        diagnosis = await send(app, pilot)
        assert diagnosis.outcome.value == "transport-failure"
        failure = app.main_screen.exchange.failure
        assert failure.sentence in app.main_screen.query_one("#status-line", Static).content.plain
