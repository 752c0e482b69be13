"""The user's keymap: KEYPROBE_HOME/keymap.json maps binding ids to keys, e.g.
`{"main.send": "ctrl+s,alt+enter", "app.theme": "f2"}`. Every binding in the console has an id
(app.quit, main.send, body.search, ...: F1 lists them), so any of them can be remapped."""

from __future__ import annotations

from pathlib import Path


def keymap_path() -> Path:
    from tui.paths import home

    return home() / "keymap.json"


def load_keymap(path: Path | None = None) -> tuple[dict[str, str], str | None]:
    """(binding id -> keys, None) or ({}, a sentence saying what is wrong with the file)."""
    path = path or keymap_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}, None
    except OSError as exc:
        return {}, f"Could not read the keymap {path}: {exc.strerror or exc}."
    import json  # only when there is a keymap: the console reads this before its first frame

    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return {}, f"The keymap {path} is not valid JSON ({exc.msg} at line {exc.lineno}); using the default keys."
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        return {}, f'The keymap {path} must be one JSON object of binding id -> keys, like {{"main.send": "ctrl+s"}}.'
    return {k: v.strip() for k, v in data.items() if v.strip()}, None
