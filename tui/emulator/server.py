"""The emulator on a real socket: one asyncio event loop in a daemon thread, around `handle`.

One thread serves every connection (an asyncio Protocol each), so slow or idle clients cost a socket,
never a thread; at most MAX_CONNECTIONS are open at once (more are closed on arrival). A client gets
HEADER_TIMEOUT_S to finish a request it started and IDLE_TIMEOUT_S between requests. Heads and bodies
are capped (http1.py). Requests on a connection are answered in order; one that needs time (latency,
jitter, a trickled body) is served by a task while reading pauses. HTTP/1.1 keep-alive with TCP_NODELAY,
Content-Length on every answer, `Connection: close` whenever the server closes, and the Date header
read from the emulator's (skewed) clock, which clients without /system/time use for the offset.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import socket
import struct
import threading
from collections.abc import Callable

from tui.emulator import http1
from tui.emulator.handler import Reply, handle
from tui.emulator.http1 import MAX_BODY_BYTES, MAX_HEAD_BYTES, MAX_HEADERS, HttpError  # noqa: F401 - the caps, for tests and README
from tui.emulator.state import EmulatorState

IDLE_TIMEOUT_S = 30.0
HEADER_TIMEOUT_S = 10.0
MAX_CONNECTIONS = 512
_PLAIN = [("Content-Type", "text/plain; charset=utf-8")]


class Server:
    """Serves `state` on (host, port) until stop(); start() returns once the socket listens."""

    def __init__(self, state: EmulatorState, host: str, port: int) -> None:
        self.state = state
        self.host, self.port = host, port
        self.loop = asyncio.new_event_loop()
        self.connections: set[_Connection] = set()
        self.stopping = False
        self.date = http1.DateHeader()
        # Sees each request and its reply before the reply is written (the pytest plugin's record of what a bot sent).
        self.observer: Callable[[http1.Request, Reply, str], None] | None = None
        self._server: asyncio.base_events.Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Listen (OSError when the port is taken or the address is not ours), then serve in a daemon thread."""
        self._thread = threading.Thread(target=self.loop.run_forever, name="emulator", daemon=True)
        self._thread.start()
        try:
            # Bound from the loop's own thread: start() may be called from inside another running loop.
            self._server = asyncio.run_coroutine_threadsafe(self._listen(), self.loop).result()
        except BaseException:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join()
            self._thread = None
            self.loop.close()
            raise
        self.port = self._server.sockets[0].getsockname()[1]
        self._thread.name = f"emulator:{self.port}"

    async def _listen(self) -> asyncio.base_events.Server:
        server = await self.loop.create_server(lambda: _Connection(self), self.host, self.port, backlog=256, reuse_address=True)
        self.loop.call_soon(self._sweep)
        return server

    def _sweep(self) -> None:
        """Close connections past their deadline (idle, or a request started and not finished). One timer
        for all connections, a few times a second: a timer per request cost more than the request."""
        now = self.loop.time()
        for conn in [c for c in self.connections if c.deadline < now and c.busy is None]:
            conn.abort()
        if not self.stopping:
            self.loop.call_later(min(0.25, HEADER_TIMEOUT_S / 4), self._sweep)

    def stop(self) -> None:
        if self._thread is None:
            return
        future = asyncio.run_coroutine_threadsafe(self._shutdown(), self.loop)
        with contextlib.suppress(Exception):
            future.result(timeout=5)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=5)
        self._thread = None
        with contextlib.suppress(Exception):
            self.loop.close()

    async def _shutdown(self) -> None:
        self.stopping = True
        if self._server is not None:
            self._server.close()
        for conn in list(self.connections):
            conn.abort()
        await asyncio.sleep(0)  # let the aborted tasks see their cancellation

    def is_alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def join(self, timeout: float) -> None:
        if self._thread is not None:
            self._thread.join(timeout)


