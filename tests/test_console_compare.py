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
