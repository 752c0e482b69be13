"""Small modals the keys screen, the sidebar and the send key share: a yes/no confirmation, the send
gate's question (send once, send and stop asking for this target, or not at all) and a one-line
question (a name for a saved request). Each dismisses with its answer; escape means no."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from tui.output.terminal_safe import shown


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


class SendConfirmScreen(ModalScreen[str | None]):
    """The send gate's question (tui.console.send_gate): "once", "always" (for this target, this
    session) or None. No enter: a send typed ahead of the window must not answer it."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer('once')", "Send", id="send_confirm.once", tooltip="Send it this once."),
        Binding("a", "answer('always')", "Send, stop asking", id="send_confirm.always",
                tooltip="Send it, and send to this target without asking until the key file is locked."),
        Binding("n,escape", "answer(None)", "Don't send", id="send_confirm.no", tooltip="Send nothing."),
    ]
    HELP = ("## Send to a real venue?\n**y** sends this once, **a** sends and stops asking for this profile and host "
            "until the key file is locked, **n** (or **escape**) sends nothing.")

    def __init__(self, question: str, title: str = "Send to a real venue?") -> None:
        super().__init__()
        self._question, self._title = question, title

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-dialog", classes="dialog"):
            yield Label(Text(shown(self._title), style="bold"), classes="dialog-title")
            yield Static(Text(shown(self._question)), id="confirm-question")
            yield Label(Text("y send once · a send, don't ask again for this target · n don't send", style="dim"),
                        classes="dialog-hint")

    def action_answer(self, answer: str | None) -> None:
        self.dismiss(answer)


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


def confirm_send(app: Any, draft: Any, target: Any, go: Callable[[], object], refused: Callable[[str], object]) -> None:
    """Call `go` now, or after the user confirms when the send gate asks (a signed write to a real
    venue); `refused` gets the sentence when the answer is no. "a" trusts the target for the session."""
    from tui.console.send_gate import question

    gate = app.session.gate
    if not gate.asks(draft, target):
        go()
        return

    def answered(answer: str | None) -> None:
        if answer is None:
            refused(f"you said no to {draft.method} {draft.path} on a real venue.")
            return
        if answer == "always":
            gate.trust(target)
        go()

    app.push_screen(SendConfirmScreen(question(draft, target)), callback=answered)