class _Connection(asyncio.Protocol):
    def __init__(self, server: Server) -> None:
        self.server = server
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None
        self.client_ip = ""
        self.busy: asyncio.Task | None = None  # a request being served slowly
        self.deadline = 0.0  # loop time after which the sweep closes this connection
        self.closed = False

    # -- transport events --------------------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        if len(self.server.connections) >= MAX_CONNECTIONS or self.server.stopping:
            transport.abort()  # bounded: never more than MAX_CONNECTIONS open
            self.closed = True
            return
        self.server.connections.add(self)
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        peer = transport.get_extra_info("peername") or ("",)
        self.client_ip = str(peer[0])
        self._arm(IDLE_TIMEOUT_S)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.server.connections.discard(self)
        if self.busy is not None:
            self.busy.cancel()

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if self.busy is None:
            self._serve_buffered()

    # -- serving -----------------------------------------------------------------------------------------
    def _serve_buffered(self) -> None:
        while not self.closed and self.busy is None:
            if not self.buffer:
                self._arm(IDLE_TIMEOUT_S)
                return
            try:
                request = http1.take_request(self.buffer)
            except HttpError as refused:
                self._send(Reply(refused.status, _PLAIN, refused.sentence.encode() + b"\n"), "GET", closing=True)
                return
            if request is None:
                # A request begun gets HEADER_TIMEOUT_S from its first bytes; an empty buffer, the idle timeout.
                if not self.buffer:
                    self._arm(IDLE_TIMEOUT_S)
                elif self.deadline - self.server.loop.time() > HEADER_TIMEOUT_S:
                    self._arm(HEADER_TIMEOUT_S)
                return
            c = self.server.state.controls
            if c.latency_ms or c.jitter_ms or c.response_extra_ms or c.response_jitter_ms or c.fault == "slow-body":
                self.transport.pause_reading()
                self.busy = self.server.loop.create_task(self._serve_slowly(request))
                return
            self._answer(request, self._reply(request))

    def _reply(self, request: http1.Request) -> Reply:
        path, _, query = request.target.partition("?")
        try:
            reply = handle(self.server.state, request.method, path, query, request.headers, request.body, self.client_ip)
        except Exception as exc:  # a bug here should reach the client as an answer, not a dropped socket
            reply = Reply(500, _PLAIN, f"keyprobe emulator internal error: {type(exc).__name__}: {exc}\n".encode())
        observer = self.server.observer
        if observer is not None:
            with contextlib.suppress(Exception):  # a recorder's bug must not cost the client its answer
                observer(request, reply, self.client_ip)
        return reply

    def _answer(self, request: http1.Request, reply: Reply) -> None:
        if reply.fault == "reset":
            sock = self.transport.get_extra_info("socket")
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close() sends RST
            self.abort()
            return
        self._send(reply, request.method, closing=not request.keep_alive or self.server.stopping)

    async def _serve_slowly(self, request: http1.Request) -> None:
        c = self.server.state.controls
        try:
            await asyncio.sleep((c.latency_ms + _jitter(c.jitter_ms)) / 1000)  # the request's leg
            reply = self._reply(request)
            if reply.fault != "reset":
                await asyncio.sleep((c.latency_ms + c.response_extra_ms + _jitter(c.response_jitter_ms) + _jitter(c.jitter_ms)) / 1000)
            if reply.fault == "slow-body":
                await self._trickle(request, reply)
                return
            self._answer(request, reply)
        except asyncio.CancelledError:
            return
        self.busy = None
        if not self.closed:
            self.transport.resume_reading()
            self._serve_buffered()

    async def _trickle(self, request: http1.Request, reply: Reply) -> None:
        """Headers are out; the body follows in a few chunks with long pauses (a stalled upstream)."""
        c = self.server.state.controls
        date = self.server.date(self.server.state.now_ms())
        self.transport.write(http1.answer_bytes(reply.status, reply.headers, b"", date, True, length=len(reply.body)))
        step = max(1, -(-len(reply.body) // max(1, int(c.slow_body_chunks))))
        for start in range(0, len(reply.body), step):
            await asyncio.sleep(c.slow_body_gap_s)
            if self.closed:
                return
            self.transport.write(reply.body[start : start + step])
        self.transport.close()

    def _send(self, reply: Reply, method: str, closing: bool) -> None:
        date = self.server.date(self.server.state.now_ms())
        self.transport.write(http1.answer_bytes(reply.status, reply.headers, reply.body, date, closing, head_only=method == "HEAD"))
        if closing:
            self.closed = True
            self.transport.close()

    def _arm(self, seconds: float) -> None:
        self.deadline = self.server.loop.time() + seconds

    def abort(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.abort()


def _jitter(ms: float) -> float:
    return random.uniform(0, ms) if ms > 0 else 0.0
