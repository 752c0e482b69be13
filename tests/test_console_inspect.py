"""The console's paste box (f9) and Traffic view: a pasted bot request gets its mistake named; the proxy,
started from the palette, shows a real client's exchange live with its diagnosis."""

from __future__ import annotations

import shlex
import threading

import httpx
import pytest
from console_support import press, quiet_console, run_entry, screen_text, settle, until
from textual.widgets import DataTable, Static, TextArea

from keys.demo import EXAMPLE_KEY, EXAMPLE_SECRET
from keys.signing import sign
from tui.console.app import KeyprobeApp
from tui.console.screens.inspect_paste import InspectPasteScreen
from tui.console.screens.traffic import TrafficScreen

SIZE = (140, 45)
TS = "1589267764859"
BODY = '{"symbol":"BTCUSDT","side":1}'


@pytest.fixture(autouse=True)
def _console_env(monkeypatch, tmp_path):
    quiet_console(monkeypatch, tmp_path)


async def test_paste_box_names_the_memo_uid_mistake():
    pasted = shlex.join(["curl", "http://127.0.0.1:8640/contract/private/submit-order", "-H", f"X-BM-KEY: {EXAMPLE_KEY}",
                         "-H", f"X-BM-TIMESTAMP: {TS}", "-H", f"X-BM-SIGN: {sign(EXAMPLE_SECRET, TS, '', BODY)}",
                         "-H", "Content-Type: application/json", "--data-raw", BODY])
    app = KeyprobeApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await press(pilot, "f9")
        assert isinstance(app.screen, InspectPasteScreen)
        app.screen.query_one("#inspect-input", TextArea).load_text(pasted)
        await press(pilot, "ctrl+j")
        result = app.screen.query_one("#inspect-result", Static)
        await until(app, pilot, lambda: "MISMATCH" in str(result.render()), "the paste box's verdict")
        shown = str(result.render())
        assert "memo-empty" in shown and "test001" not in shown
        await press(pilot, "escape")
        assert not isinstance(app.screen, InspectPasteScreen)


async def test_traffic_view_shows_a_proxied_exchange_with_its_diagnosis():
    app = KeyprobeApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await until(app, pilot, lambda: app.session.target is not None, "the emulator as the target")
        await run_entry(app, pilot, "Traffic: the proxy's exchanges, live")
        assert isinstance(app.screen, TrafficScreen)
        await run_entry(app, pilot, "Proxy: start in front of this venue")
        await until(app, pilot, lambda: getattr(app, "keyprobe_proxy", None) is not None, "the proxy started")
        proxy = app.keyprobe_proxy
        try:
            answers = []
            thread = threading.Thread(target=lambda: answers.append(
                httpx.post(proxy.base_url + "/contract/private/submit-order", content=BODY,
                           headers={"X-API-KEY": EXAMPLE_KEY, "X-API-TIMESTAMP": TS, "Content-Type": "application/json",
                                    "X-API-SIGN": sign(EXAMPLE_SECRET, TS, "test001", '{"symbol": "BTCUSDT", "side": 1}')})))
            thread.start()
            table = app.screen.query_one("#traffic-table", DataTable)
            await until(app, pilot, lambda: table.row_count == 1, "the proxied exchange in the Traffic table")
            thread.join()
            assert answers[0].json()["code"] == 30007  # a 2020 timestamp: the emulator's clock check comes first
            table.move_cursor(row=0)
            await settle(app, pilot)
            detail = str(app.screen.query_one("#traffic-detail", Static).render())
            assert "body-spaced-json" in detail and "30007" in detail
        finally:
            await run_entry(app, pilot, "Proxy: stop")
            await until(app, pilot, lambda: proxy._loop is None, "the proxy stopped")


ORDER = '{"symbol":"BTCUSDT","side":1,"type":"limit","leverage":"10","open_type":"isolated","size":1,"price":"25000"}'
SPACED = '{"symbol": "BTCUSDT", "side": 1, "type": "limit", "leverage": "10", "open_type": "isolated", "size": 1, "price": "25000"}'


