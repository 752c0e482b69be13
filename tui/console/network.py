"""The console's network thread: one thread with its own asyncio loop, on which every send, clock
sample, probe and replay of the session runs (through the session's one Wire). Textual-free.

Why a thread of its own: on the UI's loop a 20 MB body competes with every keypress and repaint,
and the timings a send records are then the renderer's as much as the network's. Here the loop
does nothing but the network, so its stamps are the network's. The UI awaits `run(...)`, which
hands the coroutine over and waits without blocking its own loop; cancelling that await (a newer
send replacing an older one) cancels the coroutine on the network loop too.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


class NetworkClosed(Exception):
    """The network thread was stopped (the console is closing)."""


class NetworkThread:
    def __init__(self, name: str = "keyprobe-network") -> None:
        self._name = name
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._closed = False
        self.last: concurrent.futures.Future[Any] | None = None  # the latest work handed over (tests wait on it)

    @property
    def thread(self) -> threading.Thread | None:
        return self._thread

    def _start(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._closed:
                raise NetworkClosed("The console is closing: nothing more is sent.")
            if self._loop is None:
                loop = asyncio.new_event_loop()
                started = threading.Event()

                def serve() -> None:
                    asyncio.set_event_loop(loop)
                    loop.call_soon(started.set)
                    loop.run_forever()

                self._thread = threading.Thread(target=serve, name=self._name, daemon=True)
                self._thread.start()
                started.wait()
                self._loop = loop
            return self._loop

    def submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Schedule `coro` on the network loop (starting the thread the first time)."""
        try:
            loop = self._start()
        except NetworkClosed:
            coro.close()
            raise
        self.last = asyncio.run_coroutine_threadsafe(coro, loop)
        return self.last

    async def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Await `coro` run on the network loop, from another loop (the UI's)."""
        future = self.submit(coro)
        try:
            return await asyncio.wrap_future(future)
        except asyncio.CancelledError:
            future.cancel()  # reaches the task on the network loop
            raise
        finally:
            if self.last is future:
                self.last = None  # the result (a 20 MB body, say) is the caller's now: not kept here too

    def on_network_thread(self) -> bool:
        return threading.current_thread() is self._thread

    def close(self, timeout_s: float = 5.0) -> None:
        """Stop the loop and the thread (close the Wire through run() first). Safe twice."""
        with self._lock:
            self._closed = True
            loop, thread = self._loop, self._thread
            self._loop = None
        if loop is None or thread is None:
            return
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout_s)
        if not thread.is_alive():
            loop.close()
