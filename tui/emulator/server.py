"""The emulator on a real socket: one asyncio event loop in a daemon thread, around `handle`.

One thread serves every connection, so slow or idle clients cost a socket each, never a thread; at most
MAX_CONNECTIONS are open at once (more are closed on arrival), a client gets HEADER_TIMEOUT_S to send its
request head and IDLE_TIMEOUT_S between requests. Request heads over MAX_HEAD_BYTES get 431 and bodies
over MAX_BODY_BYTES get 413, both before any of it is stored (a declared Content-Length is checked, not
allocated). HTTP/1.1 keep-alive with TCP_NODELAY, Content-Length on every answer, `Connection: close`
whenever the server closes, and the Date header read from the emulator's (skewed) clock, which clients
without /system/time use to measure the offset.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import socket
import struct
import threading
from email.utils import formatdate

from tui.emulator.handler import Reply, handle
from tui.emulator.state import EmulatorState

IDLE_TIMEOUT_S = 30  # an idle keep-alive connection is closed after this long
HEADER_TIMEOUT_S = 10  # a request head must arrive whole within this long once started
MAX_CONNECTIONS = 512
MAX_HEAD_BYTES = 64 * 1024  # request line and headers
MAX_HEADERS = 100
MAX_BODY_BYTES = 1024 * 1024
SERVER_NAME = "keyprobe-emulator"


class HttpError(Exception):
    """A request the server refuses before the venue sees it (framing, caps)."""

    def __init__(self, status: int, reason: str, sentence: str) -> None:
        self.status, self.reason, self.sentence = status, reason, sentence


REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 413: "Content Too Large",
           418: "I'm a teapot", 429: "Too Many Requests", 431: "Request Header Fields Too Large", 500: "Internal Server Error",
           502: "Bad Gateway", 503: "Service Unavailable"}


class Server:
    """Serves `state` on (host, port) until stop(); start() returns once the socket listens."""

    def __init__(self, state: EmulatorState, host: str, port: int) -> None:
        self.state = state
        self.host, self.port = host, port
        self.loop = asyncio.new_event_loop()
        self._server: asyncio.base_events.Server | None = None
        self._tasks: set[asyncio.Task] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self._stopping: asyncio.Event | None = None
        self._thread: threading.Thread | None = None
        self._date = (0, "")

    # -- lifecycle ---------------------------------------------------------------------------------------
    def start(self) -> None:
        """Bind and listen (OSError when the port is taken), then serve in a daemon thread."""
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
        self._stopping = asyncio.Event()
        return await asyncio.start_server(self._connection, self.host, self.port, limit=MAX_HEAD_BYTES, backlog=256, reuse_address=True)

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
        assert self._server is not None and self._stopping is not None
        self._stopping.set()
        self._server.close()
        for writer in list(self._writers):
            writer.transport.abort()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def is_alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def join(self, timeout: float) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    # -- one connection ----------------------------------------------------------------------------------
    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if len(self._writers) >= MAX_CONNECTIONS:
            writer.transport.abort()  # bounded: the listener never holds more than MAX_CONNECTIONS
            return
        task = asyncio.current_task()
        self._tasks.add(task)
        self._writers.add(writer)
        sock = writer.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        peer = writer.get_extra_info("peername") or ("", 0)
        try:
            while not self._stopping.is_set():
                if not await self._one(reader, writer, str(peer[0])):
                    break
        except (ConnectionError, asyncio.IncompleteReadError, TimeoutError, OSError):
            pass
        except asyncio.CancelledError:
            pass  # stop(): the connection ends with the server (re-raising would print a traceback)
        finally:
            self._writers.discard(writer)
            self._tasks.discard(task)
            writer.transport.close()

    async def _one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, client_ip: str) -> bool:
        """Serve one request; False when the connection should close."""
        try:
            first = await asyncio.wait_for(reader.read(1), IDLE_TIMEOUT_S)
        except TimeoutError:
            return False
        if not first:
            return False
        try:
            method, target, version, headers = await asyncio.wait_for(self._head(reader, first), HEADER_TIMEOUT_S)
            body = await asyncio.wait_for(self._body(reader, headers), HEADER_TIMEOUT_S)
        except HttpError as refused:
            self._write(writer, Reply(refused.status, [("Content-Type", "text/plain; charset=utf-8")], refused.sentence.encode() + b"\n"),
                        method="GET", closing=True)
            return False
        connection = headers.get("connection", "").lower()
        keep = (version == "HTTP/1.1" and connection != "close") or connection == "keep-alive"
        c = self.state.controls
        await self._pause(c.latency_ms + (random.uniform(0, c.jitter_ms) if c.jitter_ms > 0 else 0.0))  # the request's leg
        path, _, query = target.partition("?")
        try:
            reply = handle(self.state, method, path, query, headers, body, client_ip)
        except Exception as exc:  # a bug here should reach the client as an answer, not a dropped socket
            text = f"keyprobe emulator internal error: {type(exc).__name__}: {exc}\n".encode()
            reply = Reply(500, [("Content-Type", "text/plain")], text)
        if reply.fault == "reset":
            sock = writer.get_extra_info("socket")
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close() sends RST
            writer.transport.abort()
            return False
        jitter = random.uniform(0, c.response_jitter_ms) if c.response_jitter_ms > 0 else 0.0
        await self._pause(c.latency_ms + c.response_extra_ms + jitter + (random.uniform(0, c.jitter_ms) if c.jitter_ms > 0 else 0.0))
        closing = not keep or self._stopping.is_set() or reply.fault == "slow-body"
        if reply.fault == "slow-body":
            self._write(writer, Reply(reply.status, reply.headers, b""), method, closing, length=len(reply.body))
            await self._trickle(writer, reply.body)
        else:
            self._write(writer, reply, method, closing)
        await writer.drain()
        return not closing

    async def _head(self, reader: asyncio.StreamReader, first: bytes) -> tuple[str, str, str, dict[str, str]]:
        try:
            raw = first + await reader.readuntil(b"\r\n\r\n")
        except asyncio.LimitOverrunError:
            raise HttpError(431, "", f"The request head is over the emulator's {MAX_HEAD_BYTES // 1024} KiB cap.") from None
        except asyncio.IncompleteReadError as exc:
            if len(exc.partial) + 1 >= MAX_HEAD_BYTES:
                raise HttpError(431, "", f"The request head is over the emulator's {MAX_HEAD_BYTES // 1024} KiB cap.") from None
            raise
        lines = raw[:-4].split(b"\r\n")
        try:
            method, target, version = lines[0].decode("ascii").split(" ")
        except (UnicodeDecodeError, ValueError):
            raise HttpError(400, "", "The request line is not `METHOD TARGET HTTP/1.x`.") from None
        if len(lines) - 1 > MAX_HEADERS:
            raise HttpError(431, "", f"More than {MAX_HEADERS} request headers.")
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, sep, value = line.partition(b":")
            if not sep or not name or name != name.strip():
                raise HttpError(400, "", "A request header line has no `name: value` form.")
            key = name.decode("latin-1").lower()
            text = value.strip().decode("latin-1")
            headers[key] = f"{headers[key]}, {text}" if key in headers else text
        return method, target, version, headers

    async def _body(self, reader: asyncio.StreamReader, headers: dict[str, str]) -> bytes:
        if "chunked" in headers.get("transfer-encoding", "").lower():
            return await self._chunked(reader)
        raw = headers.get("content-length", "0").strip() or "0"
        if not raw.isdigit() or len(raw) > 19:
            raise HttpError(400, "", "Content-Length is not a number of bytes.")
        length = int(raw)
        if length > MAX_BODY_BYTES:
            # Refused on the declared size: nothing of it is read or allocated.
            raise HttpError(413, "", f"A request body of {length} bytes is over the emulator's {MAX_BODY_BYTES // 1024} KiB cap.")
        return await reader.readexactly(length) if length else b""

    async def _chunked(self, reader: asyncio.StreamReader) -> bytes:
        parts, total = [], 0
        while True:
            line = await reader.readuntil(b"\r\n")
            try:
                size = int(line.split(b";", 1)[0].strip() or b"x", 16)
            except ValueError:
                raise HttpError(400, "", "A chunk size is not hexadecimal.") from None
            if size == 0:
                while await reader.readuntil(b"\r\n") != b"\r\n":
                    pass  # trailers
                return b"".join(parts)
            total += size
            if total > MAX_BODY_BYTES:
                raise HttpError(413, "", f"A chunked request body is over the emulator's {MAX_BODY_BYTES // 1024} KiB cap.")
            parts.append(await reader.readexactly(size))
            await reader.readexactly(2)

    def _date_header(self) -> str:
        second = self.state.now_ms() // 1000
        if self._date[0] != second:
            self._date = (second, formatdate(second, usegmt=True))
        return self._date[1]

    def _write(self, writer: asyncio.StreamWriter, reply: Reply, method: str, closing: bool, length: int | None = None) -> None:
        lines = [f"HTTP/1.1 {reply.status} {REASONS.get(reply.status, 'Unknown')}"]
        if not any(name.lower() == "server" for name, _ in reply.headers):
            lines.append(f"Server: {SERVER_NAME}")
        lines.append(f"Date: {self._date_header()}")
        lines += [f"{name}: {value}" for name, value in reply.headers]
        lines.append(f"Content-Length: {len(reply.body) if length is None else length}")
        if closing:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        writer.write(head if method == "HEAD" else head + reply.body)

    async def _pause(self, ms: float) -> None:
        if ms > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), ms / 1000)

    async def _trickle(self, writer: asyncio.StreamWriter, body: bytes) -> None:
        """Headers are out; the body follows in a few chunks with long pauses (a stalled upstream)."""
        c = self.state.controls
        step = max(1, -(-len(body) // max(1, int(c.slow_body_chunks))))
        for start in range(0, len(body), step):
            await self._pause(c.slow_body_gap_s * 1000)
            if self._stopping.is_set():
                return
            writer.write(body[start : start + step])
            await writer.drain()
