"""F1: help for the focused part of the screen (its HELP text, and its ancestors'), then every key
that works here with its binding id (the name to use in KEYPROBE_HOME/keymap.json)."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.markdown import Markdown as RichMarkdown
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Label, Static

from tui.console.screens.styled_once import StyledOnce

GENERAL = """\
## keyprobe
Compose a request on the left; **ctrl+j** (or **alt+enter**) signs and sends it. The answer, its
diagnosis and the evidence appear on the right. **ctrl+p** opens the command palette: every action,
the emulator's switches and the "break it on purpose" entries are there.

- **f2** keys: the key file's profiles (add, edit, remove, use, lock);
- **f3** probe: which layer fails for this key (public, clock, keyed, signed, and the WebSocket login);
- **f12** WebSocket: log in on the venue's stream, subscribe, watch the frames and the diagnosis;
- **ctrl+s** saves the request under a name, **ctrl+b** shows the sidebar of saved requests and
  the history (open, replay, delete);
- **f5** measures the server clock, **f8** signs with it; **f6** / **f7** copy the request as curl;
- **f4** marks the exchange on screen, **f10** compares it with the one shown now;
- {jumps} jump to the request, body editor, signing preview, diagnosis, response body,
  response tabs and sidebar (the footer's "Jump"; the palette's "Jump: …" entries do the same where a
  terminal does not send alt); **tab** moves between fields and leaves the body editor.
"""


def jump_keys(app: Any, active: dict[str, Any]) -> str:
    """The keys the seven jumps are bound to now, in order: `**alt+1** … **alt+7**` by default (a keymap may
    have moved them: then each is named)."""
    from tui.console.widgets.ready_footer import jump_bindings

    keys = [app.get_key_display(binding.with_key(key)) for key, binding in jump_bindings(app.screen_stack[0], active)]
    if not keys:
        return "the palette's *Jump: …* entries"
    if keys == [f"alt+{n}" for n in range(1, len(keys) + 1)]:
        return f"**{keys[0]}** … **{keys[-1]}**"
    return ", ".join(f"**{key}**" for key in keys)


def help_texts(focused: Widget | None) -> list[str]:
    """HELP of the focused widget and of each ancestor that has one, nearest first."""
    texts: list[str] = []
    node: Any = focused
    while node is not None:
        text = getattr(type(node), "HELP", None)
        if text and text not in texts:
            texts.append(text)
        node = node.parent
    return texts


def bindings_rows(app: Any, active: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(keys, description, id) per binding, keys merged, in the order they were found."""
    rows: dict[tuple[str, str], list[str]] = {}
    for key, active_binding in active.items():
        binding: Binding = active_binding.binding
        if not binding.id and not binding.show:
            continue  # a widget's own navigation keys (scrolling, cursor moves): not worth a line
        description = binding.description or binding.tooltip or binding.action
        rows.setdefault((description, binding.id or ""), []).append(app.get_key_display(binding.with_key(key)))
    return [(", ".join(keys), description, binding_id) for (description, binding_id), keys in rows.items()]


class HelpScreen(StyledOnce, ModalScreen[None]):
    CSS_PATH = "modals.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1,q", "dismiss", "Close", id="help.close", tooltip="Close help."),
    ]

    def __init__(self, focused: Widget | None = None, active: dict[str, Any] | None = None) -> None:
        super().__init__()
        self._focused = focused
        self._active = active

    def compose(self) -> ComposeResult:
        general = GENERAL.replace("{jumps}", jump_keys(self.app, self._active_bindings()))
        texts = help_texts(self._focused) or [general]
        if general not in texts:
            texts.append(general)
        with Vertical(id="help-dialog"):
            with VerticalScroll(id="help-scroll"):
                # One Static with Rich's rendering of the Markdown, not Textual's Markdown widget: that
                # mounts a widget per heading, paragraph and bullet, and F1 took ~0.4 s to show them
                # (benchmarks/palette_open.py).
                yield Static(RichMarkdown("\n\n".join(texts)), id="help-text")
                yield Label(Text("Keys here (binding id for KEYPROBE_HOME/keymap.json)", style="bold"), id="help-keys-title")
                yield Static(self._keys_text(), id="help-keys")
            yield Label(Text("escape closes", style="dim"))

    def _active_bindings(self) -> dict[str, Any]:
        return self._active if self._active is not None else self.app.screen_stack[0].active_bindings

    def _keys_text(self) -> Text:
        rows = bindings_rows(self.app, self._active_bindings())
        width = max((len(k) for k, _, _ in rows), default=8) + 2
        text = Text()
        for keys, description, binding_id in rows:
            text.append(keys.ljust(width), style="bold")
            text.append(description.ljust(34))
            text.append(f"{binding_id}\n", style="dim")
        return text
