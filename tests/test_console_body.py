"""The response body view with a big body: laid out a slice at a time and shown as it grows (the
first screen before the rest), the scroll position kept while it grows, scrolled and searched by
keyboard, the diagnosis on screen independently of it. Conditions only, no timings."""

from __future__ import annotations

import json

import pytest
from console_support import quiet_console, screen_text, send, settle, type_and_press

from tui.console import body_text
from tui.console.app import KeyprobeApp
from tui.console.body_text import BodyText, lay_out, laid_out
from tui.console.messages import BodyFormatted, ExchangeReceived
from tui.console.widgets.body_view import BodyLog, BodyView

SIZE = (120, 40)


@pytest.fixture(autouse=True)
def _console_env(monkeypatch, tmp_path):
    quiet_console(monkeypatch, tmp_path)


def _lines(text: BodyText) -> list[str]:
    return [text.line(i) for i in range(text.count)]


# -- the layout, step by step -----------------------------------------------------------------------
def test_a_body_grows_slice_by_slice_and_every_step_is_the_start_of_the_whole(monkeypatch):
    monkeypatch.setattr(body_text, "SLICE_BYTES", 8192)
    body = json.dumps({"code": 1000, "data": [{"id": i, "note": 'a "quoted", {odd} [one]\\'} for i in range(3000)]}).encode()
    steps = [(text.count, note, _lines(text)) for text, note in laid_out(body)]
    final = steps[-1][2]
    assert final == json.dumps(json.loads(body), indent=2, separators=(",", ":")).splitlines()
    assert steps[-1][1] == f"JSON, {len(final):,} lines" and all(note is None for _, note, _ in steps[:-1])
    assert len(steps) > 5 and steps[0][0] < len(final) // 5  # the first screen comes long before the end
    counts = [count for count, _, _ in steps]
    assert counts == sorted(counts)
    for count, _, lines in steps:
        assert lines == final[:count]


def test_json_that_does_not_nest_back_is_shown_as_it_came_at_the_end(monkeypatch):
    monkeypatch.setattr(body_text, "SLICE_BYTES", 16)
    body = b'{"a":[1,2,3],"b":{"c":4,"d":5}}}}],"e":6'
    steps = list(laid_out(body))
    assert steps[0][0].indented and steps[-1][1].startswith("not JSON")
    assert _lines(steps[-1][0]) == [body.decode()]  # another text: the body as it came


def test_a_slice_holding_every_spare_byte_is_shown_as_it_came():
    hostile = bytes(b for b in range(0x20) if b not in b"\t\n\r\x0b\x0c") + b"\x7f"
    body = b'["' + hostile + b'",{"k":[1,2]}]'
    text, note = lay_out(body)  # no byte is free to stand in for the strings: this slice is not broken up
    assert note.startswith("JSON") and "".join(_lines(text)).count('"k":[1,2]}') == 1


def test_escaped_quotes_and_backslashes_stay_inside_their_strings(monkeypatch):
    value = ["\\", '"', '\\"', "a,b{c}[d]", {"k\\": "v\"", "x": ["\\\\", ","]}]
    body = json.dumps(value).encode()
    expected = json.dumps(value, indent=2, separators=(",", ":")).splitlines()
    for size in (1, 3, 7, 64):
        monkeypatch.setattr(body_text, "SLICE_BYTES", size)
        assert _lines(lay_out(body)[0]) == expected, size


# -- the view -----------------------------------------------------------------------------------------
async def test_a_big_body_is_shown_while_it_is_laid_out_then_whole_and_the_diagnosis_first():
    handled: list[tuple[str, bool]] = []

    def hook(message):
        if isinstance(message, ExchangeReceived) and message.diagnosis is not None:
            handled.append(("answer+diagnosis", True))
        elif isinstance(message, BodyFormatted):
            handled.append(("body", message.note is None))

    app = KeyprobeApp()
    async with app.run_test(size=SIZE, message_hook=hook) as pilot:
        await settle(app, pilot)
        app.session.target.emulator.controls.huge_body_bytes = 2 * 1024 * 1024
        app.session.target.emulator.controls.fault = "huge-body"
        assert (await send(app, pilot)).code == 1000
        firsts = list(dict.fromkeys(handled))  # (the hook sees a message again as it bubbles up)
        assert firsts[0] == ("answer+diagnosis", True)
        assert firsts[1] == ("body", True)  # the first screen, posted before the layout was done
        assert handled[-1] == ("body", False)
        view = app.main_screen.query_one(BodyView)
        expected = json.dumps(json.loads(app.main_screen.exchange.response.body), indent=2).splitlines()
        assert view.complete and view.line_count == len(expected)
        assert "1000" in screen_text(app)


async def test_the_body_scrolls_by_keyboard_to_its_last_line_and_back():
    app = KeyprobeApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.session.target.emulator.controls.huge_body_bytes = 1024 * 1024
        app.session.target.emulator.controls.fault = "huge-body"
        await send(app, pilot)
        expected = json.dumps(json.loads(app.main_screen.exchange.response.body), indent=2).splitlines()
        log = app.main_screen.query_one(BodyLog)
        log.focus()
        await pilot.press("end")
        await settle(app, pilot)
        assert log.scroll_offset.y == log.max_scroll_y == len(expected) - log.size.height
        last_order = next(line for line in reversed(expected) if '"order_id"' in line).strip().replace('": ', '":')
        assert last_order in screen_text(app)
        await pilot.press("home", "pagedown", "down")
        await settle(app, pilot)
        assert log.scroll_offset.y == log.size.height + 1


async def test_growing_keeps_the_scroll_position_and_the_search(monkeypatch):
    monkeypatch.setattr(body_text, "SLICE_BYTES", 4096)
    app = KeyprobeApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        view = app.main_screen.query_one(BodyView)
        log = view.query_one(BodyLog)
        body = json.dumps([{"n": i, "word": "needle" if i % 100 == 0 else "hay"} for i in range(2000)]).encode()
        pieces = list(body_text.json_pieces(body))
        assert len(pieces) > 5
        text = BodyText(indented=True)
        text.add(pieces[0])
        view.show_text(text, None, truncated=False)
        await settle(app, pilot)
        log.focus()
        await type_and_press(app, pilot, "", "slash")
        await type_and_press(app, pilot, "needle", "enter")
        await settle(app, pilot)
        await pilot.press("n")
        await settle(app, pilot)
        where, match, first_height = log.scroll_offset.y, log.match_line, log.virtual_size.height
        assert where > 0 and match is not None
        for piece in pieces[1:]:
            text.add(piece)
        view.show_text(text, "JSON, done", truncated=False)  # the same text, grown
        await settle(app, pilot)
        assert log.virtual_size.height == text.count > first_height
        assert log.scroll_offset.y == where and log.match_line == match and view.term == "needle"
        assert log.vertical_scrollbar.window_virtual_size == text.count
        await pilot.press("end")
        await settle(app, pilot)
        assert log.scroll_offset.y == text.count - log.size.height  # the new lines are reachable
