"""The exchanges waiting for the proxy's observer, bounded by the bytes they hold.

The relay never waits for the observer (forensics, history, printing): a bot's call must not slow down
because the last one is still being checked. So a bot that sends large bodies faster than they can be
checked (a retry loop of 1 MiB orders: each body is hashed once per known mistake) builds a backlog, and an
unbounded one grew by ~2 MB a call until the process ran out of memory (fresh-eyes attack on 26ca1db:
200 calls, 670 MB). Past MAX_BYTES, an exchange is still relayed, but not examined: it is counted, and the
next exchange examined says how many were skipped. `stop()` skips what is still waiting, so Ctrl-C does not
wait for a backlog to be checked.
"""

from __future__ import annotations

import queue
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui.proxy.relay import Relayed
    from tui.proxy.ws_capture import LinkCapture

MAX_BYTES = 64 * 1024 * 1024


def weight(relayed: Relayed | LinkCapture) -> int:
    """The bytes an exchange holds: the request as forwarded, its body read out, the answer's kept body; for a
    WebSocket link's login, the messages it kept (at most 64, each capped: tui/proxy/ws_capture.py)."""
    if not hasattr(relayed, "raw_request"):
        return sum(len(m.text or "") for m in relayed.messages)
    kept = relayed.answer.kept if relayed.answer is not None else b""
    return len(relayed.raw_request) + len(relayed.parts[3]) + len(kept)


class Backlog:
    def __init__(self, max_bytes: int | None = None) -> None:
        self.max_bytes = MAX_BYTES if max_bytes is None else max_bytes
        self.bytes = 0  # held by the exchanges waiting
        self.unexamined = 0  # exchanges relayed but never examined, since start
        self._skipped_since = 0  # of those, since the last exchange handed to the observer
        self._stopping = False
        self._queue: queue.Queue[tuple[Relayed | LinkCapture, int] | None] = queue.Queue()
        self._lock = threading.Lock()

    def put(self, relayed: Relayed | LinkCapture) -> bool:
        """Queue `relayed` for the observer (the relay's thread); False when it is skipped instead."""
        size = weight(relayed)
        with self._lock:
            # An exchange alone is always taken (it is at most a few MiB): only a backlog is refused.
            if self._stopping or (self.bytes and self.bytes + size > self.max_bytes):
                self.unexamined += 1
                self._skipped_since += 1
                return False
            self.bytes += size
        self._queue.put((relayed, size))
        return True

    def get(self) -> tuple[Relayed | LinkCapture, int] | None:
        """The next exchange and how many were skipped just before it; None once stopped (the observer's thread)."""
        item = self._queue.get()
        if item is None:
            return None
        relayed, size = item
        with self._lock:
            self.bytes -= size
            skipped, self._skipped_since = self._skipped_since, 0
        return relayed, skipped

    def qsize(self) -> int:
        return self._queue.qsize()

    def stop(self) -> int:
        """Skip what is waiting and let the observer end after the exchange it is on; the number skipped."""
        with self._lock:
            self._stopping = True
        dropped = 0
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is not None:
                dropped += 1
        with self._lock:
            self.unexamined += dropped
            self.bytes = 0
        self._queue.put(None)
        return dropped


def skipped_note(count: int) -> str:
    return (f"{count:,} exchange{'s' if count != 1 else ''} before this one {'were' if count != 1 else 'was'} relayed "
            f"but not examined: the checks had fallen more than {MAX_BYTES / (1024 * 1024):g} MiB of bodies behind the bot.")
