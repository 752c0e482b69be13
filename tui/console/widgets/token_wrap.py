"""A Static that wraps long lines after a separator (`, : & # { [` or a space), never inside a token.

The 30005 evidence shows a compact JSON body and the pre-image `timestamp#****#{"symbol":"BTCUSDT",...}`
side by side: Textual folds a line with no space at the column's edge, which cut `"BTCU` / `SDT"` and made
two equal byte strings look different. The breaks are display only: no character is added to the text.

A caret line (only `^`, `|` and spaces: the inspect view's marks under the signed and expected strings)
is cut at the same offsets as the line above it, and each piece of that line is followed by its piece of
marks: folded separately, the marks of a wrapped line pointed at other characters.
"""

from __future__ import annotations

import re

from rich.text import Text
from textual import events
from textual.widgets import Static

SEPARATORS = ",:&#{[ "
MARK_CHARACTERS = frozenset("^| ")
_LABEL = re.compile(r" *\S+ +")  # "     signed   ": where a marked line's content starts


def token_cuts(line: str, width: int, indent: int = 0) -> list[int]:
    """Offsets to cut `line` at so every piece fits `width` (pieces after the first also carry `indent`
    spaces in front): after the last separator that fits, else at the edge (a token longer than the
    column is folded, as there is nothing better)."""
    cuts, start, room = [], 0, width
    while len(line) - start > room:
        window = line[start : start + room]
        cut = max(window.rfind(c) for c in SEPARATORS) + 1
        least = indent if not cuts else 1  # the first piece keeps at least its label
        start += cut if cut > least else room
        cuts.append(start)
        room = width - indent
    return cuts


def is_marks(line: str) -> bool:
    return bool(line.strip()) and set(line) <= MARK_CHARACTERS


def fold_marked(line: Text, marks: Text, width: int) -> list[Text]:
    """`line` and the caret line under it, cut at the same offsets: each piece of the line, then its marks
    (left out where it has none). Pieces after the first are indented to where the content starts,
    unless that would take over a third of the row."""
    label = _LABEL.match(line.plain)
    indent = label.end() if label is not None and label.end() <= width // 3 else 0
    length = max(len(line), len(marks))
    line, marks = line.copy(), marks.copy()
    line.pad_right(length - len(line))
    marks.pad_right(length - len(marks))
    cuts = token_cuts(line.plain, width, indent)
    out = []
    for number, (piece, under) in enumerate(zip(line.divide(cuts), marks.divide(cuts), strict=True)):
        prefix = " " * indent if number else ""
        out.append(Text(prefix).append_text(piece))
        if under.plain.strip():
            out.append(Text(prefix).append_text(under))
    for text in out:
        text.rstrip()
    return out


def fold(source: Text, width: int) -> list[Text]:
    """`source`'s lines cut to `width`: by token_cuts, and a caret line together with the line it marks."""
    lines = source.split("\n", allow_blank=True)
    out: list[Text] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        following = lines[index + 1] if index + 1 < len(lines) else None
        if following is not None and is_marks(following.plain) and not is_marks(line.plain):
            out.extend(fold_marked(line, following, width))
            index += 2
            continue
        out.extend(line.divide(token_cuts(line.plain, width)))
        index += 1
    return out


class TokenWrapped(Static):
    """`source` (a rich Text) shown with its long lines cut by `fold` at the widget's width."""

    def __init__(self, source: Text, **kwargs: object) -> None:
        super().__init__(source, **kwargs)  # type: ignore[arg-type]
        self.source = source
        self._width = 0

    def show(self, source: Text) -> None:
        """Show other text, laid out at the width the widget has now."""
        self.source = source
        if self._width:
            self._lay_out(self._width)
        else:
            self.update(source)

    def on_resize(self, event: events.Resize) -> None:
        width = self.content_size.width
        if width <= 0 or width == self._width:  # the height changing after an update is no reason to redo it
            return
        self._lay_out(width)

    def _lay_out(self, width: int) -> None:
        self._width = width
        self.update(Text("\n").join(fold(self.source, width)))
