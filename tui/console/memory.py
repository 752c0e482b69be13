"""Give the memory a dropped response body leaves behind back to the system. Textual-free.

A 20 MB body is read, laid out and dropped by several threads (the network thread, a layout
worker); glibc keeps what they free in per-thread arenas and, once a 20 MB block has been freed,
serves the next ones from its heap instead of fresh mappings, so the process's RSS grew by tens of
MB send after send although nothing held the old bodies (benchmarks/console_keypress.py).
malloc_trim(0) hands the free pages of every arena back. Elsewhere (macOS, musl) it is a no-op.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from collections.abc import Callable

_trim: Callable[[int], int] | None = None
_looked = False


def release_freed_memory() -> None:
    """Return free heap pages to the system (glibc only; ctypes drops the GIL for the call)."""
    global _trim, _looked
    if not _looked:
        _looked = True
        if sys.platform.startswith("linux"):
            try:
                _trim = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
            except (OSError, AttributeError):  # not glibc
                _trim = None
    if _trim is not None:
        _trim(0)
