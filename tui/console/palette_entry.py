"""One command palette entry. Its own module so commands.py and screen_commands.py both build entries
while only commands.py imports screen_commands.py (no import cycle between them)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Entry:
    title: str
    help: str
    callback: Callable[[], Any]
