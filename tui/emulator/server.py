"""The emulator on a real socket: one asyncio event loop in a daemon thread, around `handle`.

One thread serves every connection (an asyncio Protocol each), so slow or idle clients cost a socket,
never a thread. tui.http1.fairness keeps the table: at most MAX_CONNECTIONS open, MAX_PER_PEER from one
address, and at a cap the connection that has waited longest (idle, or trickling its head or body) is
closed to make room, so a flood of slow clients cannot lock a newcomer out. Deadlines are for a whole
phase: HEADER_TIMEOUT_S for a head from its first byte, BODY_TIMEOUT_S for a body, IDLE_TIMEOUT_S between
requests, SEND_TIMEOUT_S for a client that does not read its answers. Requests are read by llhttp
(http1.RequestStream) and answered in order; one that needs time (latency, jitter, a trickled body) is
served by a task while reading pauses. Keep-alive with TCP_NODELAY, Content-Length on every answer,
`Connection: close` whenever the server closes, the Date header from the emulator's (skewed) clock.

A request asking to switch protocols (a WebSocket handshake) goes to `Server.on_upgrade` when one is set
(see `Handover`); without one it is answered as plain HTTP, as RFC 9110 allows.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import socket
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass

from tui.emulator import http1
from tui.emulator.handler import Reply, handle
from tui.emulator.http1 import MAX_BODY_BYTES, MAX_HEAD_BYTES, MAX_HEADERS, HttpError  # noqa: F401 - the caps, for tests and README
from tui.emulator.state import EmulatorState
from tui.http1.fairness import ConnectionTable, Phase, Tracked
from tui.http1.rules import CONTINUE, Form, Refusal, plain_answer

IDLE_TIMEOUT_S = 30.0
HEADER_TIMEOUT_S = 10.0
BODY_TIMEOUT_S = 30.0
SEND_TIMEOUT_S = 30.0
MAX_CONNECTIONS = 512
MAX_PER_PEER = 512  # on loopback every client is 127.0.0.1: eviction, not this, is what keeps newcomers served
LINGER_S, LINGER_BYTES = 2.0, 4 * 1024 * 1024  # after a refusal, the rest of the request is read and dropped
_PLAIN = [("Content-Type", "text/plain; charset=utf-8")]


@dataclass
class Handover:
    """A request that asked to switch protocols, with its connection, for `Server.on_upgrade`.

    The hook answers it (`101 Switching Protocols`, written on `transport`) and returns the asyncio
    Protocol that takes the connection over: the server then stops reading it as HTTP, forgets it, and gives
    the new protocol `connection_made(transport)` and then `leftover` (bytes the client sent after the head)
    through `data_received`. Returning None declines: the request is answered as plain HTTP.
    Every request before it on the connection has been answered.
    """

    request: http1.Request
    transport: asyncio.Transport
    leftover: bytes
    client_ip: str


class Server:
    """Serves `state` on (host, port) until stop(); start() returns once the socket listens."""

    def __init__(self, state: EmulatorState, host: str, port: int) -> None:
        self.state = state
        self.host, self.port = host, port
        self.loop = asyncio.new_event_loop()
        self.table = ConnectionTable(self.loop.time, max_total=MAX_CONNECTIONS, max_per_peer=MAX_PER_PEER,
                                     idle_s=IDLE_TIMEOUT_S, head_s=HEADER_TIMEOUT_S, body_s=BODY_TIMEOUT_S,
                                     stalled_s=SEND_TIMEOUT_S)
        self.connections = self.table.open
        self.lingering: set[_Connection] = set()  # out of the table, saying a last word (stop() closes them too)
        self.on_upgrade: Callable[[Handover], asyncio.Protocol | None] | None = None
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
        """One timer for all connections, a few times a second: a timer per request cost more than the request."""
        self.table.sweep()
        if not self.stopping:
            self.loop.call_later(min(0.25, HEADER_TIMEOUT_S / 4, LINGER_S / 4), self._sweep)

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
        for conn in [*self.table.open, *self.lingering]:
            conn.abort()
        await asyncio.sleep(0)  # let the aborted tasks see their cancellation

    def is_alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def join(self, timeout: float) -> None:
        if self._thread is not None:
            self._thread.join(timeout)


class _Connection(asyncio.Protocol, Tracked):
    def __init__(self, server: Server) -> None:
        self.server = server
        self.table = server.table
        self.stream = http1.RequestStream()
        self.transport: asyncio.Transport | None = None
        self.peer = self.client_ip = ""
        self.busy: asyncio.Task | None = None  # a request being served slowly
        self.refusal: Refusal | None = None  # answered once the requests before it are
        self.draining = 0  # bytes dropped after a refusal, or 0 while serving
        self.closed = False
        self.continue_sent = False
        self.write_paused = False  # the client is not reading its answers

    # -- transport events --------------------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        peer = transport.get_extra_info("peername") or ("",)
        self.peer = self.client_ip = str(peer[0])
        if self.server.stopping or not self.table.admit(self):
            self.closed = True  # every connection is being answered: no one to make room
            transport.write(plain_answer(503, f"keyprobe emulator: {len(self.table.open)} connections are being answered; retry.\n",
                                         http1.SERVER_NAME))
            transport.close()
            return
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.table.forget(self)
        self.server.lingering.discard(self)
        if self.busy is not None:
            self.busy.cancel()

    def data_received(self, data: bytes) -> None:
        if self.draining:  # a last answer is out: the rest is dropped
            self.draining += len(data)
            if self.draining > LINGER_BYTES:
                self.transport.abort()
            return
        if self.stream.leftover is not None:
            self.stream.leftover += data  # past a switch request's head: kept for whoever takes the connection
        elif self.refusal is None:
            try:
                self.stream.feed(data)
            except Refusal as refused:
                self.refusal = refused
        if self.busy is None:
            self._serve_ready()

    def pause_writing(self) -> None:
        """The client is not reading its answers: read and answer nothing more until it does (SEND_TIMEOUT_S)."""
        self.write_paused = True
        self.transport.pause_reading()
        self.table.enter(self, Phase.STALLED)

    def resume_writing(self) -> None:
        self.write_paused = False
        if self.busy is None and not self.closed:
            self.transport.resume_reading()
            self._serve_ready()

    # -- serving -----------------------------------------------------------------------------------------
    def _serve_ready(self) -> None:
        served = False
        ready = self.stream.ready
        while ready and not self.closed and self.busy is None and not self.write_paused:
            request = ready.popleft()
            served = True
            if request.upgrade and self._hand_over(request):
                return
            c = self.server.state.controls
            if c.latency_ms or c.jitter_ms or c.response_extra_ms or c.response_jitter_ms or c.fault == "slow-body":
                self.transport.pause_reading()
                self.table.enter(self, Phase.BUSY)
                self.busy = self.server.loop.create_task(self._serve_slowly(request))
                return
            self._answer(request, self._reply(request))
        if self.closed or self.busy is not None or self.write_paused:
            return
        if self.refusal is not None:
            self._refuse(self.refusal)
            return
        if self.stream.leftover is not None:  # an upgrade nobody took: read what followed as HTTP again
            self.data_received(self.stream.resume())
            return
        if self.stream.continue_wanted and not self.continue_sent:
            self.continue_sent = True
            self.transport.write(CONTINUE)
        self._enter_phase(force=served)

    def _enter_phase(self, force: bool) -> None:
        """The phase the request stream is in; a phase's deadline starts when the phase does."""
        state = self.stream.state
        phase = Phase.IDLE if state == "idle" else Phase.HEAD if state == "head" else Phase.BODY
        if force or phase is not self.phase:
            self.table.enter(self, phase)
            if phase is Phase.IDLE:
                self.continue_sent = False

    def _hand_over(self, request: http1.Request) -> bool:
        hook = self.server.on_upgrade
        if hook is None:
            return False
        handover = Handover(request, self.transport, self.stream.leftover or b"", self.client_ip)
        protocol = hook(handover)
        if protocol is None:
            return False
        self.closed = True  # no longer ours
        self.table.forget(self)
        self.transport.set_protocol(protocol)
        protocol.connection_made(self.transport)
        if handover.leftover:
            protocol.data_received(handover.leftover)
        return True

    def _reply(self, request: http1.Request) -> Reply:
        if request.form is Form.ASTERISK:  # OPTIONS *: about the server itself
            return Reply(200, [("Allow", "GET, HEAD, POST, DELETE, OPTIONS")], b"")
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
        if not self.closed and not self.write_paused:
            self.transport.resume_reading()
            self._serve_ready()

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

    def _refuse(self, refused: Refusal) -> None:
        sentence = refused.sentence[:1].upper() + refused.sentence[1:]
        sentence = sentence if sentence.endswith(".") else sentence + "."
        self.table.forget(self)
        self._linger(plain_answer(refused.status, sentence + "\n", http1.SERVER_NAME))

    def evict(self, status: int, sentence: str) -> None:
        """The table let this connection go (a deadline, or room for a newcomer); a request it was sending
        gets the reason."""
        if self.phase in (Phase.HEAD, Phase.BODY) and not self.draining and not self.closed:
            self._linger(plain_answer(status, f"keyprobe emulator: {sentence}.\n", http1.SERVER_NAME))
            return
        self.abort()

    def _linger(self, answer: bytes) -> None:
        """Write a last answer, then read and drop what the client still sends for a moment (LINGER_S), so it
        reads the answer: closing with its bytes unread would reset the connection and lose the answer."""
        self.closed = True
        self.transport.write(answer)
        if not self.transport.can_write_eof():
            self.transport.close()
            return
        self.transport.write_eof()
        self.draining = 1
        self.server.lingering.add(self)
        self.transport.resume_reading()
        self.server.loop.call_later(LINGER_S, self.transport.abort)

    def abort(self) -> None:
        self.closed = True
        self.table.forget(self)
        if self.transport is not None:
            self.transport.abort()


def _jitter(ms: float) -> float:
    return random.uniform(0, ms) if ms > 0 else 0.0
