"""Time to first paint: `keyprobe` (the console, no key file, so it opens on the built-in
emulator) against a bare Textual app, alternating, each in its own pseudo-terminal, same run.

First paint is Textual's Ready event: it is posted right after the first frame was composed and
written. Both apps report it the same way: when KEYPROBE_READY_FD is set, on_ready writes "ready"
to that file descriptor (a pipe this script reads). The time is from just before the process is
spawned to the moment the line arrives, so interpreter start and imports are included for both.

Both read their modules' bytecode from one cache, written by a warm-up run of each that is not
counted: that is what an installed program does (pip compiles a wheel's modules at install, and an
editable checkout writes __pycache__ on its first run). Without it, a PYTHONDONTWRITEBYTECODE in
the environment would make keyprobe compile its own modules on every start while Textual's come
precompiled from its wheel (about 12 ms of keyprobe's time in such a shell). The cache lives in a
temporary folder (PYTHONPYCACHEPREFIX), so nothing is written into the checkout or the venv.

    .venv/bin/python benchmarks/startup.py [--rounds 15]

Goal: keyprobe's median <= 1.3 x the bare app's median.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import select
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time

COLUMNS, LINES = 120, 40

BARE_APP = """
import os
from textual.app import App
from textual.widgets import Footer, Header, Static

class Bare(App):
    def compose(self):
        yield Header()
        yield Static("hello")
        yield Footer()

    def on_ready(self):
        fd = os.environ.get("KEYPROBE_READY_FD")
        if fd:
            os.write(int(fd), b"ready\\n")

Bare().run()
"""


def drain(master: int, stop: threading.Event) -> None:
    """Read the terminal output so the app never blocks on a full pty buffer."""
    while not stop.is_set():
        ready, _, _ = select.select([master], [], [], 0.05)
        if ready:
            try:
                if not os.read(master, 65536):
                    return
            except OSError:
                return


def first_paint_ms(argv: list[str], home: str, pycache: str, timeout_s: float = 20.0) -> float:
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
    ready_r, ready_w = os.pipe()
    env = dict(os.environ, KEYPROBE_READY_FD=str(ready_w), KEYPROBE_HOME=home, TERM="xterm-256color", COLORTERM="truecolor",
               COLUMNS=str(COLUMNS), LINES=str(LINES), PYTHONPYCACHEPREFIX=pycache)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # the warm-up run writes both apps' bytecode (see above)
    stop = threading.Event()
    reader = threading.Thread(target=drain, args=(master, stop), daemon=True)
    reader.start()
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, pass_fds=(ready_w,), start_new_session=True)
    os.close(slave)
    os.close(ready_w)
    try:
        ready, _, _ = select.select([ready_r], [], [], timeout_s)
        if not ready or not os.read(ready_r, 64).startswith(b"ready"):
            raise RuntimeError(f"{argv!r} did not paint within {timeout_s} s")
        elapsed = (time.perf_counter() - start) * 1000
        os.write(master, b"\x11")  # ctrl+q: both apps quit on it
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.terminate()
            proc.wait(timeout=5)
        return elapsed
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        stop.set()
        reader.join(timeout=1)
        os.close(master)
        os.close(ready_r)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    keyprobe = [sys.executable, "-m", "tui"]
    bare = [sys.executable, "-c", BARE_APP]
    times: dict[str, list[float]] = {"keyprobe": [], "bare": []}
    with tempfile.TemporaryDirectory() as home, tempfile.TemporaryDirectory() as pycache:
        first_paint_ms(keyprobe, home, pycache)  # warm the disk cache and the bytecode of both, not counted
        first_paint_ms(bare, home, pycache)
        for n in range(args.rounds):
            order = (("keyprobe", keyprobe), ("bare", bare)) if n % 2 == 0 else (("bare", bare), ("keyprobe", keyprobe))
            for name, argv in order:
                times[name].append(first_paint_ms(argv, home, pycache))
    kp, base = statistics.median(times["keyprobe"]), statistics.median(times["bare"])
    print(f"first paint, median of {args.rounds} alternating rounds in a {COLUMNS}x{LINES} pty:")
    print(f"  bare Textual app : {base:7.1f} ms   (min {min(times['bare']):.1f}, max {max(times['bare']):.1f})")
    print(f"  keyprobe console : {kp:7.1f} ms   (min {min(times['keyprobe']):.1f}, max {max(times['keyprobe']):.1f})")
    print(f"  ratio            : {kp / base:7.2f}   (goal <= 1.30)")
    # On a shared machine the medians carry other processes' load; the minima are each app's own cost.
    print(f"  ratio of minima  : {min(times['keyprobe']) / min(times['bare']):7.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
