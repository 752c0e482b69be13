"""The CLI's rich Console: one that never writes a control character it did not generate itself.

Only imported when output goes to a terminal (tui/output/styled.py) or a command prints through rich itself (replay,
history, probe, ws, skew): a piped `send` or `inspect` loads no rich at all.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.segment import Segment

from tui.output.terminal_safe import shown


class SafeConsole(Console):
    """A rich Console that never writes a control character it did not generate itself: the last
    guard behind shown() (rich measured the widths before, so a missed one only misaligns a little)."""

    def _render_buffer(self, buffer: Any) -> str:  # rich's one place where segments become output
        safe = (seg if seg.control else Segment(shown(seg.text, multiline=True), seg.style, None) for seg in buffer)
        return super()._render_buffer(safe)

    def on_broken_pipe(self) -> None:
        """`keyprobe send | head -c 5`: rich's own answer is SystemExit(1), which is keyprobe's "the API answered an
        error"; the closed pipe goes to tui.cli, which exits with the broken-pipe status like every other command."""
        self.quiet = True
        raise BrokenPipeError


def safe_console(stderr: bool = False, file: Any = None) -> SafeConsole:
    # soft_wrap: long lines (a compact JSON body, a signature header) stay whole; the terminal wraps them.
    # SafeConsole: a control character from a server is shown escaped even if a caller forgot shown().
    return SafeConsole(stderr=stderr, file=file, highlight=False, soft_wrap=True)
