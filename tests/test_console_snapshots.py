"""Snapshots of the three screens the README shows: a success, a 30005 and a 30007 diagnosis.
The screen's text is compared with tests/snapshots/*.txt; `make screenshots` draws the SVGs in screenshots/."""

from __future__ import annotations

import pytest
from console_support import check_snapshot, freeze, press, quiet_console, run_entry, send, settle, until

from tui.console.app import KeyprobeApp

SIZE = (120, 40)
SIGNED = "Endpoint: POST /contract/private/submit-order (signed)"


@pytest.fixture(autouse=True)
def _console_env(monkeypatch, tmp_path):
    quiet_console(monkeypatch, tmp_path)




@pytest.mark.screenshot
@pytest.mark.parametrize(
    ("name", "entries", "code"),
    [
        ("main-success", (SIGNED,), 1000),
        ("diagnosis-30005", ("Break it: use a wrong secret",), 30005),
        ("diagnosis-30007", (SIGNED, "Emulator: skew its clock +90 s"), 30007),
    ],
)
async def test_snapshot(name, entries, code):
    app = KeyprobeApp()
    async with app.run_test(size=SIZE, message_hook=freeze) as pilot:
        await settle(app, pilot)
        for title in entries:
            await run_entry(app, pilot, title)
        assert (await send(app, pilot)).code == code
        check_snapshot(app, name)


@pytest.mark.screenshot  # `make screenshots` redraws every picture the README shows
async def test_snapshot_at_80x24_after_a_success():
    app = KeyprobeApp()
    async with app.run_test(size=(80, 24), message_hook=freeze) as pilot:
        await settle(app, pilot)
        await run_entry(app, pilot, SIGNED)
        assert (await send(app, pilot)).code == 1000
        app.main_screen.query_one("#body").focus()
        await settle(app, pilot)
        check_snapshot(app, "main-80x24")


@pytest.mark.screenshot
async def test_snapshot_of_the_history_filtered_at_140x45():
    import json

    from tui import paths
    from tui.records import saved
    from tui.exchange import Draft
    from tui.venues import get_venue

    venue = get_venue("emulator")
    base = {**saved.draft_record(Draft(venue, "GET", "/x")), "schema": 1, "source": "console", "status": 200}
    rows = [
        {**base, "time": "2026-03-01T10:00:00Z", "path": "/contract/private/assets-detail", "code": 1000, "profile": "demo"},
        {**base, "time": "2026-03-01T10:01:00Z", "method": "POST", "path": "/contract/private/submit-order", "code": 30005,
         "status": 401, "profile": "demo"},
        {**base, "time": "2026-03-01T10:02:00Z", "method": "POST", "path": "/contract/private/submit-order", "code": 1000,
         "source": "replay", "name": "submit", "profile": "emu-good"},
    ]
    paths.history_path().parent.mkdir(parents=True, exist_ok=True)
    paths.history_path().write_text("".join(json.dumps(r) + "\n" for r in rows))
    saved.save(Draft(venue, "POST", "/contract/private/submit-order", body="{}"), "submit")
    app = KeyprobeApp()
    async with app.run_test(size=(140, 45), message_hook=freeze) as pilot:
        await settle(app, pilot)
        await press(pilot, "ctrl+b")
        sidebar = app.main_screen.query_one("#sidebar")
        sidebar.query_one("#history-filter").focus()
        await settle(app, pilot)
        await press(pilot, *"submit")
        assert len(sidebar.history_entries) == 2
        check_snapshot(app, "history-filter")


FIXED_MS = 1_700_000_000_000


