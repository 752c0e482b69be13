"""The response body: a virtual line view over tui.console.body_text.BodyText (laid out in a
thread worker, in bounded memory; only the lines on screen are ever turned into text), and `/`
search with n / N through the matches, also in a thread."""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Input, Static

from tui.console.body_text import BodyText, lay_out

MATCH_STYLE = Style(bgcolor="yellow", color="black", bold=True)
EMPTY = BodyText(indented=False)
WIDTH_SLACK = 8  # columns past the widest line seen


def format_body(body: bytes, content_type: str | None = None) -> tuple[list[str], str]:
    """(display lines, a note): every line of the body as the view shows it (server control
    characters escaped). For small bodies and tests; the view itself draws only what is on screen."""
    text, note = lay_out(body, content_type)
    return [text.line(i) for i in range(text.count)], note


class BodyLog(ScrollView, can_focus=True):
    """The body's lines, drawn only where they are on screen; the arrows, page keys, home and end
    scroll it (ScrollView's bindings)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "start_search", "Search", id="body.search", tooltip="Search the body."),
        Binding("n", "next_match", "Next", id="body.next", tooltip="Next match."),
        Binding("N", "previous_match", "Previous", id="body.previous", tooltip="Previous match."),
    ]

    match_line: int | None = None

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.text = EMPTY

    @property
    def line_count(self) -> int:
        return self.text.count

    def show(self, text: BodyText) -> None:
        self.text = text
        self.match_line = None
        self.virtual_size = self._extent()
        self.scroll_to(0, 0, animate=False)
        self.refresh()

    def grew(self) -> None:
        """More of the same text was laid out: the view's extent follows; the scroll position stays.

        Setting virtual_size lays the whole screen out again (40 ms and more on a busy machine, ten
        times a second while a 20 MB body is laid out); when the body only got longer and the
        scrollbar is already shown, nothing on screen moves but the scrollbar's thumb, so only the
        size is stored and the scrollbar told."""
        size = self._extent()
        if self.show_vertical_scrollbar and size.width == self.virtual_size.width:
            self.set_reactive(BodyLog.virtual_size, size)
            self.vertical_scrollbar.window_virtual_size = size.height
        else:
            self.virtual_size = size

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width, index, style = self.size.width, scroll_y + y, self.rich_style
        if index >= self.text.count:
            return Strip.blank(width, style)
        line = self.text.line(index).expandtabs(4)
        if self.text.widest + WIDTH_SLACK > self.virtual_size.width:  # a wider line came into view: let it scroll
            self.call_later(self._widen)
        if index == self.match_line:
            style = style + MATCH_STYLE
        return Strip([Segment(line, style)]).crop_extend(scroll_x, scroll_x + width, style).apply_offsets(scroll_x, index)

    def _widen(self) -> None:
        self.virtual_size = self._extent()

    def _extent(self) -> Size:
        """The size the view scrolls over: the lines so far, the widest seen so far (and a margin)."""
        return Size(self.text.widest + WIDTH_SLACK, self.text.count)

    def action_start_search(self) -> None:
        self.post_message(BodyView.SearchRequested())

    def action_next_match(self) -> None:
        self.post_message(BodyView.Step(+1))

    def action_previous_match(self) -> None:
        self.post_message(BodyView.Step(-1))


class BodyView(Vertical):
    HELP = """\
## Body
The response body: JSON pretty-printed, anything else (an HTML error page, plain text) as it
came. Large bodies are fine: only the visible lines are drawn. A body cut at the size cap is
flagged in the line above.

- **/** search (case-insensitive), **enter** to jump; **n** / **N** next / previous match.
"""

    @dataclass
    class SearchRequested(Message):
        pass

    @dataclass
    class Step(Message):
        direction: int

    @dataclass
    class MatchesFound(Message):
        term: str
        matches: list[int]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.matches: list[int] = []
        self.term = ""
        self.current = -1
        self.complete = False  # the whole body is laid out (its note is shown)
        self._base_note = Text("No response yet.", style="dim")

    def compose(self) -> ComposeResult:
        yield Static(Text("No response yet.", style="dim"), id="body-note")
        yield Input(placeholder="search the body (enter), escape to close", compact=True, id="body-search")
        yield BodyLog(id="body-log")

    @property
    def log_widget(self) -> BodyLog:
        return self.query_one(BodyLog)

    @property
    def line_count(self) -> int:
        return self.log_widget.line_count

    def clear(self, note: str = "") -> None:
        self.log_widget.show(EMPTY)
        self.matches, self.term, self.current = [], "", -1
        self.complete = False
        self._base_note = Text(note, style="dim")
        self._set_note(self._base_note)

    def show_text(self, text: BodyText, note: str | None, truncated: bool) -> None:
        """Show `text`; the same text again (it grew while being laid out) keeps the scroll position
        and the search; `note` is None until the layout is done."""
        if text is not self.log_widget.text:
            self.clear()
            self.log_widget.show(text)
        else:
            self.log_widget.grew()
        self.complete = note is not None
        note_text = Text(note) if note is not None else Text(f"laying out… {text.count:,} lines so far", style="dim")
        if truncated:
            note_text.append("  TRUNCATED: the body was cut at the size cap; the end is missing", style="bold yellow")
        self._base_note = note_text
        self._set_note(note_text)

    # -- search -------------------------------------------------------------------------------------
    def on_body_view_search_requested(self, event: SearchRequested) -> None:
        search = self.query_one("#body-search", Input)
        search.add_class("-visible")
        search.focus()

    def search(self, term: str) -> None:
        """Find `term` in the body (in a thread: a big body has hundreds of thousands of lines)."""
        self.term = term
        if term:
            self._find(term, weakref.ref(self.log_widget.text))  # see MainScreen.format_body: workers keep their arguments

    @work(thread=True, exclusive=True, group="body-search", description="search the response body")
    def _find(self, term: str, text_ref: weakref.ref[BodyText]) -> None:
        text = text_ref()
        if text is not None:
            self.post_message(self.MatchesFound(term, text.find(term)))

    def on_body_view_matches_found(self, event: MatchesFound) -> None:
        if event.term != self.term:
            return  # a newer search is under way
        self.matches, self.current = event.matches, -1
        if self.matches:
            self._go(+1)
        else:
            self.log_widget.match_line = None
            self.log_widget.refresh()
            self._note(f"no match for {event.term!r}")

    def on_body_view_step(self, event: Step) -> None:
        if self.matches:
            self._go(event.direction)
        elif self.term:
            self._note(f"no match for {self.term!r}")

    def _go(self, direction: int) -> None:
        self.current = (self.current + direction) % len(self.matches)
        line = self.matches[self.current]
        log = self.log_widget
        log.match_line = line
        log.scroll_to(y=max(line - 3, 0), animate=False)
        log.refresh()
        self._note(f"match {self.current + 1} of {len(self.matches):,} · line {line + 1:,}")

    def _note(self, sentence: str) -> None:
        self.query_one("#body-search", Input).tooltip = sentence
        self._set_note(Text.assemble(self._base_note, "  │  ", (sentence, "bold")))

    def _set_note(self, text: Text) -> None:
        # One line whose size app.tcss fixes: no need to lay the screen out again (ten times a
        # second while a big body is laid out).
        self.query_one("#body-note", Static).update(text, layout=False)

    @on(Input.Submitted, "#body-search")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.search(event.value.strip())
        self.log_widget.focus()

    def on_key(self, event: Any) -> None:
        search = self.query_one("#body-search", Input)
        if event.key == "escape" and search.has_focus:
            event.stop()
            search.remove_class("-visible")
            self.log_widget.focus()
