"""The emulator on a real loopback socket: a stdlib ThreadingHTTPServer around `handle`.

HTTP/1.1 keep-alive with TCP_NODELAY (without it Nagle plus delayed ACK add ~40 ms per request,
ecosystem.md 4.1), Content-Length on every answer, `Connection: close` whenever the server closes,
and the Date header read from the emulator's (skewed) clock, which clients without /system/time
use to measure the offset. The server runs in a daemon thread and stops in well under a second.
"""

from __future__ import annotations

import random
import socket
import socketserver
import struct
import sys
import threading
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from keys.demo import DemoKey
from keys.signing import Credentials
from tui.emulator.handler import Reply, handle
from tui.emulator.state import Controls, EmulatorState
from tui.venues import Venue, emulator_venue

IDLE_TIMEOUT_S = 30  # an idle keep-alive connection is closed after this long


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 256  # 50 clients connecting at once must not overflow the listen backlog

    def __init__(self, address: tuple[str, int], state: EmulatorState) -> None:
        self.state = state
        self.stopping = threading.Event()
        self._open: set[socket.socket] = set()
        self._resets: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind asks DNS for the host's FQDN, which can take seconds on some networks.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    def handle_error(self, request, client_address) -> None:  # type: ignore[override]
        # A client hanging up mid-request is normal here (timeouts, resets); the console must not get
        # tracebacks on its terminal for it. Anything else is a bug and is still printed.
        if isinstance(sys.exc_info()[1], OSError):
            return
        super().handle_error(request, client_address)

    def process_request_thread(self, request, client_address):  # type: ignore[override]
        with self._open_lock:
            self._open.add(request)
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self._open_lock:
                self._open.discard(request)

    def shutdown_request(self, request) -> None:  # type: ignore[override]
        with self._open_lock:
            reset = request in self._resets
            self._resets.discard(request)
        if reset:
            request.close()  # no FIN first: with SO_LINGER 0 the close is a bare RST
            return
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Wake every handler thread blocked on a keep-alive connection, so stop() leaves none serving."""
        with self._open_lock:
            for sock in list(self._open):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server_version = "keyprobe-emulator"
    sys_version = ""
    timeout = IDLE_TIMEOUT_S
    server: _Server

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the stdlib's name
        pass  # the default writes every request to stderr

    def date_time_string(self, timestamp: float | None = None) -> str:
        return formatdate(self.server.state.now_ms() / 1000, usegmt=True)

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = do_GET

    def _pause(self, extra_ms: float = 0.0) -> None:
        c = self.server.state.controls
        ms = c.latency_ms + extra_ms + (random.uniform(0, c.jitter_ms) if c.jitter_ms > 0 else 0.0)
        if ms > 0:
            self.server.stopping.wait(ms / 1000)

    def _read_body(self) -> bytes | None:
        """The request body (Content-Length or chunked); None when the framing is broken."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            parts = []
            while True:
                line = self.rfile.readline(1024)
                try:
                    size = int(line.split(b";", 1)[0].strip() or b"x", 16)
                except ValueError:
                    return None
                if size == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return b"".join(parts)
                parts.append(self.rfile.read(size))
                self.rfile.readline(8)
        raw = self.headers.get("Content-Length") or "0"
        if not raw.strip().isdigit():
            return None
        length = int(raw)
        return self.rfile.read(length) if length > 0 else b""

    def _serve(self) -> None:
        state = self.server.state
        body = self._read_body()
        if body is None:
            self.close_connection = True
            self._write(Reply(400, [("Content-Type", "text/plain")], b"Bad request framing\n"), closing=True)
            return
        self._pause()  # the request's leg
        split = urlsplit(self.path)
        try:
            reply = handle(state, self.command, split.path, split.query, self.headers, body, self.client_address[0])
        except Exception as exc:  # a bug here should reach the client as an answer, not a dropped socket
            text = f"keyprobe emulator internal error: {type(exc).__name__}: {exc}\n".encode()
            reply = Reply(500, [("Content-Type", "text/plain")], text)
        if reply.fault == "reset":
            self._reset()
            return
        c = state.controls
        answer_jitter = random.uniform(0, c.response_jitter_ms) if c.response_jitter_ms > 0 else 0.0
        self._pause(c.response_extra_ms + answer_jitter)  # the answer's leg
        closing = self.close_connection or self.server.stopping.is_set() or reply.fault == "slow-body"
        self._write(reply, closing)

    def _reset(self) -> None:
        """Close with RST and no answer: SO_LINGER 0 turns close() into a reset."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            with self.server._open_lock:
                self.server._resets.add(self.connection)  # shutdown_request skips its FIN for these
        except OSError:
            pass

    def _write(self, reply: Reply, closing: bool) -> None:
        self.send_response_only(reply.status)
        names = {name.lower() for name, _ in reply.headers}
        if "server" not in names:
            self.send_header("Server", self.version_string())
        self.send_header("Date", self.date_time_string())
        for name, value in reply.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body)))
        if closing:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command == "HEAD":
            return
        try:
            if reply.fault == "slow-body":
                self._trickle(reply.body)
            else:
                self.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _trickle(self, body: bytes) -> None:
        """Headers are out; the body follows in a few chunks with long pauses (a stalled upstream)."""
        c = self.server.state.controls
        chunks = max(1, int(c.slow_body_chunks))
        step = max(1, -(-len(body) // chunks))
        for start in range(0, len(body), step):
            if self.server.stopping.wait(c.slow_body_gap_s):
                return
            self.wfile.write(body[start : start + step])


class Emulator:
    """A local venue for demos and end-to-end tests.

    with Emulator(flavour="wooxpro", skew_s=90) as emu:
        httpx.get(emu.base_url + "/system/time")
    """

    def __init__(self, flavour: str = "bitmart", host: str = "127.0.0.1", port: int = 0, skew_s: float = 0, latency_ms: float = 0) -> None:
        self.state = EmulatorState(flavour)
        self.state.controls.skew_s = float(skew_s)
        self.state.controls.latency_ms = float(latency_ms)
        self.host = host
        self._port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------------------
    def start(self) -> Emulator:
        if self._server is not None:
            return self
        self._server = _Server((self.host, self._port), self.state)
        self._port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name=f"emulator:{self._port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.stopping.set()
        server.shutdown()
        server.close_connections()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def wait(self, timeout: float | None = None) -> None:
        """Block until the server stops (or `timeout` passes); Ctrl-C interrupts the wait."""
        thread = self._thread
        if thread is None:
            return
        step = 0.25 if timeout is None else min(0.25, timeout)
        waited = 0.0
        while thread.is_alive() and (timeout is None or waited < timeout):
            thread.join(step)
            waited += step

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._server is not None

    # -- what clients need -------------------------------------------------------------------------------
    @property
    def flavour(self) -> str:
        return self.state.flavour

    @property
    def port(self) -> int:
        return self._port

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self._port}"

    @property
    def controls(self) -> Controls:
        return self.state.controls

    @property
    def keys(self) -> tuple[DemoKey, ...]:
        return self.state.keys

    @property
    def venue(self) -> Venue:
        return emulator_venue(self.base_url, self.state.flavour)

    def demo_credentials(self, state: str = "active") -> Credentials:
        """The credentials of the demo key in `state` (or with that name): active, frozen, expired, ..."""
        return self.state.credentials(state)

    def __repr__(self) -> str:
        where = self.base_url if self.running else "stopped"
        return f"Emulator({self.state.flavour!r}, {where})"
