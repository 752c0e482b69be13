"""A hostile HTTP server on loopback: one misbehaviour per mode, for tests/test_hostile.py.

Raw sockets, not http.server: several modes write what no well-behaved library would (bad numbers in
rate-limit headers, C1 controls in a header, a reset after the headers, a body trickled byte by byte).
Every request it reads is recorded (method, target, headers, body) so a test can check what was sent,
and a trickle stops by itself after STOP_AFTER_S so a broken deadline fails a test instead of hanging it.
"""

from __future__ import annotations

import itertools
import json
import socket
import struct
import threading
import time
import zlib
from functools import cache
from collections.abc import Iterable
from dataclasses import dataclass, field

STOP_AFTER_S = 60.0
OK = b'{"code":1000,"message":"OK","trace":"t","data":{}}'
TIME_OK = b'{"code":1000,"message":"OK","trace":"t","data":{"server_time":%d}}'
OSC52 = "\x1b]52;c;cHduZWQ=\x07"  # "write 'pwned' to the clipboard"
CSI_HIDE = "\x1b[8m"
# Every kind of terminal attack, each followed by a marker: found raw in a terminal's input, it was obeyed.
TERMINAL_ATTACKS = {
    "osc52": "\x1b]52;c;SE9TVElMRQ==\x07OSCMARK",  # write "HOSTILE" to the clipboard
    "alt-screen-exit": "\x1b[?1049lALTMARK",
    "csi": "\x1b[2J\x1b[31mCSIMARK",
    "cr": "\rCRMARK",
    "bel": "\x07BELMARK",
    "c1": "\x9b31mC1MARK",
    "bidi": "\u202eBIDIMARK",
}
TERMINAL_ATTACK = " ".join(TERMINAL_ATTACKS.values())


@dataclass
class Seen:
    method: str
    target: str
    headers: dict[str, str]
    body: bytes


def _deep(levels: int) -> bytes:
    return b"[" * levels + b"]" * levels


def _response(status: str, headers: list[tuple[str, bytes | str]], body: bytes) -> bytes:
    lines = [f"HTTP/1.1 {status}".encode()]
    for name, value in headers + [("Content-Length", str(len(body))), ("Connection", "close")]:
        lines.append(name.encode() + b": " + (value if isinstance(value, bytes) else value.encode("latin-1")))
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def _json(code: int, message: str, data: object = None) -> bytes:
    return json.dumps({"code": code, "message": message, "trace": "t", "data": data or {}}).encode()


# Each answer is bytes, or a callable(sock) that misbehaves on the socket itself.
def answer(mode: str, target: str) -> bytes | object:
    time_path = target.startswith("/system/time")
    now = int(time.time() * 1000)
    if mode == "inf-headers":
        return _response("200 OK", [("X-BM-RateLimit-Remaining", "inf"), ("X-BM-RateLimit-Limit", "1e999"),
                                    ("X-BM-RateLimit-Reset", "-Infinity"), ("X-BM-RateLimit-Mode", "IP")],
                         TIME_OK % now if time_path else OK)
    if mode == "osc52":
        # ESC cannot travel in an HTTP header (h11 refuses it), but the C1 CSI (0x9b) can, as obs-text.
        body = _json(30005, f"bad sign {OSC52}{CSI_HIDE}hidden", {"server_time": now}) if time_path else (
            f"<html>{OSC52}{CSI_HIDE}gateway [bold red]markup[/]\x9b31m</html>".encode())
        return _response("502 Bad Gateway", [("X-Evil", b"\x9b8m C1 CSI"), ("Server", b"nginx\x9d0;title\x9c")], body)
    if mode == "terminal":
        # The JSON envelope's message (the diagnosis shows it decoded), or under /raw a body that is not JSON; a
        # header (C1 and bidi travel as obs-text; h11 refuses ESC there) and the reason phrase.
        body = ("<html>\n" + "\n".join(TERMINAL_ATTACKS.values()) + "\n</html>" if "/raw" in target else
                json.dumps({"code": 99999 if "/public/" in target or time_path else 30005, "message": TERMINAL_ATTACK, "trace": "t",
                            "data": {"server_time": now}}))  # an undocumented code (the probe's calls): its message is shown
        header = "\x9b31mC1MARK \u202eBIDIMARK".encode()
        return (b"HTTP/1.1 401 Unauth \x9b31mC1MARK"
                + b"\r\nContent-Type: application/json\r\nX-Evil: " + header
                + f"\r\nContent-Length: {len(body.encode())}\r\nConnection: close\r\n\r\n".encode() + body.encode())
    if mode == "deep-json":
        return _response("200 OK", [("Content-Type", "application/json")], b'{"code":1000,"data":' + _deep(100_000) + b"}")
    if mode == "not-utf8":
        return _response("200 OK", [("Content-Type", "application/json")], b'{"code":30005,"message":"\xff\xfe\xc3(bad"}')
    if mode == "bad-server-time":
        return _response("200 OK", [("Date", "Tue, 99 Foo 99999 99:99:99 GMT")], b'{"code":1000,"data":{"server_time":1e999}}')
    if mode == "huge-body":
        return _stream_huge
    if mode == "rst-after-headers":
        return _reset_after_headers
    if mode == "trickle":
        return _trickle
    if mode == "close-without-answer":
        return _close
    if mode == "double-gzip":  # a 256 MiB answer gzipped twice: about 1 KB on the wire
        return _response("200 OK", [("Content-Type", "application/json"), ("Content-Encoding", "gzip, gzip")], double_gzip_bomb())
    if mode == "redirect":
        return _response("302 Found", [("Location", "http://203.0.113.9/steal")], b"")
    raise ValueError(f"unknown mode {mode!r}")


