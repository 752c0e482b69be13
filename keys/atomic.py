"""Write a file so that a crash at any moment leaves the old content or the new, never half of it.

Used by everything keyprobe keeps on disk: the key file, saved requests, history.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from keys import private_folder


def atomic_write(path: Path, data: bytes | str, mode: int = 0o600) -> None:
    """mkstemp in the same folder (so os.replace is a rename on one filesystem), write, flush, fsync,
    set `mode` before the name appears, os.replace, then fsync the folder so the rename is durable."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    private_folder.make(path.parent)  # 0700 whatever the umask, its missing parents too
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            if hasattr(os, "fchmod"):
                os.fchmod(f.fileno(), mode)
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)  # explicit, whatever the umask (and where fchmod is missing)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_folder(path.parent)


def _fsync_folder(folder: Path) -> None:
    if os.name != "posix":
        return  # Windows cannot open a folder for fsync; the rename is as durable as it gets there
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
