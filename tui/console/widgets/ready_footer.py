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

    def compose(self) -> ComposeResult:
        self._shown_keys = self.shown_keys()
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                # Born with its final compactness, each key is styled once: otherwise its watcher adds
                # "-compact" at mount and the footer's data_bind removes it, two restyles per key before
                # the first frame. Textual binds every key but the palette's, which stays compact.
                compact = True if widget.has_class("-command-palette") else self.compact
                widget.set_reactive(FooterKey.compact, compact)
                widget.set_class(compact, "-compact", update=False)
            yield widget

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
