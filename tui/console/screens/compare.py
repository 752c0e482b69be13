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

from tui.terminal_safe import shown

DIFF_STYLE = "bold black on yellow"


def sections_table(sections: list[Any], left_title: str, right_title: str) -> Table:
    table = Table(expand=True, show_lines=False, pad_edge=False, box=None)
    table.add_column(Text(left_title, style="bold"), ratio=1, overflow="fold")
    table.add_column(Text(right_title, style="bold"), ratio=1, overflow="fold")
    for section in sections:
        changed = section.changed
        heading = Text.assemble((f"── {section.title} ", "bold"), (f"({changed} differ)" if changed else "(same)", "yellow" if changed else "green"))
        table.add_row(heading, Text(""))
        for i in range(section.rows):
            # server text (headers, reason, body lines) and what was sent: control characters shown escaped
            left = shown(section.left[i]) if i < len(section.left) else ""
            right = shown(section.right[i]) if i < len(section.right) else ""
            if section.differs(i):
                table.add_row(Text("▶ " + left, style=DIFF_STYLE), Text("▶ " + right, style=DIFF_STYLE))
            else:
                table.add_row(Text("  " + left), Text("  " + right))
        table.add_row(Text(""), Text(""))
    return table


class CompareScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "app.pop_screen", "Back", id="compare.close", tooltip="Back to the console."),
    ]
    HELP = """\
## Compare
Left: the exchange marked with **f4**. Right: the one the console shows now. Each section (the
request as sent, the pre-image that was signed, the answer, the diagnosis, the start of the body)
says how many lines differ; those lines are marked ▶ and highlighted. The Date header is never
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
