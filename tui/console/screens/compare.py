"""Compare (f10): the exchange marked with f4 on the left, the one on screen on the right, section by
section, with the lines that differ marked (▶ and highlighted). tui.console.compare builds the
sections; this only draws them."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from tui.output.terminal_safe import shown

DIFF_STYLE = "bold black on yellow"


def sections_table(sections: list[Any], left_title: str, right_title: str) -> Table:
    """Each side's ▶ in a column of its own: written into the text, a long line without spaces (a
    pre-image) wrapped below it and left the mark on a blank line."""
    table = Table(expand=True, show_lines=False, pad_edge=False, box=None, padding=(0, 1, 0, 0))
    for title in (left_title, right_title):
        table.add_column("", width=1, no_wrap=True)
        table.add_column(Text(title, style="bold"), ratio=1, overflow="fold")
    for section in sections:
        changed = section.changed
        heading = Text.assemble((f"── {section.title} ", "bold"), (f"({changed} differ)" if changed else "(same)", "yellow" if changed else "green"))
        table.add_row(Text(""), heading, Text(""), Text(""))
        for i in range(section.rows):
            # server text (headers, reason, body lines) and what was sent: control characters shown escaped
            left = shown(section.left[i]) if i < len(section.left) else ""
            right = shown(section.right[i]) if i < len(section.right) else ""
            marked = section.differs(i)
            table.add_row(*_side(left, marked), *_side(right, marked))
        table.add_row(Text(""), Text(""), Text(""), Text(""))
    return table


def _side(line: str, marked: bool) -> tuple[Text, Text]:
    """(mark, text) for one side of a row: a side with no line there (a gap) gets no mark."""
    if marked and line:
        return Text("▶", style=DIFF_STYLE), Text(line, style=DIFF_STYLE)
    return Text(""), Text(line)


class CompareScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "app.pop_screen", "Back", id="compare.close", tooltip="Back to the console."),
    ]
    HELP = """\
## Compare
Left: the exchange marked with **f4**. Right: the one the console shows now. Each section (the
request as sent, the pre-image that was signed, the answer, the diagnosis, the start of the body)
says how many lines differ; those lines are marked ▶ and highlighted. Lines are paired by a diff,
so a header only one side has faces a gap and the rest stay side by side. The Date header is never
marked (it differs every time). **escape** goes back.
"""

    def __init__(self, sections: list[Any], left_title: str, right_title: str) -> None:
        super().__init__()
        self.sections = sections
        self._titles = (left_title, right_title)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="compare-scroll"):
            yield Static(sections_table(self.sections, *self._titles), id="compare-table")
        yield Footer()
