"""The console quits when its terminal goes away, even with no SIGHUP to end it (tui/console/hangup.py):
Textual's input thread read end-of-file in a loop, and the console, its emulator and its threads stayed
alive at 100% CPU with no one to see them."""

from __future__ import annotations

import os
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest
from console_support import DROPPED_ENV, HANG_S

from tui.console.hangup import HANGUP_EXIT

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(not hasattr(select, "poll"), reason="the watcher needs poll()")


def read_until(fd: int, text: bytes, what: str) -> None:
    seen, deadline = b"", time.monotonic() + HANG_S
    while text not in re.sub(rb"\x1b\[[0-9;?]*[A-Za-z]|\s+", b"", seen):
        left = deadline - time.monotonic()
        assert left > 0, f"hang guard: {what} not on screen within {HANG_S} s"
        if select.select([fd], [], [], left)[0]:
            seen += os.read(fd, 65536)


@pytest.mark.parametrize("when", ["before the first frame", "after the first frame"])
def test_the_console_exits_when_its_terminal_hangs_up_without_a_sighup(tmp_path, when):
    master, slave = os.openpty()
    env = {**os.environ, "KEYPROBE_HOME": str(tmp_path), "TERM": "xterm-256color", "COLUMNS": "100", "LINES": "30"}
    for name in DROPPED_ENV:
        env.pop(name, None)
    # A new session with no controlling terminal: closing the pty sends it no SIGHUP.
    app = subprocess.Popen([sys.executable, "-m", "tui"], stdin=slave, stdout=slave, stderr=slave, cwd=ROOT, env=env,
                           start_new_session=True)
    os.close(slave)
    try:
        if when == "after the first frame":
            read_until(master, b"f1Help", "the footer")
        os.close(master)  # the terminal goes away
        master = -1
        assert app.wait(timeout=HANG_S) == HANGUP_EXIT  # a hang here is the bug (TimeoutExpired)
    finally:
        if master >= 0:
            os.close(master)
        if app.poll() is None:
            app.kill()
            app.wait()


def test_sigterm_ends_the_console_and_gives_the_terminal_back():
    """Fresh-eyes attack on 26ca1db: `kill` left the terminal in the alternate screen, mouse reporting on, cursor
    hidden; the console now exits as ctrl+q does, undoing each of them."""
    import signal
    import tempfile

    master, slave = os.openpty()
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "KEYPROBE_HOME": home, "TERM": "xterm-256color", "COLUMNS": "100", "LINES": "30"}
        for name in DROPPED_ENV:
            env.pop(name, None)
        app = subprocess.Popen([sys.executable, "-m", "tui"], stdin=slave, stdout=slave, stderr=slave, cwd=ROOT, env=env,
                               start_new_session=True)
        os.close(slave)
        try:
            read_until(master, b"f1Help", "the footer")
            app.send_signal(signal.SIGTERM)
            tail = b""
            while app.poll() is None or select.select([master], [], [], 0)[0]:
                if select.select([master], [], [], HANG_S)[0]:
                    try:
                        tail += os.read(master, 65536)
                    except OSError:  # the pty's other side is closed once the console is gone
                        break
            assert app.wait(timeout=HANG_S) == 128 + signal.SIGTERM  # an exit of its own, not killed (-15)
            assert b"\x1b[?1049l" in tail and b"\x1b[?1000l" in tail and b"\x1b[?25h" in tail  # screen, mouse, cursor
        finally:
            os.close(master)
            if app.poll() is None:
                app.kill()
                app.wait()
