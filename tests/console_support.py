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
