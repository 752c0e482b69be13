"""A one-line bar of the request's phases (connect, TLS, send, waiting for the first byte, body), each
segment as wide as its share of the total, with the figures underneath."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widget import Widget

PHASES = (
    ("connect", "connect", "dodger_blue2"),
    ("tls", "TLS", "medium_purple3"),
    ("send", "send", "grey50"),
    ("wait", "first byte", "dark_orange3"),
    ("body", "body", "green4"),
)


def segments(timings: Any) -> list[tuple[str, float]]:
    """(phase, ms) for the phases that happened, from a tui.exchange.Timings (durations per phase)."""
    out = [
        ("connect", timings.connect_ms),
        ("tls", timings.tls_ms),
        ("send", timings.request_sent_ms),
        ("wait", timings.first_byte_ms),
        ("body", timings.body_ms),
    ]
    return [(name, float(ms)) for name, ms in out if ms is not None and ms >= 0]


def bar_text(parts: list[tuple[str, float]], width: int) -> Text:
    """Proportional segments; every phase that happened gets at least one cell."""
    total = sum(ms for _, ms in parts)
    text = Text()
    if not parts or total <= 0 or width < len(parts):
        return text
    cells = [max(1, round(width * ms / total)) for _, ms in parts]
    while sum(cells) > width:  # rounding up the small ones can overflow: trim the widest
        cells[cells.index(max(cells))] -= 1
    colours = {name: colour for name, _, colour in PHASES}
    for (name, _), n in zip(parts, cells):
        text.append("█" * n, style=colours[name])
    return text


def legend_text(parts: list[tuple[str, float]], total_ms: float | None) -> Text:
    labels = {name: label for name, label, _ in PHASES}
    colours = {name: colour for name, _, colour in PHASES}
    text = Text()
    for name, ms in parts:
        text.append("■ ", style=colours[name])
        text.append(f"{labels[name]} {ms:,.1f} ms   ")
    if total_ms is not None:
        text.append(f"total {total_ms:,.1f} ms", style="bold")
    return text


class TimingBar(Widget):
    """The bar and its legend (which wraps on a narrow terminal); hidden while there is nothing to show."""

    DEFAULT_CSS = """
    TimingBar { height: auto; }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._parts: list[tuple[str, float]] = []
        self._total: float | None = None
        self.display = False

    def show(self, timings: Any) -> None:
        self._parts = segments(timings)
        self._total = timings.total_ms
        self.display = bool(self._parts)
        self.refresh(layout=True)

    def clear(self) -> None:
        self._parts, self._total = [], None
        self.display = False

    def render(self) -> Text:
        if not self._parts:
            return Text("")
        text = bar_text(self._parts, max(self.size.width, 1))
        text.append("\n")
        text.append_text(legend_text(self._parts, self._total))
        return text
