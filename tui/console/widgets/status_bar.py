"""The top line: where requests go, with which key, and how far the local clock is from the server's."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.widgets import Static

if TYPE_CHECKING:
    from tui.console.target import ConsoleTarget


def clock_text(estimate: Any, use_offset: bool, short: bool = False) -> Text:
    """`clock +12 ms ±0.6 ms (f8 off)`: whether requests are signed with the offset added (f8, "Sync clock") or on this
    machine's time; "(local)" read as "the Local emulator's". Plain text, so no markup can leak in. `short` drops the
    words in brackets (a narrow terminal: `clock: f5` before a measurement)."""
    if estimate is None:
        return Text("clock: f5" if short else "clock not measured (f5)", style="dim")
    offset, bound = float(estimate.offset_ms), float(estimate.bound_ms)
    offset = 0.0 if abs(offset) < 0.5 else offset  # no "-0 ms"
    style = "bold red" if getattr(estimate, "verdict", "ok") == "outside-30007-window" else (
        "yellow" if getattr(estimate, "verdict", "ok") != "ok" else "green"
    )
    text = Text.assemble("clock ", (f"{offset:+,.0f} ms ±{bound:,.1f} ms", style))
    if not short:
        text.append(" (f8 on)" if use_offset else " (f8 off)", style="dim")
    return text


def venue_words(target: ConsoleTarget) -> str:
    """`BitMart: no trading since 2026-08-26` for a target on a venue that is winding down, by the local clock."""
    from tui.diagnosis.venue_state import status_words

    return status_words(target.lifecycle_state)


class StatusBar(Static):
    """keyprobe · venue and URL · key fingerprint · clock offset. On a narrow terminal the URL, then the clock's
    bracketed words, then the program's name, make way, so the key and the clock stay on screen."""

    def __init__(self, **kwargs: Any) -> None:
        self._target: Text = Text("starting the local emulator…", style="dim")
        self._target_short: Text | None = None  # the target without its URL
        self._warning: Text = Text("")  # a venue winding down: `⚠ BitMart: no trading since 2026-08-26`
        self._clock: Text = Text("")
        self._clock_short: Text = Text("")
        self._shown: Text | None = self.line(10_000)
        super().__init__(self._shown, **kwargs)

    def on_resize(self) -> None:
        self._redraw()

    def show_target(self, target: ConsoleTarget) -> None:
        key_style = "bold red" if target.tampered else "bold"
        key = Text.assemble("  key ", (target.key_label, key_style))
        if target.proxy:  # a proxy the person chose for this key: named wherever the key is shown
            from keys.profile import shown_proxy

            key.append(f"  via proxy {shown_proxy(target.proxy)}", style="bold yellow")
        self._target = Text.assemble((target.venue_label, "bold"), " ", (target.venue.base_url, "dim"), key)
        self._target_short = Text.assemble((target.venue_label, "bold"), key)
        self._warning = Text("")
        lifecycle = venue_words(target)
        if lifecycle:  # a venue that is winding down says so, and the URL goes before it does (the composer's notice says it too)
            self._warning = Text(f"  ⚠ {lifecycle}", style="bold yellow")
            self._target_short.append_text(self._warning)
        self._redraw()

    def show_failure(self, sentence: str) -> None:
        self._target, self._target_short = Text(sentence, style="bold red"), None
        self._redraw()

    def show_clock(self, estimate: Any, use_offset: bool, measuring: bool = False) -> None:
        if measuring:
            self._clock = self._clock_short = Text("clock: measuring…", style="dim")
        else:
            self._clock, self._clock_short = clock_text(estimate, use_offset), clock_text(estimate, use_offset, short=True)
        self._redraw()

    def line(self, width: int) -> Text:
        """The longest form that fits `width` cells (the shortest, wrapped, when none does)."""
        brand = Text("keyprobe  ", style="bold")
        short = self._target if self._target_short is None else self._target_short
        clock, clock_short = self._clock, self._clock_short
        # Longest first: the URL goes, then the clock's bracketed words, then the program's name.
        forms = [(brand + self._target + self._warning, clock), (brand + self._target, clock), (brand + short, clock),
                 (brand + short, clock_short), (short.copy(), clock), (short.copy(), clock_short)]
        lines = [Text.assemble(target, "  │  ", c) if c.plain else target for target, c in forms]
        return next((line for line in lines if line.cell_len <= width), lines[-1])

    def _redraw(self) -> None:
        width = self.content_region.width
        line = self.line(width) if width else self.line(10_000)
        if line != self._shown:  # a resize to the same form costs no new layout
            self._shown = line
            self.update(line)
