"""Compare: mark a working exchange (f4), make a failing one, f10 shows them side by side with the
differing lines marked and the identical ones not."""

from __future__ import annotations

import pytest
from console_support import press, quiet_console, run_entry, screen_text, send, settle

from tui.console.app import KeyprobeApp
from tui.console.screens.compare import CompareScreen

SIGNED = "Endpoint: POST /contract/private/submit-order (signed)"


@pytest.fixture(autouse=True)
def _console_env(monkeypatch, tmp_path):
    quiet_console(monkeypatch, tmp_path)


async def test_a_working_and_a_failing_call_side_by_side_with_the_differences_marked():
    app = KeyprobeApp()
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(app, pilot)
        await run_entry(app, pilot, SIGNED)
        assert (await send(app, pilot)).code == 1000
        await press(pilot, "f4")
        await run_entry(app, pilot, "Break it: use a wrong secret")
        assert (await send(app, pilot)).code == 30005
        await press(pilot, "f10")
        assert isinstance(app.screen, CompareScreen)
        sections = {s.title: s for s in app.screen.sections}
        answer, diagnosis = sections["Answer"], sections["Diagnosis"]
        assert diagnosis.differs(0) and diagnosis.left[0].startswith("1000") and diagnosis.right[0].startswith("30005")
        assert answer.differs(0)  # HTTP 200 vs the 30005 status
        request = sections["Request as sent"]
        signature = [i for i, line in enumerate(request.left) if line.startswith("X-API-SIGN")]
        assert signature and request.differs(signature[0])  # a new timestamp, a wrong secret: another signature
        key = [i for i, line in enumerate(request.left) if line.startswith("X-API-KEY")][0]
        assert not request.differs(key)  # the same key: not marked
        assert not request.differs(0)  # the same method and URL
        dates = [i for i, line in enumerate(answer.left) if line.lower().startswith("date:")]
        assert all(not answer.differs(i) for i in dates)  # the Date header is never marked
        text = screen_text(app)
        assert "marked: POST /contract/private/submit-order -> 1000" in text and "now: POST" in text and "-> 30005" in text
        assert "▶ 1000" in text and "▶ 30005" in text and "  X-API-KEY" in text
        await press(pilot, "escape")
        assert app.screen is app.main_screen


async def test_f10_without_a_mark_says_what_to_do():
    app = KeyprobeApp()
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(app, pilot)
        await press(pilot, "f10")
        assert not isinstance(app.screen, CompareScreen)
        assert any("f4" in n.message for n in app._notifications)


async def test_each_mark_is_on_the_line_that_differs_a_long_pre_image_and_a_header_only_one_side_has():
    """The new user's steps: f4 on the first 1000 (a keyed GET), a wrong memo (a signed POST), f10."""
    import re

    app = KeyprobeApp()
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(app, pilot)
        assert (await send(app, pilot)).code == 1000
        await press(pilot, "f4")
        await run_entry(app, pilot, "Break it: use a wrong memo")
        assert (await send(app, pilot)).code == 30005
        await press(pilot, "f10")
        sections = {s.title: s for s in app.screen.sections}
        text = screen_text(app).splitlines()
    heading = next(i for i, line in enumerate(text) if "── Pre-image signed (1 differ)" in line)
    row = text[heading + 1]
    assert row.startswith("▶ (nothing signed)")
    assert re.search(r"▶ \d{13}#\*{4}#\{\"symbol\"", row), row  # the mark is on the pre-image's first row
    request = sections["Request as sent"]
    length = request.right.index("Content-Length: 108")
    assert request.left[length] == "" and request.differs(length)  # only the POST has it: it faces a gap
    key = request.left.index("X-API-KEY: #d84ea451")  # the console opens on WOO X Pro's dialect
    assert request.right[key] == request.left[key] and not request.differs(key)  # still side by side after it
    assert request.changed == 4  # the request line, Content-Length, the timestamp and the signature
    marked_rows = [line for line in text if line.startswith("▶ ") or "  ▶ " in line]
    assert all(re.search(r"▶ \S", line) for line in marked_rows)  # no mark beside an empty cell
