"""Where keyprobe writes: the user data folder, or KEYPROBE_HOME when set (tests, portable setups)."""

from __future__ import annotations

import os
from pathlib import Path


def home() -> Path:
    override = os.environ.get("KEYPROBE_HOME")
    if override:
        try:
            return Path(override).expanduser()
        except RuntimeError:  # `~nosuchuser/x`: a shell leaves such a word as it is, and so does keyprobe (was a traceback)
            return Path(override)
    import platformdirs  # deferred: only commands that write need it

    return Path(platformdirs.user_data_dir("keyprobe", appauthor=False))


def keyfile_path() -> Path:
    return home() / "keys.json"


def saved_dir() -> Path:
    return home() / "requests"


def history_path() -> Path:
    return home() / "history.jsonl"


def ensure_home() -> Path:
    """Create the folder, private to the user, and return it."""
    from keys import private_folder

    path = home()
    private_folder.make(path)  # 0700 whatever the umask, and so are the missing folders above it
    return path
