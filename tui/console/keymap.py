"""The user's keymap: KEYPROBE_HOME/keymap.json maps binding ids to keys, e.g.
`{"main.send": "ctrl+s,alt+enter", "app.theme": "f2"}`. Every binding in the console has an id
(app.quit, main.send, body.search, ...: F1 lists them), so any of them can be remapped.

A bad entry is named and keeps its default keys; the others apply. An id no binding has (a typo)
is named too, once the console is up (binding_ids imports every screen: not before the first frame)."""

from __future__ import annotations

from pathlib import Path

MAX_KEYMAP_BYTES = 64 * 1024  # a keymap is a few hundred bytes
SHOWN_NAMES = 5  # bad entries named in the sentence; the rest counted


def keymap_path() -> Path:
    from tui.paths import home

    return home() / "keymap.json"


def load_keymap(path: Path | None = None) -> tuple[dict[str, str], str | None]:
    """(binding id -> keys, None) or (the good entries, a sentence naming the bad ones, or saying what is
    wrong with the whole file)."""
    path = path or keymap_path()
    if not path.exists() and not path.is_symlink():
        return {}, None
    from keys import bounded  # only when there is a keymap: the console reads this before its first frame

    try:
        data = bounded.load_json_file(path, MAX_KEYMAP_BYTES, "keymap")
    except bounded.UnreadableInput as exc:
        return {}, f"The keymap was not read: {exc} Using the default keys."
    if not isinstance(data, dict):
        return {}, f'The keymap {path} must be one JSON object of binding id -> keys, like {{"main.send": "ctrl+s"}}. Using the default keys.'
    good = {k: v.strip() for k, v in data.items() if isinstance(v, str) and v.strip()}
    bad = [k for k, v in data.items() if not isinstance(v, str)]
    if not bad:
        return good, None
    return good, (f"The keymap {path}: {_names(bad)} must map to keys written as a string, like \"ctrl+s\"; "
                  f"{'it keeps' if len(bad) == 1 else 'they keep'} the default keys, the other entries apply.")


def unknown_ids(keymap: dict[str, str], known: frozenset[str], path: Path | None = None) -> str | None:
    """A sentence naming the keymap's ids that no binding has (they change nothing), or None."""
    unknown = sorted(set(keymap) - known)
    if not unknown:
        return None
    return (f"The keymap {path or keymap_path()} names {_names(unknown)}: no binding has "
            f"{'that id' if len(unknown) == 1 else 'those ids'}, so nothing changed for {'it' if len(unknown) == 1 else 'them'} "
            "(F1 lists the ids).")


def binding_ids() -> frozenset[str]:
    """Every binding id of the console's app, screens and widgets (imports them all)."""
    import importlib
    import pkgutil

    from textual.binding import Binding
    from textual.dom import DOMNode

    import tui.console.screens
    import tui.console.widgets

    for package in (tui.console.screens, tui.console.widgets):
        for module in pkgutil.iter_modules(package.__path__):
            importlib.import_module(f"{package.__name__}.{module.name}")
    importlib.import_module("tui.console.app")
    ids: set[str] = set()
    classes: list[type] = [DOMNode]
    while classes:
        cls = classes.pop()
        classes.extend(cls.__subclasses__())
        if cls.__module__.startswith("tui.console"):
            ids.update(b.id for b in cls.__dict__.get("BINDINGS", ()) if isinstance(b, Binding) and b.id)
    return frozenset(ids)


def _names(names: list[str]) -> str:
    from tui.output.terminal_safe import shown

    quoted = ", ".join(repr(shown(n[:60])) for n in names[:SHOWN_NAMES])
    more = f" and {len(names) - SHOWN_NAMES} more" if len(names) > SHOWN_NAMES else ""
    return f"{'entry' if len(names) == 1 else 'entries'} {quoted}{more}"
