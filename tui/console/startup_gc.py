"""The garbage collector, paused from the console's first import to its first frame.

Importing Textual and keyprobe's console (~380 modules) and then building and painting the first
frame allocate enough objects to run several collections, full ones over everything imported so far
among them (~12 ms each, measured with gc.callbacks), which the person waits for and which collect
nothing: modules and widgets live as long as the console. `keyprobe` (tui/cli.py) pauses the
collector before it imports the console, the console resumes it once the first frame is on screen
(App.on_ready). Textual's own PAUSE_GC_ON_SCROLL does the same while scrolling.
"""

from __future__ import annotations

import gc

_paused = False


def pause_gc() -> None:
    """Pause the collector if it runs (a caller that turned it off keeps it off)."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume_gc() -> None:
    """Resume the collector if pause_gc paused it."""
    global _paused
    if _paused:
        _paused = False
        gc.enable()
