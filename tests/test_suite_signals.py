"""The servers and consoles the suite starts can hear Ctrl-C and a hang-up, however the suite itself was started
(tests/conftest.py): a run in the background of a non-interactive shell inherits SIGINT and SIGHUP ignored, and
six stop-and-hang-up tests then failed after 30 s each, their keyprobe still running."""

from __future__ import annotations

import subprocess
import sys

READ = "import signal; print(signal.getsignal(signal.SIGINT) is signal.SIG_IGN, signal.getsignal(signal.SIGHUP) is signal.SIG_IGN)"


def test_a_child_of_the_suite_does_not_ignore_ctrl_c_or_a_hang_up():
    out = subprocess.run([sys.executable, "-c", READ], capture_output=True, text=True, timeout=60).stdout.split()
    assert out == ["False", "False"]
