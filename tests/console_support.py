"""Helpers for the console's Pilot tests: settle the app, read the screen as text, and compare
snapshots (text baselines under tests/snapshots/, SVG pictures written to screenshots/)."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path
from typing import Any

from rich.console import Console

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOTS = ROOT / "tests" / "snapshots"
SCREENSHOTS = ROOT / "screenshots"
UPDATE_ENV = "KEYPROBE_UPDATE_SNAPSHOTS"


async def settle(app: Any, pilot: Any, rounds: int = 4) -> None:
    """Let workers finish and their messages land (a worker's message can start another worker)."""
    for _ in range(rounds):
        await pilot.pause()
        await app.workers.wait_for_complete()
    await pilot.pause()


def screen_text(app: Any) -> str:
    """The screen as plain text, the same frame export_screenshot() draws."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True, color_system="truecolor",
                      record=True, legacy_windows=False, safe_box=False)
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text()


def quiet_console(monkeypatch: Any, home: Path) -> None:
    """A console test's environment: its own KEYPROBE_HOME (no key file, no keymap), no KEYPROBE_*
    credentials, and no blinking cursors (a blink between two frames would change a snapshot)."""
    from textual.widgets import Input, TextArea

    monkeypatch.setenv("KEYPROBE_HOME", str(home))
    for name in ("KEYPROBE_API_KEY", "KEYPROBE_SECRET", "KEYPROBE_MEMO", "KEYPROBE_READY_FD"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)
    monkeypatch.setattr(TextArea, "_toggle_cursor_blink_visible", lambda self: None)


async def send(app: Any, pilot: Any, key: str = "ctrl+j") -> Any:
    """Press the send key and wait for the answer, its diagnosis and the body; returns the Diagnosis."""
    await pilot.press(key)
    await settle(app, pilot)
    return app.main_screen.diagnosis


def entry(app: Any, title: str) -> Any:
    """The command palette entry with this title (the palette lists exactly these)."""
    from tui.console.commands import entries

    found = [e for e in entries(app) if e.title == title]
    assert found, f"no palette entry {title!r}"
    return found[0]


async def run_entry(app: Any, pilot: Any, title: str) -> None:
    result = entry(app, title).callback()
    if hasattr(result, "__await__"):
        await result
    await settle(app, pilot)
