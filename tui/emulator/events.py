"""Who wants to hear that a key's account changed: the WebSocket side's private channels.

The handler calls `changed(key name)` after every successful write a key makes; each listener is a plain
callable, called on the HTTP server's thread, and must only hand the news over (a WebSocket link wakes its
own loop with call_soon_threadsafe). A listener that raises is dropped, never the request.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable


class AccountEvents:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._listeners: dict[int, tuple[str, Callable[[], None]]] = {}
        self._ids = itertools.count(1)
        self._versions: dict[str, int] = {}  # key name -> writes told so far
        # (key name, market) -> (snapshot before, version, account, changes, snapshot after): one key's private diff,
        # computed once for all its links (tui/emulator/ws/session.py). Read and written with the state's lock held.
        self.shared_diffs: dict[tuple[str, str], tuple] = {}

    def listen(self, key_name: str, callback: Callable[[], None]) -> int:
        """Call `callback` whenever `key_name`'s account changes; returns the id `forget` takes."""
        with self._lock:
            token = next(self._ids)
            self._listeners[token] = (key_name, callback)
            return token

    def forget(self, token: int) -> None:
        with self._lock:
            self._listeners.pop(token, None)

    def version(self, key_name: str) -> int:
        """How many writes `key_name` has told: a diff computed at the same version and account is still true."""
        return self._versions.get(key_name, 0)

    def changed(self, key_name: str) -> None:
        with self._lock:
            self._versions[key_name] = self._versions.get(key_name, 0) + 1
            wanted = [(t, cb) for t, (name, cb) in self._listeners.items() if name == key_name]
        for token, callback in wanted:
            try:
                callback()
            except Exception:  # noqa: BLE001 - a listener gone bad (its loop closed) must not fail the request
                self.forget(token)

    def __len__(self) -> int:
        return len(self._listeners)
