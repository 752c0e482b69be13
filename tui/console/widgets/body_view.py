"""The response body: a Log (a virtual line view, fast for hundreds of thousands of lines) fed with
lines pretty-printed in a thread worker, and `/` search with n / N through the matches."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.strip import Strip
from textual.widgets import Input, Log, Static

from tui.terminal_safe import dumps, shown

MATCH_STYLE = Style(bgcolor="yellow", color="black", bold=True)


def format_body(body: bytes, content_type: str | None = None) -> tuple[list[str], str]:
    """(display lines, a note). JSON is pretty-printed; anything else is shown as decoded text.
    CPU-heavy for big bodies: call it from a thread worker."""
    if not body:
        return [], "empty body"
    text = body.decode("utf-8", errors="replace")
    stripped = text.lstrip()
    if stripped[:1] in ("{", "["):
        from keys.bounded import parse_json  # total: nested 100,000 deep is "not JSON", not a crash

        data, problem = parse_json(text)
        if problem is None:
            try:
                lines = dumps(data, indent=2).splitlines()  # C1 and bidi escaped as JSON escapes
            except (ValueError, RecursionError):
                pass
            else:
                return lines, f"JSON, {len(lines):,} lines"
    kind = "HTML" if "<html" in text[:2000].lower() else "not JSON"
    lines = [shown(line) for line in text.splitlines()]  # ESC, OSC 52, BEL from a server: shown, never obeyed
    return lines, f"{kind}{f' ({content_type})' if content_type else ''}, {len(lines):,} lines"


def find_matches(lines: list[str] | Any, term: str) -> list[int]:
    """Line numbers containing `term`, case-insensitively."""
    needle = term.lower()
    return [i for i, line in enumerate(lines) if needle in line.lower()]


class BodyLog(Log):
    """A Log that highlights the current search match."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "start_search", "Search", id="body.search", tooltip="Search the body."),
        Binding("n", "next_match", "Next", id="body.next", tooltip="Next match."),
        Binding("N", "previous_match", "Previous", id="body.previous", tooltip="Previous match."),
    ]

    match_line: int | None = None

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        if self.match_line is not None and self.scroll_offset.y + y == self.match_line:
            strip = strip.apply_style(MATCH_STYLE)
        return strip

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
        self._base_note = Text("No response yet.", style="dim")

    def compose(self) -> ComposeResult:
        yield Static(Text("No response yet.", style="dim"), id="body-note")
        yield Input(placeholder="search the body (enter), escape to close", compact=True, id="body-search")
        yield BodyLog(id="body-log", auto_scroll=False)

    @property
    def log_widget(self) -> BodyLog:
        return self.query_one(BodyLog)

    @property
    def line_count(self) -> int:
        return self.log_widget.line_count

    def clear(self, note: str = "") -> None:
        log = self.log_widget
        log.clear()
        log.match_line = None
        self.matches, self.term, self.current = [], "", -1
        self._base_note = Text(note, style="dim")
        self.query_one("#body-note", Static).update(self._base_note)

    def show_lines(self, lines: list[str], note: str, truncated: bool) -> None:
        self.clear()
        note_text = Text(note)
        if truncated:
            note_text.append("  TRUNCATED: the body was cut at the size cap; the end is missing", style="bold yellow")
        self._base_note = note_text
        self.query_one("#body-note", Static).update(note_text)
        log = self.log_widget
        log.write_lines(lines, scroll_end=False)
        log.scroll_home(animate=False)

    # -- search -------------------------------------------------------------------------------------
    def on_body_view_search_requested(self, event: SearchRequested) -> None:
        search = self.query_one("#body-search", Input)
        search.add_class("-visible")
        search.focus()

    def search(self, term: str) -> None:
        """Find `term` in the body (in a thread: a big body has hundreds of thousands of lines)."""
        self.term = term
        if term:
            self._find(term, list(self.log_widget.lines))

    @work(thread=True, exclusive=True, group="body-search", description="search the response body")
    def _find(self, term: str, lines: list[str]) -> None:
        self.post_message(self.MatchesFound(term, find_matches(lines, term)))

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
        self.query_one("#body-note", Static).update(Text.assemble(self._base_note, "  │  ", (sentence, "bold")))

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