@pytest.mark.screenshot
async def test_snapshot_of_compare_at_140x45(monkeypatch):
    """A working call beside a wrong-secret one. Both are signed at one fixed timestamp, and the emulator
    has its clock moved to that moment (inside the 60 s window; its market walk starts there too):
    the masked signatures are the same every run."""
    import itertools
    import time

    from tui.emulator import handler

    # The trace ids count answers per process: after other tests in this worker they have more digits,
    # and the picture's Content-Length would follow. Counted from 1 here, as in a fresh console.
    monkeypatch.setattr(handler, "_TRACE_COUNTER", itertools.count(1))

    from keys.signing import FixedClock
    from tui.emulator.market import Market

    def emulator_at_fixed_time() -> None:
        # Its clock a few seconds past FIXED_MS, just before each send: the picture's Date header is
        # the signed second plus the skew rounded to 10 s (console_support._steady_date), the same
        # however slow the machine is between here and the answer (under ~9 s).
        state.controls.skew_s = FIXED_MS / 1000 + 6 - time.time()

    app = KeyprobeApp()
    async with app.run_test(size=(140, 45), message_hook=freeze) as pilot:
        await settle(app, pilot)
        state = app.session.target.emulator.state
        emulator_at_fixed_time()
        state.market = Market(state.market.seed, origin_ms=state.now_ms())  # its price walk starts then too
        state.controls.rate_window_s = 3600.0  # both sends in one window, however slow the machine: "1", then "2" used
        app.session.clock = lambda: FixedClock(FIXED_MS)
        await run_entry(app, pilot, SIGNED)
        emulator_at_fixed_time()
        assert (await send(app, pilot)).code == 1000
        await press(pilot, "f4")
        await run_entry(app, pilot, "Break it: use a wrong secret")
        emulator_at_fixed_time()
        assert (await send(app, pilot)).code == 30005
        await press(pilot, "f10")
        check_snapshot(app, "compare")


@pytest.mark.screenshot
async def test_snapshot_of_edited_headers_at_140x45():
    """A header keyprobe does not know added, a default removed: the signing preview says which are edited.
    Signed at a fixed timestamp, so the preview's masked signature is the same every run."""
    from console_support import type_and_press
    from textual.widgets import Input

    from keys.signing import FixedClock

    app = KeyprobeApp()
    async with app.run_test(size=(140, 45), message_hook=freeze) as pilot:
        await settle(app, pilot)
        app.session.clock = lambda: FixedClock(FIXED_MS)
        await run_entry(app, pilot, SIGNED)
        table = app.main_screen.query_one("#headers")
        for name, value in (("X-Trace-Me", "hello"), ("User-Agent", "")):
            await table.action_add_row()
            await settle(app, pilot)
            await type_and_press(app, pilot, name)
            table.rows[-1].query_one(".query-value", Input).focus()
            await settle(app, pilot)
            if value:
                await type_and_press(app, pilot, value)
        preview = app.main_screen.query_one("#preview")
        await until(app, pilot, lambda: "X-Trace-Me: hello  (edited)" in preview.content.plain, "the preview with the edit")
        check_snapshot(app, "headers")


@pytest.mark.screenshot
async def test_snapshot_of_the_traffic_view_at_140x45(monkeypatch):
    """A real client's request through the proxy, with the mistake named: the body it signed had spaces,
    the body it sent had none (30005). Signed just before it is sent (the picture's stamps are normalised):
    a stamp taken before the console started was seconds old on a busy machine by the time it arrived, and
    the lint added a "behind this machine's clock" warning to the picture."""
    import itertools
    import threading
    import time

    import httpx
    from textual.widgets import DataTable

    from keys.demo import EXAMPLE_KEY, EXAMPLE_SECRET
    from keys.signing import sign
    from tui.emulator import handler

    monkeypatch.setattr(handler, "_TRACE_COUNTER", itertools.count(1))  # trace ids as in a fresh console
    body = '{"symbol":"BTCUSDT","side":1}'
    app = KeyprobeApp()
    async with app.run_test(size=(140, 45), message_hook=freeze) as pilot:
        await settle(app, pilot)
        await run_entry(app, pilot, "Traffic: the proxy's exchanges, live")
        await run_entry(app, pilot, "Proxy: start in front of this venue")
        await until(app, pilot, lambda: getattr(app, "keyprobe_proxy", None) is not None, "the proxy started")
        proxy = app.keyprobe_proxy
        def post() -> None:
            stamp = str(time.time_ns() // 1_000_000)
            headers = {"X-API-KEY": EXAMPLE_KEY, "X-API-TIMESTAMP": stamp, "Content-Type": "application/json",
                       "X-API-SIGN": sign(EXAMPLE_SECRET, stamp, "test001", '{"symbol": "BTCUSDT", "side": 1}')}
            httpx.post(proxy.base_url + "/contract/private/submit-order", content=body, headers=headers)

        try:
            thread = threading.Thread(target=post)
            thread.start()
            table = app.screen.query_one("#traffic-table", DataTable)
            await until(app, pilot, lambda: table.row_count == 1, "the proxied exchange in the Traffic table")
            thread.join()
            table.move_cursor(row=0)
            await settle(app, pilot)
            check_snapshot(app, "traffic")
        finally:
            await run_entry(app, pilot, "Proxy: stop")
            await until(app, pilot, lambda: proxy._loop is None, "the proxy stopped")
