"""Two small modals the keys screen and the sidebar share: a yes/no confirmation and a one-line
question (a name for a saved request). Both dismiss with their answer; escape means no."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from tui.terminal_safe import shown


class ConfirmScreen(ModalScreen[bool]):
    """`question` with y / n; dismisses True only on y (or enter)."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y,enter", "answer(True)", "Yes", id="confirm.yes", tooltip="Yes, do it."),
        Binding("n,escape", "answer(False)", "No", id="confirm.no", tooltip="No, leave everything as it is."),
    ]
    HELP = "## Confirm\n**y** (or **enter**) does it, **n** (or **escape**) leaves everything as it is."

    def __init__(self, question: str, title: str = "Confirm") -> None:
        super().__init__()
        self._question, self._title = question, title

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-dialog", classes="dialog"):
            yield Label(Text(shown(self._title), style="bold"), classes="dialog-title")
            yield Static(Text(shown(self._question)), id="confirm-question")  # a path from the history file
            yield Label(Text("y yes · n no", style="dim"), classes="dialog-hint")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class AskScreen(ModalScreen[str | None]):
    """One line of text: enter dismisses with it (stripped), escape with None."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="ask.cancel", tooltip="Close without doing anything."),
    ]
    HELP = "## A question\nType the answer and press **enter**; **escape** cancels."

    def __init__(self, question: str, title: str, value: str = "", placeholder: str = "") -> None:
        super().__init__()
        self._question, self._title, self._value, self._placeholder = question, title, value, placeholder

    def compose(self) -> ComposeResult:
        with Vertical(id="ask-dialog", classes="dialog"):
            yield Label(Text(shown(self._title), style="bold"), classes="dialog-title")
            yield Static(Text(shown(self._question)), id="ask-question")
            yield Input(self._value, placeholder=self._placeholder, id="ask-input")
            yield Label(Text("enter accepts · escape cancels", style="dim"), classes="dialog-hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)