HUGE_BYTES = 34 * 1024 * 1024  # past the wire's 32 MiB cap: the answer is kept cut, its real size counted
BOMB_BYTES = 256 * 1024 * 1024


def gzip(data: bytes | Iterable[bytes]) -> bytes:
    z = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    return b"".join([*(z.compress(d) for d in ([data] if isinstance(data, bytes) else data)), z.flush()])


@cache
def double_gzip_bomb() -> bytes:
    """BOMB_BYTES of a JSON envelope's start and spaces, gzipped, then gzipped again."""
    head = b'{"code":1000,"message":"OK","data":"'
    spaces = b" " * (1024 * 1024)
    return gzip(gzip(itertools.chain([head], itertools.repeat(spaces, BOMB_BYTES // len(spaces)))))


def _stream_huge(sock: socket.socket) -> None:
    sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % HUGE_BYTES)
    chunk = b'{"code":1000,"data":"' + b"x" * (1024 * 1024 - 21)
    sent = 0
    while sent < HUGE_BYTES:
        piece = chunk[: HUGE_BYTES - sent]
        sock.sendall(piece)
        sent += len(piece)


def _reset_after_headers(sock: socket.socket) -> None:
    sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n{\"code\":")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close = RST


def _trickle(sock: socket.socket) -> None:
    sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
    end = time.monotonic() + STOP_AFTER_S
    while time.monotonic() < end:
        sock.sendall(b" ")
        time.sleep(0.2)  # the misbehaviour itself (a byte every 0.2 s), not synchronisation


def _close(sock: socket.socket) -> None:
    pass


@dataclass
class HostileServer:
    mode: str
    seen: list[Seen] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.port = self._sock.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._threads: list[threading.Thread] = []
        self._stop = threading.Event()

    def __enter__(self) -> HostileServer:
        accept = threading.Thread(target=self._accept, daemon=True)
        accept.start()
        self._threads.append(accept)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        try:
            self._sock.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept(); close() alone leaves it listening
        except OSError:
            pass
        self._sock.close()
        for t in self._threads:
            t.join(timeout=5)

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            t = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            t.start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            try:
                while True:
                    request = self._read_request(conn)
                    if request is None:
                        return
                    self.seen.append(request)
                    reply = answer(self.mode, request.target)
                    if callable(reply):
                        reply(conn)
                        return
                    conn.sendall(reply)
                    return  # Connection: close
            except OSError:
                return

    @staticmethod
    def _read_request(conn: socket.socket) -> Seen | None:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return None
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, target, _ = lines[0].split(" ", 2)
        headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:] if ":" in line)}
        length = int(headers.get("content-length", "0") or 0)
        while len(body) < length:
            chunk = conn.recv(65536)
            if not chunk:
                break
            body += chunk
        return Seen(method, target, headers, body)
