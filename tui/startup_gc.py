"""The garbage collector, paused while a start-up imports what it will keep: until the console's first frame, or
`send`'s and `inspect`'s first result.

Importing Textual and keyprobe's console (~380 modules) and then building and painting the first
frame allocate enough objects to run several collections, full ones over everything imported so far
among them (~12 ms each, measured with gc.callbacks), which the person waits for and which collect
nothing: modules and widgets live as long as the console. `keyprobe` (tui/cli.py) pauses the
collector before it imports the console, the console resumes it once the first frame is on screen
(App.on_ready). Textual's own PAUSE_GC_ON_SCROLL does the same while scrolling.

`send` and `inspect` import as they go (the HTTP client, asyncio, the catalog, the forensics) and keep it all
until they exit: the collections a send ran (some 70, gen-1 ones over everything imported so far among them)
and the full one at the exit walked ~50,000 objects each time to free a few hundred, ~17 ms of `keyprobe
send`'s CPU (benchmarks/send_cpu.py; ~3 ms of an inspect's). Each pauses the collector when it starts and
resumes it once its first result is out, so the rest of a long input (a HAR of a thousand requests) runs
with it. When the run is the process (tui/cli.py: `whole_process`), what is alive then is first frozen
(gc.freeze): later collections, and the one at the exit, skip it. A caller that runs `main([...])` in its own
process (the tests) is not frozen: its garbage from one call must not outlive it.
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


def resume_gc(freeze: bool = False) -> None:
    """Resume the collector if pause_gc paused it. `freeze`: first move every object alive now (what the start-up
    imported and built) to the collector's permanent generation (gc.freeze), so neither the next collection,
    which would walk everything made during the pause, nor the one at exit walks it again: they collect nothing."""
    global _paused
    if _paused:
        _paused = False
        if freeze:
            gc.freeze()
        gc.enable()
