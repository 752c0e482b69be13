"""At 80x24 (issue 26): the path field shows the path from its start, the history list tells entries apart
(a long path is cut at its start, where paths agree), and the probe's passed rungs fold to one line each so
the whole ladder is on screen (e shows their evidence again)."""

from __future__ import annotations

import pytest
from console_support import press, quiet_console, screen_text, send, settle, until

from tui.console.app import KeyprobeApp
from tui.console.screens.probe import ProbeScreen
from tui.console.widgets.sidebar import history_label

SIZE = (80, 24)


@pytest.fixture(autouse=True)
def _console_env(monkeypatch, tmp_path):
    quiet_console(monkeypatch, tmp_path)


def test_a_history_path_wider_than_the_list_is_cut_at_its_start():
    label = history_label({"time": "2026-12-07T10:02:00", "method": "GET", "code": 1000,
                           "path": "/contract/private/assets-detail"}, 20).plain.splitlines()
    assert label[1] == "…" + "/contract/private/assets-detail"[-19:] and len(label[1]) == 20
    assert history_label({"path": "/short", "method": "GET"}, 20).plain.splitlines()[1] == "/short"


async def test_path_history_and_probe_read_at_80x24():
    app = KeyprobeApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        path = app.main_screen.query_one("#path")
        assert path.has_focus and "/contract/private/assets-detail" in screen_text(app)  # focused, whole, from its start

        for typed in ("/contract/private/get-open-orders", "/contract/private/assets-detail"):
            path.value = typed
            await send(app, pilot)
        await press(pilot, "ctrl+b")
        sidebar = app.main_screen.query_one("#sidebar")
        await until(app, pilot, lambda: len(sidebar.history_entries) == 2, "both sends in the history")
        text = screen_text(app)
        assert "/get-open-orders" in text and "/assets-detail" in text, text

        await press(pilot, "ctrl+b", "f3")
        probe = app.screen
        assert isinstance(probe, ProbeScreen)
        await until(app, pilot, lambda: probe.report is not None, "the probe's report")
        text = screen_text(app)
        assert probe.report.passed and all(f"{n}. " in text for n in range(1, len(probe.rungs) + 1)), text
        assert "a local venue, with no lifecycle" not in text  # a passed rung's evidence, folded
        await press(pilot, "e")
        assert "a local venue, with no lifecycle" in screen_text(app)
