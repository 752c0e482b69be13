"""The console's WebSocket session: `keyprobe ws`'s session (tui.ws.client.run_session) run on the console's
network thread and held open, its frames streaming, until stop(). Textual-free.

The network thread calls the callbacks; the screen's callbacks only post messages. Frames are many (a venue
pushes every second, a hostile one floods), so they are not one message each: they collect in a bounded deque
and one "frames arrived" notice is posted until the screen has taken them (`take`), so the UI's queue holds at
most one notice whatever the rate.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from tui.console.network import NetworkClosed, NetworkThread

KEEP_FRAMES = 500  # frames waiting for the screen, and shown by it: older ones scroll away


class LiveSession:
    def __init__(self, network: NetworkThread, plan: Any, *, on_step: Callable[[Any], None],
                 on_ready: Callable[[Any], None], on_frames: Callable[[], None], on_done: Callable[[Any], None],
                 on_failed: Callable[[str], None]) -> None:
        self.network, self.plan = network, plan
        self.on_step, self.on_ready, self.on_frames, self.on_done, self.on_failed = on_step, on_ready, on_frames, on_done, on_failed
        self._frames: deque[Any] = deque(maxlen=KEEP_FRAMES)
        self._lock = threading.Lock()
        self._notified = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._hold: asyncio.Event | None = None
        self._stopped = False
        self.future: Future[Any] | None = None
        self.dropped = 0  # frames that scrolled out before the screen took them

    def start(self) -> None:
        try:
            self.future = self.network.submit(self._run())
        except NetworkClosed as exc:
            self.on_failed(str(exc))

    async def _run(self) -> None:
        from tui.ws.client import run_session

        self._loop, self._hold = asyncio.get_running_loop(), asyncio.Event()
        if self._stopped:
            self._hold.set()
        try:
            report = await run_session(self.plan, self.on_step, on_frame=self._frame, on_ready=self.on_ready, hold=self._hold)
        except Exception as exc:  # noqa: BLE001 - a session never takes the console down: a sentence
            self.on_failed(f"The WebSocket session stopped unexpectedly: {type(exc).__name__}: {exc}")
            return
        self.on_done(report)

    def _frame(self, frame: Any) -> None:  # on the network thread
        with self._lock:
            if len(self._frames) == self._frames.maxlen:
                self.dropped += 1
            self._frames.append(frame)
            if self._notified:
                return
            self._notified = True
        self.on_frames()

    def take(self) -> list[Any]:
        """The frames that arrived since the last take (the UI thread)."""
        with self._lock:
            frames = list(self._frames)
            self._frames.clear()
            self._notified = False
        return frames

    def stop(self) -> None:
        """Close the links (the session then ends and reports); safe from any thread, and twice."""
        self._stopped = True
        loop, hold = self._loop, self._hold
        if loop is not None and hold is not None and not loop.is_closed():
            loop.call_soon_threadsafe(hold.set)
