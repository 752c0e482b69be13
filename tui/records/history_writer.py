"""The history of a long-running process (the proxy), written a batch at a time by a thread of its own.

The proxy recorded each exchange with history.record: a lock, a write, a cap check (and every ~100
exchanges a compaction) per exchange, on its observer thread. HistoryWriter takes the entry and returns;
its thread appends what came in the last FLUSH_S as one batch (tui.records.history.append, the same lock, caps
and compaction as every other writer). benchmarks/proxy_history.py measures the difference.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from tui.records.history import HistoryError, append


class HistoryWriter:
    """The history of a long-running process (the proxy): entries are handed over without waiting and
    appended by a thread of its own, a batch at a time: one lock, one write and one cap check per batch,
    not per exchange. An entry reaches the file at most FLUSH_S after it was handed over (plus the write
    itself), so a process killed outright (SIGKILL) loses at most the entries of its last FLUSH_S; close()
    writes every entry handed over before it returns (a clean exit loses none)."""

    FLUSH_S = 0.2
    MAX_BATCH = 500

    def __init__(self, path: Path | None = None, on_problem: Any = None, flush_s: float = FLUSH_S) -> None:
        self.path = path
        self.on_problem = on_problem  # called (from the writer's thread) with a sentence when a batch could not be written
        self.flush_s = flush_s
        self._pending: list[dict[str, Any]] = []
        self._writing = False
        self._closed = False
        self._flush_now = False
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="history-writer", daemon=True)
        self._thread.start()

    def add(self, entry: dict[str, Any]) -> None:
        with self._changed:
            if self._closed:
                raise HistoryError("The history writer is closed.")
            self._pending.append(entry)
            if len(self._pending) == 1 or len(self._pending) >= self.MAX_BATCH:
                # Wake the writer for the first entry of a batch, or a full one; not for each entry in between
                # (a wake-up per exchange cost the writer's thread more than writing it)
                self._changed.notify_all()

    def flush(self, timeout: float | None = None) -> bool:
        """Write what was handed over now, and wait until it is written; False if `timeout` ran out first."""
        with self._changed:
            self._flush_now = True
            self._changed.notify_all()
            done = self._changed.wait_for(lambda: not self._pending and not self._writing, timeout)
            self._flush_now = False
            return done

    def close(self, timeout: float | None = 30.0) -> None:
        """Write everything handed over, then stop the thread."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()
        self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self._pending or self._closed)
                if not self._pending:
                    return  # closed, and everything written
                # Gather for up to flush_s after the first entry: a burst becomes one append.
                deadline = time.monotonic() + self.flush_s
                while not (self._closed or self._flush_now) and len(self._pending) < self.MAX_BATCH:
                    left = deadline - time.monotonic()
                    if left <= 0 or not self._changed.wait(left):
                        break
                batch, self._pending = self._pending, []
                self._writing = True
            try:
                append(batch, self.path)
            except HistoryError as exc:
                if self.on_problem is not None:
                    self.on_problem(str(exc))
            finally:
                with self._changed:
                    self._writing = False
                    self._changed.notify_all()

