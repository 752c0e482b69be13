"""Folders only their owner can write: made so whatever the umask, and the key file's folder checked.

`make(path)` creates each missing folder of `path` with mode 0700, set explicitly after mkdir: mkdir's
mode is filtered by the umask, and `Path.mkdir(parents=True, mode=0o700)` gives only the last folder that
mode, the missing parents 0777 & ~umask (under umask 000, 0777: issue 21, finding 12). Folders that exist
already are left as they are: they are the user's.

`refusal(folder)` says why the key file's folder is not safe to keep keys in, or None. keyprobe refuses
(it does not merely warn), as it refuses a key file other users can read: whoever can write the folder
can delete or rename the key file, and can put a symlink named keys.json there, which the next save would
write through, replacing a file of the victim's choosing with the key file. Folders above it are refused
only when anyone may write them without the sticky bit (/tmp's 1777 keeps others from renaming what is
not theirs); a group-writable home further up is common and is left alone.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

MODE = 0o700


def make(path: Path) -> None:
    """Create `path` and its missing parents, each 0700 whatever the umask; existing folders untouched."""
    missing: list[Path] = []
    folder = Path(path)
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=MODE)
        except FileExistsError:  # made meanwhile by another keyprobe (or another program): not ours to chmod
            continue
        os.chmod(folder, MODE)


def refusal(folder: Path) -> str | None:
    """Why keys must not be kept in `folder` (a sentence with the fix), or None. POSIX only."""
    if os.name != "posix":
        return None
    folder = Path(os.path.abspath(folder))
    try:
        mode = os.stat(folder).st_mode
    except OSError:
        return None  # a folder that is not there yet is made 0700 by make()
    if mode & (stat.S_IWGRP | stat.S_IWOTH):
        return (f"{folder} can be written by other users (mode {stat.S_IMODE(mode):04o}): they could replace or remove "
                f"the key file in it. keyprobe will not keep keys there until you fix that with `chmod 700 {folder}`, "
                "or point KEYPROBE_HOME at a folder of your own.")
    for above in folder.parents:
        try:
            mode = os.stat(above).st_mode
        except OSError:
            continue
        if mode & stat.S_IWOTH and not mode & stat.S_ISVTX:
            return (f"{above}, above the key file's folder, can be written by anyone (mode {stat.S_IMODE(mode):04o}, "
                    f"no sticky bit): they could move the key file's folder away. Fix it with `chmod o-w {above}`, or "
                    "point KEYPROBE_HOME at a folder of your own.")
    return None
