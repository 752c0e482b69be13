"""Quit when the console's terminal goes away, or when it is asked to stop (SIGTERM).

A terminal that closes without sending SIGHUP (the process is not in its foreground group, or the
pseudo-terminal's other side simply closed) leaves Textual's input thread reading end-of-file in a
loop: the console, its emulator and its proxy stayed alive at 100% CPU with no one to see them. A
daemon thread waits, without polling, for the terminal to hang up and asks the app to exit then.
"""

from __future__ import annotations

import os
import select
import stat
import sys
import threading
from typing import Any

HANGUP_EXIT = 129  # 128 + SIGHUP: what a program killed by the hangup would report
TERMINATED_EXIT = 143  # 128 + SIGTERM
_GONE = select.POLLHUP | select.POLLERR | select.POLLNVAL


def watch_hangup(app: Any) -> None:
    """Start the watcher for the terminal on stdin, from the running app (its on_mount). Asked by
    file type, not isatty(): a terminal that already hung up is no longer a tty to isatty()."""
    stdin = sys.__stdin__
    try:
        fd = stdin.fileno() if stdin is not None else -1
        if fd < 0 or not stat.S_ISCHR(os.fstat(fd).st_mode):
            return  # a pipe or a file: nothing hangs up
    except (OSError, ValueError):
        return
    threading.Thread(target=_wait_for_hangup, args=(app, fd), name="keyprobe-hangup", daemon=True).start()


def _wait_for_hangup(app: Any, fd: int) -> None:
    poller = select.poll()
    poller.register(fd, 0)  # no events asked for: hang-up and errors are reported regardless
    while True:
        try:
            events = poller.poll()
        except InterruptedError:
            continue
        if any(mask & _GONE for _, mask in events):
            break
    try:
        app.call_from_thread(app.exit, None, HANGUP_EXIT)
    except RuntimeError:
        pass  # the app has already stopped


def exit_on_sigterm(app: Any) -> None:
    """`kill` (SIGTERM) ends the console as ctrl+q does, from the running app (its on_mount). Killed outright, it
    left the terminal in the alternate screen with mouse reporting on and the cursor hidden (fresh-eyes attack on
    26ca1db): the shell behind it then read every mouse move as typed text."""
    import asyncio
    import signal

    try:
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, lambda: app.exit(None, TERMINATED_EXIT))
    except (NotImplementedError, RuntimeError, ValueError):
        pass  # no signals on this platform's loop, or not the main thread: SIGTERM keeps its default
