"""The paste box: paste a request your own code sent (curl, raw HTTP, ccxt log, HAR), see what is wrong.

The work (parsing, lint, forensics) runs in a thread worker, which posts the result; only the message
handler touches the widgets. Key material follows inspect's one rule (tui.inspect.batch.key_material): the
console's current key, plus the emulator's demo keys for loopback requests. The work has inspect's total
budget: a huge paste ends in a sentence naming what was not examined.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Label, Static, TextArea


class Inspected(Message):
    def __init__(self, text: Text) -> None:
        super().__init__()
        self.text = text


def key_material(app: Any) -> list[Any]:
    """The console's own key (the demo keys join it for loopback requests, by inspect's rule)."""
    target = getattr(getattr(app, "session", None), "target", None)
    return [target.credentials] if target is not None and target.credentials is not None else []


def inspect_text(raw: str, credentials: list[Any], budget: Any = None) -> Text:
    """The inspect command's human view of `raw`, as one rich Text (or the sentence saying why not), within
    inspect's total budget (`budget`, injectable for tests)."""
    from tui.inspect.batch import inspect_all, unexamined
    from tui.inspect.budget import Budget
    from tui.inspect.detect import read
    from tui.inspect.model import InspectError
    from tui.inspect.render import lines

    budget = budget or Budget()
    try:
        reading = read(raw.encode("utf-8", "surrogateescape"), budget=budget)
    except InspectError as exc:
        return Text(str(exc), style="bold red")
    count = len(reading.requests)
    out = Text(f"Read {count} request{'s' if count != 1 else ''} ({reading.format}).\n\n", style="dim")
    examined = 0
    for inspection in inspect_all(reading, credentials, budget):
        examined += 1
        for line in lines(examined, inspection):
            out.append_text(line)
            out.append("\n")
        out.append("\n")
    stopped = unexamined(reading, examined, budget)
    if stopped:
        out.append(stopped + "\n", style="bold yellow")
    return out


class InspectPasteScreen(ModalScreen[None]):
    CSS_PATH = "inspect.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+j,alt+enter", "run", "Inspect", id="inspect.run", priority=True, tooltip="Inspect what is pasted."),
        Binding("escape", "dismiss", "Close", id="inspect.close", tooltip="Close the paste box."),
    ]
    HELP = ("## Inspect a request\nPaste a request your own code sent: a curl command, raw HTTP (with its response), "
            "ccxt's verbose output, the BitMart SDK's debug log or a HAR file. **ctrl+j** inspects it: lint, the "
            "signature checked with the current key (and the demo keys), the answer decoded. **escape** closes.")

    def compose(self) -> ComposeResult:
        with Vertical(id="inspect-dialog"):
            yield Label(Text("Paste a request your code sent, then ctrl+j", style="bold"), id="inspect-title")
            yield TextArea(id="inspect-input", soft_wrap=True)
            with VerticalScroll(id="inspect-scroll"):
                yield Static(Text("The findings appear here.", style="dim"), id="inspect-result")

    def action_run(self) -> None:
        raw = self.query_one("#inspect-input", TextArea).text
        credentials = key_material(self.app)
        self.query_one("#inspect-result", Static).update(Text("Inspecting…", style="dim"))
        self.run_worker(lambda: self.post_message(Inspected(inspect_text(raw, credentials))), thread=True,
                        exclusive=True, group="inspect")

    @on(Inspected)
    def _on_inspected(self, message: Inspected) -> None:
        self.query_one("#inspect-result", Static).update(message.text)


def open_paste_box(app: Any) -> None:
    app.push_screen(InspectPasteScreen())
