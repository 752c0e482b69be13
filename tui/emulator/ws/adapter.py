"""The emulator's WebSocket sessions on a loopback port, served by websockets' asyncio server (phase 1).

A stand-in until the emulator's own HTTP server hands its `101 Switching Protocols` upgrades to the same
sessions: the paths are the emulator's (`/spot/api`, `/spot/user`, `/futures/api`, `/futures/user`, each with
the venue's `?protocol=1.1`), the framing is websockets', the answers are session.py's. One loop thread serves
every link; each link is a reader and a pusher over one WsSession. Bounded: messages over the limit are
refused by websockets itself (close 1009) before they are buffered; no permessage-deflate is negotiated
(the venue compresses its own frames; a client's compressed frame is a protocol error); at most
max_connections links, max_connections_per_ip from one address (94002); a client that stops reading is
dropped after send_timeout_s. The last few hundred messages both ways are kept in `log` (tests read the logins
real clients sent there; the console will show them), and the open sessions in `sessions`.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
import itertools
from collections import Counter, deque
from http import HTTPStatus
from typing import NamedTuple

from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from tui.emulator.state import EmulatorState
from tui.emulator.ws.limits import WsLimits
from tui.emulator.ws.session import Out, WsSession, dialect_of

LOG_KEPT = 512


class Logged(NamedTuple):
    link: int  # which link, numbered from 1
    path: str
    direction: str  # "sent" by the client | "received" by the client (sent by the emulator)
    message: str | bytes  # as the client sent it; the emulator's answers as text (before compression)
    at_ms: int  # the wall clock when it passed, in epoch milliseconds


class _Link(ServerConnection):
    """A websockets connection that notes when any bytes arrived: ping frames keep a link alive too."""

    heard_at = 0.0
    number = 0  # the link's number in the adapter's log
    closing: asyncio.Future | None = None  # the close the emulator started

    def data_received(self, data: bytes) -> None:
        self.heard_at = time.monotonic()
        super().data_received(data)


class WsAdapter:
    """Serves `state`'s WebSocket side on (host, port) until stop(); `base_url` is ws://host:port."""

    def __init__(self, state: EmulatorState, host: str = "127.0.0.1", port: int = 0, limits: WsLimits = WsLimits()) -> None:
        self.state, self.host, self.port, self.limits = state, host, port, limits
        self.loop = asyncio.new_event_loop()
        self.per_ip: Counter[str] = Counter()
        self.log: deque[Logged] = deque(maxlen=LOG_KEPT)
        self.closes: deque[tuple[int, str]] = deque(maxlen=LOG_KEPT)  # (code, reason) of links the server closed
        self.sessions: set[WsSession] = set()
        self._links = itertools.count(1)
        self._closing: set[asyncio.Future] = set()
        self._server = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"ws://{self.host}:{self.port}"

    def start(self) -> WsAdapter:
        self._thread = threading.Thread(target=self.loop.run_forever, name="emulator-ws", daemon=True)
        self._thread.start()
        try:
            self._server = asyncio.run_coroutine_threadsafe(self._listen(), self.loop).result()
        except BaseException:  # a busy port or an address not this machine's: no thread left behind
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join()
            self._thread = None
            self.loop.close()
            raise
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def _listen(self):  # noqa: ANN202 - a websockets Server
        return await serve(self._serve, self.host, self.port, compression=None, process_request=self._admit,
                           max_size=self.limits.max_message_bytes, max_queue=16, ping_interval=None,
                           close_timeout=2, create_connection=_Link, server_header="keyprobe-emulator")

    def stop(self) -> None:
        if self._thread is None:
            return
        async def shut() -> None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 3)
            rest = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in rest:  # nothing left pending for the loop's close to destroy
                task.cancel()
            await asyncio.gather(*rest, return_exceptions=True)
        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(shut(), self.loop).result(timeout=5)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=5)
        self._thread = None
        with contextlib.suppress(Exception):
            self.loop.close()

    def __enter__(self) -> WsAdapter:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- one link -------------------------------------------------------------------------------------------
    def _route(self, path: str):  # noqa: ANN202 - a Dialect or None
        """The dialect a path's stream speaks. /api and /user serve the same session: the venues' public links carry
        no login, but nothing documents a login there refused, and public channels are served on both."""
        market, _, rest = path.lstrip("/").partition("/")
        return dialect_of(self.state.flavour, market) if rest.partition("?")[0] in ("api", "user") else None

    def _admit(self, connection: ServerConnection, request):  # noqa: ANN001, ANN202 - a Response or None
        if self._route(request.path) is None:
            return connection.respond(HTTPStatus.NOT_FOUND, "No such stream: the emulator serves /spot/api, /spot/user, "
                                      "/futures/api and /futures/user (wooxpro: /futures only).\n")
        if sum(self.per_ip.values()) >= self.limits.max_connections:
            return connection.respond(HTTPStatus.SERVICE_UNAVAILABLE, "Too many WebSocket links open.\n")
        return None

    async def _serve(self, ws: _Link) -> None:
        dialect = self._route(ws.request.path)
        ip = str((ws.remote_address or ("",))[0])
        self.per_ip[ip] += 1
        try:
            if self.per_ip[ip] > self.limits.max_connections_per_ip:
                session = WsSession(self.state, dialect, ip, self.limits, time.monotonic())
                await self._send(ws, session.refuse_link(94002, "too many links from this address"))
                await ws.closing  # before the handler returns, or websockets would close with its own 1000
                return
            await self._run(ws, WsSession(self.state, dialect, ip, self.limits, time.monotonic()))
        finally:
            self.per_ip[ip] -= 1
            if self.per_ip[ip] <= 0:
                del self.per_ip[ip]

    async def _run(self, ws: _Link, session: WsSession) -> None:
        wake = asyncio.Event()
        listening: int | None = None
        loop = asyncio.get_running_loop()
        ws.number = next(self._links)
        self.sessions.add(session)
        pusher = asyncio.create_task(self._push(ws, session, wake))
        try:
            async for message in ws:
                self._note(ws, "sent", message)
                if session.closed is not None or not await self._send(ws, _safely(session.receive, message, time.monotonic())):
                    continue  # closing: drain what still arrives until the close handshake ends the loop
                if session.key is not None and listening is None:
                    listening = self.state.events.listen(
                        session.key.name, lambda: loop.call_soon_threadsafe(_account_changed, session, wake))
                wake.set()  # the next wake may be sooner (a first subscription)
        except ConnectionClosed:
            pass
        finally:
            self.sessions.discard(session)
            pusher.cancel()
            if listening is not None:
                self.state.events.forget(listening)
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await pusher

    async def _push(self, ws: _Link, session: WsSession, wake: asyncio.Event) -> None:
        while session.closed is None:
            delay = max(0.0, session.next_wake() - time.monotonic())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), min(delay, 3600))
            wake.clear()
            session.heard(ws.heard_at)
            if not await self._send(ws, _safely(session.tick, time.monotonic())):
                return

    async def _send(self, ws: _Link, outs: list[Out]) -> bool:
        """Send in order; False once the link is closed (by a close Out, the peer, or a reader too slow)."""
        try:
            for out in outs:
                if out.kind == "close":
                    # Not awaited here: the reader keeps draining what the client still sends (websockets stops reading a
                    # link whose queue is full, and would then wait close_timeout for a close frame it cannot read).
                    self.closes.append(out.data)
                    ws.closing = asyncio.ensure_future(ws.close(*out.data))
                    self._closing.add(ws.closing)
                    ws.closing.add_done_callback(self._closing.discard)
                    return False
                self._note(ws, "received", out.text if out.text is not None else out.data)
                await asyncio.wait_for(ws.send(out.data), self.limits.send_timeout_s)
        except (ConnectionClosed, TimeoutError):
            ws.transport.abort()  # a reader that stopped reading: drop it, never wait on it
            return False
        return True


    def _note(self, ws: _Link, direction: str, message: str | bytes) -> None:
        self.log.append(Logged(ws.number, ws.request.path, direction, message, time.time_ns() // 1_000_000))


def _safely(call, *args) -> list[Out]:  # noqa: ANN001
    """A session's answer; a bug in it ends the link with 1011 and a sentence, never a traceback in the emulator."""
    try:
        return call(*args)
    except Exception as exc:  # noqa: BLE001 - what a client sends must never take the server's loop down
        return [Out("close", (1011, f"keyprobe emulator internal error: {type(exc).__name__}"[:120]))]


def _account_changed(session: WsSession, wake: asyncio.Event) -> None:
    session.account_changed()
    wake.set()
