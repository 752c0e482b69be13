"""A Static that wraps long lines after a separator (`, : & # { [` or a space), never inside a token.

The 30005 evidence shows a compact JSON body and the pre-image `timestamp#****#{"symbol":"BTCUSDT",...}`
side by side: Textual folds a line with no space at the column's edge, which cut `"BTCU` / `SDT"` and made
two equal byte strings look different. The breaks are display only: no character is added to the text."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.widgets import Static

SEPARATORS = ",:&#{[ "


def token_cuts(line: str, width: int) -> list[int]:
    """Offsets to cut `line` at so every piece fits `width`: after the last separator that fits, else at
    `width` (a token longer than the column is folded, as there is nothing better)."""
    cuts, start = [], 0
    while len(line) - start > width:
        window = line[start : start + width]
        cut = max(window.rfind(c) for c in SEPARATORS) + 1
        start += cut if cut > 0 else width
        cuts.append(start)
    return cuts


class TokenWrapped(Static):
    """`source` (a rich Text) shown with its long lines cut by token_cuts at the widget's width."""

    def __init__(self, source: Text, **kwargs: object) -> None:
        super().__init__(source, **kwargs)  # type: ignore[arg-type]
        self.source = source
        self._width = 0

    def on_resize(self, event: events.Resize) -> None:
        width = self.content_size.width
        if width <= 0 or width == self._width:  # the height changing after an update is no reason to redo it
            return
        self._width = width
        lines = []
        for line in self.source.split("\n", allow_blank=True):
            lines.extend(line.divide(token_cuts(line.plain, width)))
        self.update(Text("\n").join(lines))
