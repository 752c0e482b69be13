"""An app run in a pseudo-terminal of a fixed size, its output read as it comes: what startup.py and
palette_open.py time. Textual-free; the apps are separate processes.

The reader thread stamps each chunk of output with the moment it was read; `wait_for` returns the stamp
of the chunk that completed the awaited text (not the moment the waiting thread noticed), with the
escape sequences dropped and runs of spaces squeezed, so "f1 Help" matches however it was drawn.
"""

from __future__ import annotations

import fcntl
import os
import queue
import re
import select
import struct
import subprocess
import termios
import threading
import time

COLUMNS, LINES = 120, 40
_ESCAPES = re.compile(rb"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[()][0-9A-Za-z]|[=>78])")


def screen_words(raw: bytes) -> str:
    """Output as text: escape sequences dropped, whitespace squeezed to single spaces."""
    return re.sub(rb"\s+", b" ", _ESCAPES.sub(b"", raw)).decode("utf-8", "replace")


class PtySession:
    def __init__(self, argv: list[str], env: dict[str, str], columns: int = COLUMNS, lines: int = LINES,
                 cwd: str | None = None) -> None:
        self.argv, self.columns, self.lines, self.cwd = argv, columns, lines, cwd
        self.env = dict(env, TERM="xterm-256color", COLORTERM="truecolor", COLUMNS=str(columns), LINES=str(lines))
        self._chunks: queue.Queue[tuple[float, bytes, float]] = queue.Queue()
        self._seen = b""  # everything read so far, in order (the waiter's copy)
        self._stop = threading.Event()
        self.proc: subprocess.Popen[bytes] | None = None
        self.started_at = 0.0
        # The app's CPU time (all its threads) when the chunk wait_for returned for was read: a busy
        # machine stretches the wall-clock time, much less the CPU the app spent to get there.
        self.last_cpu_ms = 0.0

    def start(self) -> float:
        """Spawn the app; returns the moment just before the spawn (interpreter start counts)."""
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", self.lines, self.columns, 0, 0))
        self._reader = threading.Thread(target=self._read, daemon=True)
        self.started_at = time.perf_counter()
        self.proc = subprocess.Popen(self.argv, stdin=slave, stdout=slave, stderr=slave, env=self.env, cwd=self.cwd,
                                     start_new_session=True)
        self._reader.start()
        os.close(slave)
        return self.started_at

    def _read(self) -> None:
        # Always draining, so the app never blocks on a full pty buffer.
        while not self._stop.is_set():
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if ready:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:
                    return
                if not chunk:
                    return
                self._chunks.put((time.perf_counter(), chunk, self.cpu_ms()))

    def cpu_ms(self) -> float:
        """CPU time the app's threads have run so far, in ms (Linux: /proc/PID/task/*/schedstat)."""
        total = 0
        try:
            tasks = os.listdir(f"/proc/{self.proc.pid}/task")  # type: ignore[union-attr]
        except OSError:
            return float("nan")
        for task in tasks:
            try:
                with open(f"/proc/{self.proc.pid}/task/{task}/schedstat") as f:  # type: ignore[union-attr]
                    total += int(f.read().split()[0])
            except (OSError, ValueError, IndexError):
                pass  # the thread ended
        return total / 1e6

    def mark(self) -> int:
        """A position in the output: `wait_for(..., since=mark)` looks only at what comes after it."""
        while True:
            try:
                _, chunk, _ = self._chunks.get_nowait()
            except queue.Empty:
                return len(self._seen)
            self._seen += chunk

    def wait_for(self, words: tuple[str, ...], since: int = 0, timeout_s: float = 20.0) -> float:
        """The read-time of the chunk after which every one of `words` has been written since `since`
        (chunks are taken one at a time, so it is the first such chunk even if the waiter was late).
        The output is turned into text piece by piece, up to the last escape character seen (a
        sequence may be split between chunks), so a long frame costs the waiter little CPU: the app
        it measures shares the machine with it. Words may come at different times (a status line
        seconds after the first frame)."""
        deadline = time.perf_counter() + timeout_s
        missing, tail, pending = set(words), "", self._seen[since:]
        reach = max(len(w) for w in words)

        def look() -> None:
            # Each word is looked for in the newest text and the end of the text before it (a word may
            # straddle two pieces); once seen it stays seen.
            text = re.sub(r"\s+", " ", tail + screen_words(pending))
            missing.difference_update([w for w in missing if w in text])

        look()
        if not missing:
            raise RuntimeError(f"{words} were already on screen at the mark: nothing to time")
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                raise RuntimeError(f"{self.argv!r}: {words} not on screen within {timeout_s} s")
            try:
                stamp, chunk, cpu = self._chunks.get(timeout=left)
            except queue.Empty:
                continue
            self._seen += chunk
            pending += chunk
            look()
            if not missing:
                self.last_cpu_ms = cpu
                return stamp
            cut = pending.rfind(b"\x1b")
            if cut > 0:
                tail, pending = (tail + screen_words(pending[:cut]))[-reach:], pending[cut:]

    def quiet(self, gap_s: float = 0.15, timeout_s: float = 10.0) -> None:
        """Read until no output has come for `gap_s` (a view's last chunks drawn, nothing queued), so
        the next key is not handled while the previous one's drawing is still under way."""
        deadline = time.perf_counter() + timeout_s
        while time.perf_counter() < deadline:
            try:
                _, chunk, _ = self._chunks.get(timeout=gap_s)
            except queue.Empty:
                return
            self._seen += chunk

    def send(self, keys: bytes) -> float:
        """Type `keys`; returns the moment just before they were written."""
        at = time.perf_counter()
        os.write(self.master, keys)
        return at

    def close(self) -> None:
        """ctrl+q (both apps quit on it), then make sure the process is gone."""
        try:
            if self.proc is not None and self.proc.poll() is None:
                os.write(self.master, b"\x11")
                try:
                    self.proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.proc.terminate()
                    self.proc.wait(timeout=5)
        finally:
            if self.proc is not None and self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            self._stop.set()
            self._reader.join(timeout=1)
            os.close(self.master)
