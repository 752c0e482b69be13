"""The user's keymap: KEYPROBE_HOME/keymap.json maps binding ids to keys, e.g.
`{"main.send": "ctrl+s,alt+enter", "app.theme": "f2"}`. Every binding in the console has an id
(app.quit, main.send, body.search, ...: F1 lists them), so any of them can be remapped."""

from __future__ import annotations

from pathlib import Path

MAX_KEYMAP_BYTES = 64 * 1024  # a keymap is a few hundred bytes


def keymap_path() -> Path:
    from tui.paths import home

    return home() / "keymap.json"


def load_keymap(path: Path | None = None) -> tuple[dict[str, str], str | None]:
    """(binding id -> keys, None) or ({}, a sentence saying what is wrong with the file)."""
    path = path or keymap_path()
    if not path.exists() and not path.is_symlink():
        return {}, None
    from keys import bounded  # only when there is a keymap: the console reads this before its first frame

    try:
        data = bounded.load_json_file(path, MAX_KEYMAP_BYTES, "keymap")
    except bounded.UnreadableInput as exc:
        return {}, f"The keymap was not read: {exc} Using the default keys."
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        return {}, f'The keymap {path} must be one JSON object of binding id -> keys, like {{"main.send": "ctrl+s"}}.'
    return {k: v.strip() for k, v in data.items() if v.strip()}, None
