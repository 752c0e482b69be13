"""The console's last guard: no control character a widget was given reaches the terminal as itself.

Widgets show server, client and file text through tui.output.terminal_safe.shown() (escaped at the source, so widths
stay right). This is the guard behind them, the console's twin of the CLI's render.SafeConsole: Textual's one
place where a segment's text becomes terminal output is Strip.render, and every segment that is not Textual's
own control passes through shown() there first. Before, the Traffic table wrote a request target's OSC 52
(a clipboard write) and an alternate-screen exit to the terminal as they came (issue 21, finding 3).

It escapes; it does not mask secrets: text typed into the composer is the person's own and must look as
typed. Masking is done where text enters a widget (shown() masks registered secrets).
"""

from __future__ import annotations

from typing import Any

from rich.segment import Segment
from textual.strip import Strip

from tui.output.terminal_safe import shown

_installed = False


def install() -> None:
    """Guard Strip.render, once per process (every KeyprobeApp installs it)."""
    global _installed
    if _installed:
        return
    _installed = True
    render = Strip.render

    def guarded(self: Strip, console: Any) -> str:
        if getattr(self, "_render_cache", None) is None:
            segments = self._segments
            safe = [seg if seg.control or seg.text.isprintable() else Segment(shown(seg.text), seg.style, seg.control)
                    for seg in segments]
            if any(a is not b for a, b in zip(safe, segments)):
                self._segments = safe
        return render(self, console)

    Strip.render = guarded  # type: ignore[method-assign]
