"""The top line: where requests go, with which key, and how far the local clock is from the server's."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.widgets import Static

if TYPE_CHECKING:
    from tui.console.target import ConsoleTarget


def clock_text(estimate: Any, use_offset: bool) -> Text:
    """`clock +12 ms ±0.6 ms (signing with it)`; plain text, so no markup can leak in."""
    if estimate is None:
        return Text("clock not measured (f5)", style="dim")
    offset, bound = float(estimate.offset_ms), float(estimate.bound_ms)
    offset = 0.0 if abs(offset) < 0.5 else offset  # no "-0 ms"
    style = "bold red" if getattr(estimate, "verdict", "ok") == "outside-30007-window" else (
        "yellow" if getattr(estimate, "verdict", "ok") != "ok" else "green"
    )
    text = Text.assemble("clock ", (f"{offset:+,.0f} ms ±{bound:,.1f} ms", style))
    text.append(" (corrected)" if use_offset else " (local)", style="dim")
    return text


class StatusBar(Static):
    """keyprobe · venue and URL · key fingerprint · clock offset."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._target: Text = Text("starting the local emulator…", style="dim")
        self._clock: Text = Text("")

    def on_mount(self) -> None:
        self._redraw()

    def show_target(self, target: ConsoleTarget) -> None:
        key_style = "bold red" if target.tampered else "bold"
        self._target = Text.assemble(
            (target.venue.name, "bold"), " ", (target.venue.base_url, "dim"), "  key ", (target.key_label, key_style)
        )
        self._redraw()

    def show_failure(self, sentence: str) -> None:
        self._target = Text(sentence, style="bold red")
        self._redraw()

    def show_clock(self, estimate: Any, use_offset: bool, measuring: bool = False) -> None:
        self._clock = Text("clock: measuring…", style="dim") if measuring else clock_text(estimate, use_offset)
        self._redraw()

    def _redraw(self) -> None:
        line = Text.assemble(("keyprobe", "bold"), "  ", self._target)
        if self._clock.plain:
            line.append("  │  ")
            line.append_text(self._clock)
        self.update(line)
