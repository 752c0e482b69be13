"""A modal of text fields that takes keys typed in one burst (a password manager's auto-type, a fast
typist) exactly as typed.

Textual hands each key to the widget focused when the key is read. A Tab, though, moves the focus
only once it has gone through the focused field's queue and back up to the app, so in a burst the
keys after it land in the field before; and a priority binding (ctrl+s) runs when its key is read,
before the keys typed ahead of it are in their fields. Hence, here:
- tab, shift+tab and enter move the focus the moment they are read (priority bindings);
- whatever reads the fields (`after_typed`) runs once every field, and then the screen, has handled
  the keys it was handed before: a callback queued behind them;
- the focus is set with Screen.set_focus, which takes effect at once (Widget.focus() waits its turn
  in the app's queue, behind the keys of the burst).
The key that opens such a window is a priority binding too (the keys screen's n, o, a, e), so the
keys typed right after it go to the window, not to what was under it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar, TypeVar

from textual.actions import SkipAction
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen
from textual.widgets import Input

ResultType = TypeVar("ResultType")


class FieldsModal(ModalScreen[ResultType]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("tab", "next_field", show=False, priority=True, id="fields.next", tooltip="The next field."),
        Binding("shift+tab", "previous_field", show=False, priority=True, id="fields.previous", tooltip="The previous field."),
        Binding("enter", "enter_field", show=False, priority=True, id="fields.enter", tooltip="The next field, or done in the last one."),
        # Arrows move between fields too; a Select takes enter or space to open its list (it took down as
        # well, and the fields under it could not be reached by arrows). In an open list they move in it.
        Binding("down", "arrow_field(1)", show=False, priority=True, id="fields.down", tooltip="The next field."),
        Binding("up", "arrow_field(-1)", show=False, priority=True, id="fields.up", tooltip="The previous field."),
    ]

    def field_entered(self, field: Input) -> None:
        """Enter in a text field: the next field by default; a screen submits from its last one."""
        self.focus_next()

    def after_typed(self, callback: Callable[[], object]) -> None:
        """Run `callback` on this screen once the keys already handed to its fields are in them."""
        fields = list(self.query(Input))
        remaining = len(fields)

        def field_done() -> None:
            nonlocal remaining
            remaining -= 1
            if remaining == 0:
                self.call_later(callback)  # behind the keys queued for the screen itself

        for field in fields:
            if not field.call_later(field_done):
                field_done()  # that field is closing: nothing of it to wait for
        if not fields:
            self.call_later(callback)

    # -- the keys -----------------------------------------------------------------------------------
    def action_next_field(self) -> None:
        if self.focused is None:
            raise SkipAction()  # nothing to move from yet: Textual's own tab
        self.focus_next()

    def action_previous_field(self) -> None:
        if self.focused is None:
            raise SkipAction()
        self.focus_previous()

    def action_arrow_field(self, step: int) -> None:
        from textual.widgets import Checkbox, Select

        field = self.focused
        if isinstance(field, Select) and field.expanded or not isinstance(field, (Input, Select, Checkbox)):
            raise SkipAction()  # an open list, a table, a button: the arrow is theirs
        self.focus_next() if step > 0 else self.focus_previous()

    def action_enter_field(self) -> None:
        field = self.focused
        if not isinstance(field, Input):
            raise SkipAction()  # a select, a checkbox, a button: their own enter
        self.field_entered(field)
