"""Query parameters as key/value rows, in the order they will be sent (and signed, for GET)."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Input, Static


class QueryRow(Horizontal):
    def __init__(self, key: str = "", value: str = "", placeholders: tuple[str, str] = ("key", "value")) -> None:
        super().__init__(classes="query-row")
        self._key, self._value = key, value
        self._placeholders = placeholders

    def compose(self) -> ComposeResult:
        yield Input(self._key, placeholder=self._placeholders[0], compact=True, classes="query-key")
        yield Input(self._value, placeholder=self._placeholders[1], compact=True, classes="query-value")
        yield Button("✕", compact=True, classes="query-remove", tooltip="Remove this parameter")

    @property
    def pair(self) -> tuple[str, str]:
        """(key, value); ("", "") for a row still being mounted (the preview may read it then)."""
        key, value = self.query(".query-key"), self.query(".query-value")
        if not key or not value:
            return ("", self._value)
        return (key.first(Input).value.strip(), value.first(Input).value)


class AddParameter(Static, can_focus=True):
    """The table's heading line, "Query + parameter (ctrl+n)": a click, or enter once Tab has reached
    it, adds a row (so an empty table can get its first row from the keyboard). One widget, not a
    label and a button: the composer is in the first frame, and each widget there costs time."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter,space", "add", "Add row", id="query.add_here", show=False, tooltip="Add a row to this table."),
    ]

    def on_click(self) -> None:
        self.post_message(QueryTable.AddRequested())

    def action_add(self) -> None:
        self.post_message(QueryTable.AddRequested())


class QueryTable(Vertical):
    HELP = """\
## Query parameters
One row per parameter, sent in this order. For GET and DELETE the query string **is** the signed
payload, so the order here is the order that is signed. Rows with an empty key are skipped.

- **ctrl+n** adds a row (anywhere in the table, its heading included: **Tab** stops on the heading,
  and **enter** there adds a row too), **ctrl+r** removes the row you are in, **✕** removes a row.
"""
    class Changed(Message):
        """Rows were added, removed or replaced (edits inside a row arrive as Input.Changed)."""

    class AddRequested(Message):
        pass

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+n", "add_row", "Add param", id="query.add", tooltip="Add a query parameter row."),
        Binding("ctrl+r", "remove_row", "Remove param", id="query.remove", tooltip="Remove the focused row."),
        # Keys typed in one burst (screens/fields_modal.py): Tab moves the focus the moment it is read, so
        # the keys after it go to the next field, not into the one it left.
        Binding("tab", "move_focus(1)", show=False, priority=True, id="query.next", tooltip="The next field."),
        Binding("shift+tab", "move_focus(-1)", show=False, priority=True, id="query.previous", tooltip="The previous field."),
    ]

    HEADINGS = {
        "query": ("[$text-muted]Query[/]  [b $text-accent]+ parameter (ctrl+n)[/]", ("key", "value")),
        # The row's value placeholder says what an empty value does: a heading wider than the composer
        # at 80 columns was cut mid-word.
        "header": ("[$text-muted]Headers[/]  [b $text-accent]+ header (ctrl+n)[/]",
                   ("Header-Name", "value (empty: remove the header)")),
    }

    def __init__(self, kind: str = "query", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.kind = kind

    def compose(self) -> ComposeResult:
        yield AddParameter(self.HEADINGS[self.kind][0], id=f"{self.kind}-head", classes="table-head")
        yield Vertical(id=f"{self.kind}-rows", classes="table-rows")

    @property
    def rows(self) -> list[QueryRow]:
        return list(self.query(QueryRow))

    def pairs(self) -> tuple[tuple[str, str], ...]:
        return tuple(row.pair for row in self.rows if row.pair[0])

    async def set_pairs(self, pairs: tuple[tuple[str, str], ...] | list[tuple[str, str]]) -> None:
        rows = self.query_one(".table-rows", Vertical)
        await rows.remove_children()
        await rows.mount_all([QueryRow(k, v, self.HEADINGS[self.kind][1]) for k, v in pairs])
        self.post_message(self.Changed())

    def action_move_focus(self, step: int) -> None:
        screen = self.screen
        screen.focus_next() if step > 0 else screen.focus_previous()  # Screen.set_focus: at once, not queued

    async def action_add_row(self) -> None:
        row = QueryRow(placeholders=self.HEADINGS[self.kind][1])
        await self.query_one(".table-rows", Vertical).mount(row)
        row.query_one(".query-key", Input).focus()

    async def action_remove_row(self) -> None:
        focused = self.screen.focused
        row = next((a for a in (focused.ancestors if focused else []) if isinstance(a, QueryRow)), None)
        if row is not None:
            await self._remove(row)

    async def on_query_table_add_requested(self, event: AddRequested) -> None:
        event.stop()
        await self.action_add_row()

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.has_class("query-remove"):
            row = next(a for a in event.button.ancestors if isinstance(a, QueryRow))
            await self._remove(row)

    async def _remove(self, row: QueryRow) -> None:
        await row.remove()
        self.post_message(self.Changed())
