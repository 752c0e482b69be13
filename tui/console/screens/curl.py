"""The copy-as-curl modal: what was put on the clipboard (OSC 52), shown with the key masked."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static


class CurlScreen(ModalScreen[None]):
    CSS_PATH = "modals.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,enter,q", "dismiss", "Close", id="curl.close", tooltip="Close this window."),
    ]
    HELP = "## Copy as curl\nThe command is on the clipboard (OSC 52). **escape** closes this window."

    def __init__(self, shown: str, title: str) -> None:
        super().__init__()
        self._shown, self._title = shown, title

    def compose(self) -> ComposeResult:
        with Vertical(id="curl-dialog"):
            yield Label(Text(self._title, style="bold"), id="curl-title")
            with VerticalScroll(id="curl-scroll"):
                yield Static(Text(self._shown), id="curl-text")
            yield Label(Text("Copied to the clipboard (OSC 52). The key is masked here only. escape closes.", style="dim"))