async def test_traffic_detail_marks_stay_under_their_characters_when_the_lines_wrap():
    """A 7-field order signed with json.dumps' spaces, sent compact: at 140x45 the signed and expected
    lines wrap, and each ^ / | on screen is under the character it marks."""
    from marks_support import read_back

    from tui.inspect.report import marks
    from tui.output.terminal_safe import shown

    app = KeyprobeApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await until(app, pilot, lambda: app.session.target is not None, "the emulator as the target")
        await run_entry(app, pilot, "Traffic: the proxy's exchanges, live")
        await run_entry(app, pilot, "Proxy: start in front of this venue")
        await until(app, pilot, lambda: getattr(app, "keyprobe_proxy", None) is not None, "the proxy started")
        proxy = app.keyprobe_proxy
        try:
            thread = threading.Thread(target=lambda: httpx.post(
                proxy.base_url + "/contract/private/submit-order", content=ORDER,
                headers={"X-BM-KEY": EXAMPLE_KEY, "X-BM-TIMESTAMP": TS, "Content-Type": "application/json",
                         "X-BM-SIGN": sign(EXAMPLE_SECRET, TS, "test001", SPACED)}))
            thread.start()
            table = app.screen.query_one("#traffic-table", DataTable)
            await until(app, pilot, lambda: table.row_count == 1, "the proxied exchange in the Traffic table")
            thread.join()
            table.move_cursor(row=0)
            await settle(app, pilot)
            verdict = app.screen._traffic[0].verdict
            signed, expected = shown(verdict.signed), shown(verdict.expected)
            detail = app.screen.query_one("#traffic-detail")
            region = detail.content_region
            rows = [line[region.x:region.right].rstrip() for line in screen_text(app).splitlines()[region.y:region.bottom]]
        finally:
            await run_entry(app, pilot, "Proxy: stop")
            await until(app, pilot, lambda: proxy._loop is None, "the proxy stopped")
    first, middle, last = (next(i for i, row in enumerate(rows) if row.startswith(start))
                           for start in ("     signed", "     expected", "   response"))
    assert middle - first > 2 and last - middle > 2, "\n".join(rows)  # both lines wrapped
    under_signed, under_expected = marks(signed, expected)
    assert read_back(rows[first:middle], f"     signed   {signed}") == {14 + i: m for i, m in enumerate(under_signed) if m != " "}
    assert read_back(rows[middle:last], f"     expected {expected}") == {14 + i: m for i, m in enumerate(under_expected) if m != " "}


async def test_the_traffic_view_keeps_the_newest_rows_within_its_bounds(monkeypatch):
    """Fresh-eyes attack on 26ca1db: the view kept every exchange it was shown while open, ~2 MB each for a bot
    sending 1 MiB bodies, without end. It keeps the newest, numbered as they came, within KEEP_BYTES of bodies."""
    from tui.console.screens import traffic
    from tui.console.screens.traffic import Exchanged
    from tui.inspect.model import CapturedRequest, CapturedResponse
    from tui.inspect.report import inspect_request

    body = b'{"pad":"' + b"x" * 20_000 + b'"}'
    monkeypatch.setattr(traffic, "KEEP_BYTES", 3 * (len(body) + 2), raising=False)  # three requests and their "{}" answers
    app = KeyprobeApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await run_entry(app, pilot, "Traffic: the proxy's exchanges, live")
        screen = app.screen
        table = screen.query_one("#traffic-table", DataTable)
        for n in range(1, 8):
            request = CapturedRequest("POST", f"http://127.0.0.1:1/order/{n}", (("Content-Type", "application/json"),), body,
                                      "proxy", f"POST /order/{n}", CapturedResponse(200, (), b"{}"))
            screen.post_message(Exchanged(inspect_request(request, [])))
        newest = lambda: str(table.get_row_at(table.row_count - 1)[2]) if table.row_count else ""  # noqa: E731
        await until(app, pilot, lambda: newest() == "/order/7", "the seventh exchange shown")
        assert table.row_count == 3 and len(screen._traffic) == 3  # before: 7 rows, 7 bodies kept
        assert [str(table.get_row_at(i)[0]) for i in range(3)] == ["5", "6", "7"]
        table.move_cursor(row=0)
        await settle(app, pilot)
        assert "/order/5" in str(screen.query_one("#traffic-detail", Static).render())


async def test_paste_box_checks_a_loopback_request_with_the_demo_keys_when_the_console_has_no_key():
    """inspect's key-material rule (tui.inspect.batch.key_material): a curl to the emulator, signed by its
    demo key over compact JSON but sent spaced, is checked with the demo keys though the console's own
    target (WOO X Pro, no KEYPROBE_* set) holds no key: the mistake is named, not "no key"."""
    from tui.console.app import ConsoleOptions
    from tui.emulator import Emulator
    from tui.exchange import Draft
    from tui.export import curl_command
    from keys.signing import AuthLevel

    compact = '{"symbol":"BTCUSDT","leverage":"5","open_type":"isolated"}'
    spaced = '{"symbol": "BTCUSDT", "leverage": "5", "open_type": "isolated"}'
    with Emulator() as emu:
        draft = Draft(emu.venue, "POST", "/contract/private/submit-leverage", body=compact, auth=AuthLevel.SIGNED)
        pasted = curl_command(draft, emu.demo_credentials()).replace(shlex.quote(compact), shlex.quote(spaced))
    assert shlex.quote(spaced) in pasted
    app = KeyprobeApp(ConsoleOptions(venue="wooxpro"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert app.session.target.credentials is None  # the console's own target holds no key
        await press(pilot, "f9")
        app.screen.query_one("#inspect-input", TextArea).load_text(pasted)
        await press(pilot, "ctrl+j")
        result = app.screen.query_one("#inspect-result", Static)
        await until(app, pilot, lambda: "signature" in str(result.render()), "the paste box's verdict")
        shown = str(result.render())
        assert "body-spaced-json" in shown and "MISMATCH" in shown, shown
