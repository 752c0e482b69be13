"""Snapshots of the three screens the README shows: a success, a 30005 and a 30007 diagnosis.
The screen's text is compared with tests/snapshots/*.txt; `make screenshots` draws the SVGs in screenshots/."""

from __future__ import annotations

import pytest
from console_support import check_snapshot, freeze, quiet_console, run_entry, send, settle

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
