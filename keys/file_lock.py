"""The key file on disk while it changes: where a save writes, and the lock every read-modify-write holds.

The lock is an exclusive flock on the key file's FOLDER: the file itself is replaced by every atomic save,
so a lock on it would be on the old inode, and a sidecar lock file would be litter. A symlinked key file
is written through to its target, so the link stays a link (a dotfiles repository, a synced folder).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

from keys import private_folder
from keys.profile import VaultError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no advisory lock; the save's merge still applies
    fcntl = None  # type: ignore[assignment]


def write_target(path: Path) -> Path:
    """Where a save writes: through a symlink to its target, so the link is kept, not replaced."""
    return Path(os.path.realpath(path)) if os.path.islink(path) else path


@contextlib.contextmanager
def locked(target: Path) -> Iterator[None]:
    """Hold the exclusive inter-process lock of `target`'s folder for the duration of the block."""
    if fcntl is None:
        yield
        return
    private_folder.make(target.parent)
    try:
        fd = os.open(target.parent, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise VaultError(f"Could not lock the key file {target} ({exc.strerror or exc}); nothing was saved.") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def digest(raw: bytes) -> str:
    """What a save compares to tell "the file is as I read it" from "another process saved"."""
    return hashlib.sha256(raw).hexdigest()
