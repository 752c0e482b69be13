"""A Footer whose keys are in the screen's first frame.

Textual's Footer composes empty and fills in its keys only after the screen first publishes its
bindings, then recomposes again on every focus change: the keys reach the terminal a frame (and
whatever work the app queued after its first refresh) later than the rest of the screen, and a
console whose footer is blank cannot be told what to do yet. The screen's and the app's bindings
are known when the footer is composed, so this one shows them at once, and rebuilds its keys only
when the shown keys really change (the focus moving into an input changes nothing shown).

When the keys do not fit (80 columns with the sidebar focused: its four keys come first), whole keys
are left out rather than the last one cut mid-word and quit and help lost past the edge: the
screen's own keys go first, from the end, then the focused part's; the app's (quit, help) stay.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey


JUMP_PREFIX = "main.jump_"  # the main screen's alt+1 … alt+7 (screens/main.py JUMPS)


def jump_bindings(screen: Any, active: dict[str, Any]) -> list[tuple[str, Any]]:
    """(key, binding) of each jump, in the screen's order (request first), whatever key a keymap gave it."""
    order = [getattr(b, "id", None) for b in getattr(type(screen), "BINDINGS", [])]
    found = [(key, ab.binding) for key, ab in active.items() if (ab.binding.id or "").startswith(JUMP_PREFIX)]
    return sorted(found, key=lambda kb: order.index(kb[1].id) if kb[1].id in order else len(order))


class ReadyFooter(Footer):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._bindings_ready = True
        self._shown_keys: tuple[Any, ...] | None = None
        self._widths: dict[tuple[str, str], int] = {}  # (key, description) -> columns it takes, margin included

    def shown_keys(self) -> tuple[Any, ...]:
        """What the footer shows: each shown binding's key, words and whether it is enabled."""
        palette = self.app.COMMAND_PALETTE_BINDING if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE else None
        return tuple(
            (key, binding.key, binding.action, binding.description, enabled, tooltip)
            for key, (_node, binding, enabled, tooltip) in self.screen.active_bindings.items()
            if binding.show or key == palette
        ) + (self.compact,)

    def jump_key(self) -> FooterKey | None:
        """One key for the main screen's seven jumps (they are show=False: seven keys would crowd out the
        rest): `alt+1…7 Jump`, from the keys they are bound to now (a keymap may have moved them)."""
        jumps = jump_bindings(self.screen, self.screen.active_bindings)
        if not jumps:
            return None
        shown = [self.app.get_key_display(binding.with_key(key)) for key, binding in jumps]
        first, last = shown[0], shown[-1]
        same_prefix = first.rpartition("+")[0] == last.rpartition("+")[0] and "+" in first
        display = f"{first}…{last.rpartition('+')[2]}" if same_prefix else f"{first}…{last}"
        return FooterKey(jumps[0][0], display, "Jump", jumps[0][1].action,
                         tooltip="Focus a pane: request, body, preview, diagnosis, response, tabs, sidebar (F1 lists each key).")

    def compose(self) -> ComposeResult:
        self._shown_keys = self.shown_keys()
        jump = self.jump_key()
        for widget in super().compose():
            if jump is not None and isinstance(widget, FooterKey) and widget.has_class("-command-palette"):
                jump.set_reactive(FooterKey.compact, self.compact)
                jump.set_class(self.compact, "-compact", update=False)
                yield jump  # the last of the screen's keys: the first to make way on a narrow terminal
                jump = None
            if isinstance(widget, FooterKey):
                # Born with its final compactness, each key is styled once: otherwise its watcher adds
                # "-compact" at mount and the footer's data_bind removes it, two restyles per key before
                # the first frame. Textual binds every key but the palette's, which stays compact.
                compact = True if widget.has_class("-command-palette") else self.compact
                widget.set_reactive(FooterKey.compact, compact)
                widget.set_class(compact, "-compact", update=False)
            yield widget
        if jump is not None:  # no palette key to put it before
            yield jump

    def bindings_changed(self, screen: Screen[Any]) -> None:
        if self.is_attached and screen is self.screen and self.shown_keys() == self._shown_keys:
            return  # nothing shown would change: no recompose, no extra frame
        super().bindings_changed(screen)

    async def recompose(self) -> None:
        await super().recompose()
        self.call_after_refresh(self.fit)

    def on_resize(self) -> None:
        self.call_after_refresh(self.fit)

    def fit(self) -> None:
        """Leave out whole keys until the rest fits the footer's width (see the module's docstring)."""
        keys = [k for k in self.query(FooterKey) if not k.has_class("-command-palette")]
        palette = [k for k in self.query(FooterKey) if k.has_class("-command-palette") and k.display]
        room = self.size.width - sum(k.outer_size.width for k in palette)
        for key in keys:
            if key.display and key.outer_size.width:  # measured while shown; a hidden key keeps its last width
                self._widths[key.key, key.description] = key.outer_size.width + key.styles.margin.right
            key.display = True
        widths = {key: self._widths.get((key.key, key.description), 0) for key in keys}
        if not keys or sum(widths.values()) <= room:
            return
        owners = {k: node for k, (node, *_rest) in self.screen.active_bindings.items()}
        screen_keys = [k for k in keys if owners.get(k.key) is self.screen]
        others = [k for k in keys if owners.get(k.key) is not self.screen and owners.get(k.key) is not self.app]
        total = sum(widths.values())
        for key in [*reversed(screen_keys), *reversed(others)]:
            if total <= room:
                break
            key.display = False
            total -= widths[key]
