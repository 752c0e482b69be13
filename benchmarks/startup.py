"""Time to a usable console: `keyprobe` (no key file, so it opens on the built-in emulator) against a
bare Textual app with a Footer, alternating, each in its own pseudo-terminal, same run.

Usable means the footer's keys are on screen, not Textual's Ready event (the footer's keys used to
arrive ~0.7 s after Ready). This script reads what each app writes to its terminal, drops the escape
sequences, and stops the clock when the app's footer keys have been written: keyprobe's first and last
footer keys (`^j Send` ... `f1 Help`), the bare app's two bindings (`f2 Go`, `f3 Quit`), both shown by
a Footer. The time is from just before the process is spawned, so interpreter start and imports count
for both.

Both read their modules' bytecode from one cache, written by a warm-up run of each that is not
counted: that is what an installed program does (pip compiles a wheel's modules at install, and an
editable checkout writes __pycache__ on its first run). The cache lives in a temporary folder
(PYTHONPYCACHEPREFIX), so nothing is written into the checkout or the venv.

    .venv/bin/python benchmarks/startup.py [--rounds 15]

Goal: keyprobe's median <= 1.15 x the bare app's median.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import re
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
from textual.app import App
from textual.widgets import Footer, Header, Static

class Bare(App):
    BINDINGS = [("f2", "bell", "Go"), ("f3", "quit", "Quit")]

    def compose(self):
        yield Header()
        yield Static("hello")
        yield Footer()

Bare().run()
"""

# The first and last key of each footer, as text once the escape sequences are dropped.
FOOTER_KEYS = {"keyprobe": ("Send", "f1 Help"), "bare": ("f2 Go", "f3 Quit")}
_ESCAPES = re.compile(rb"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[()][0-9A-Za-z]|[=>78])")


def footer_shown(raw: bytes, keys: tuple[str, ...]) -> bool:
    """Whether every one of `keys` has been written: text between escape sequences, spaces squeezed."""
    text = re.sub(rb"\s+", b" ", _ESCAPES.sub(b"", raw)).decode("utf-8", "replace")
    return all(key in text for key in keys)


def drain(master: int, stop: threading.Event, keys: tuple[str, ...], shown: dict) -> None:
    """Read the terminal output (so the app never blocks on a full pty buffer) and stamp the moment the
    footer's keys are in it."""
    raw = b""
    while not stop.is_set():
        ready, _, _ = select.select([master], [], [], 0.05)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                return
            if not chunk:
                return
            if "at" not in shown:
                raw += chunk
                if footer_shown(raw, keys):
                    shown["at"] = time.perf_counter()
                    shown["event"].set()


def footer_ms(argv: list[str], keys: tuple[str, ...], home: str, pycache: str, timeout_s: float = 20.0) -> float:
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
    env = dict(os.environ, KEYPROBE_HOME=home, TERM="xterm-256color", COLORTERM="truecolor",
               COLUMNS=str(COLUMNS), LINES=str(LINES), PYTHONPYCACHEPREFIX=pycache)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # the warm-up run writes both apps' bytecode (see above)
    env.pop("KEYPROBE_READY_FD", None)
    stop = threading.Event()
    shown: dict = {"event": threading.Event()}
    reader = threading.Thread(target=drain, args=(master, stop, keys, shown), daemon=True)
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True)
    reader.start()
    os.close(slave)
    try:
        if not shown["event"].wait(timeout_s):
            raise RuntimeError(f"{argv!r}: the footer's keys {keys} were not on screen within {timeout_s} s")
        elapsed = (shown["at"] - start) * 1000
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    keyprobe = [sys.executable, "-m", "tui"]
    bare = [sys.executable, "-c", BARE_APP]
    times: dict[str, list[float]] = {"keyprobe": [], "bare": []}
    with tempfile.TemporaryDirectory() as home, tempfile.TemporaryDirectory() as pycache:
        footer_ms(keyprobe, FOOTER_KEYS["keyprobe"], home, pycache)  # warm the disk cache and both apps' bytecode
        footer_ms(bare, FOOTER_KEYS["bare"], home, pycache)
        for n in range(args.rounds):
            order = (("keyprobe", keyprobe), ("bare", bare)) if n % 2 == 0 else (("bare", bare), ("keyprobe", keyprobe))
            for name, argv in order:
                times[name].append(footer_ms(argv, FOOTER_KEYS[name], home, pycache))
    kp, base = statistics.median(times["keyprobe"]), statistics.median(times["bare"])
    print(f"footer keys on screen, median of {args.rounds} alternating rounds in a {COLUMNS}x{LINES} pty:")
    print(f"  bare app + Footer: {base:7.1f} ms   (min {min(times['bare']):.1f}, max {max(times['bare']):.1f})")
    print(f"  keyprobe console : {kp:7.1f} ms   (min {min(times['keyprobe']):.1f}, max {max(times['keyprobe']):.1f})")
    print(f"  ratio            : {kp / base:7.2f}   (goal <= 1.15)")
    # On a shared machine the medians carry other processes' load; the minima are each app's own cost.
    print(f"  ratio of minima  : {min(times['keyprobe']) / min(times['bare']):7.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
