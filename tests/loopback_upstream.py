"""A real loopback upstream for the proxy's tests: it records every byte each connection sends, exactly as
received (the socket capture that proves what the proxy forwarded), and answers each request it reads.

Requests are delimited with httptools (the test's own reader; the proxy's code plays no part in it). The
answers are scripted: `answer(index, raw_request)` returns the bytes to send for the index-th request on
the whole server (0-based), so a test can make the upstream hostile (1xx first, lying lengths, broken
chunks, bytes past the answer). `None` closes the connection without answering; `(data, "close")` sends
`data`, then closes.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable

import httptools


def ok(index: int, raw: bytes) -> bytes:
    body = b'{"code":1000,"message":"OK","data":{"request":%d}}' % index
    return b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)


class _Messages:
    def __init__(self) -> None:
        self.done = 0

    def on_message_complete(self) -> None:
        self.done += 1


class CaptureUpstream:
    def __init__(self, answer: Callable[[int, bytes], bytes | tuple[bytes, str] | None] = ok) -> None:
        self.answer = answer
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.received: list[bytearray] = []  # one per connection, in the order they were accepted
        self.requests: list[bytes] = []  # each request's raw bytes, in the order they completed
        self.lock = threading.Lock()
        self._conns: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def all_bytes(self) -> bytes:
        with self.lock:
            return b"".join(bytes(r) for r in self.received)

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            with self.lock:
                self._conns.append(conn)
                record = bytearray()
                self.received.append(record)
            threading.Thread(target=self._serve, args=(conn, record), daemon=True).start()

    def _serve(self, conn: socket.socket, record: bytearray) -> None:
        messages = _Messages()
        parser = httptools.HttpRequestParser(messages)
        start = 0
        try:
            while data := conn.recv(65536):
                with self.lock:
                    record += data
                before = messages.done
                parser.feed_data(data)
                for _ in range(messages.done - before):
                    with self.lock:
                        index = len(self.requests)
                        self.requests.append(bytes(record[start:]))  # a test sends one request per read here
                        start = len(record)
                    reply = self.answer(index, self.requests[-1])
                    if reply is None:
                        conn.close()
                        return
                    if isinstance(reply, tuple):
                        conn.sendall(reply[0])
                        conn.close()
                        return
                    conn.sendall(reply)
        except (OSError, httptools.HttpParserError):
            pass

    def close(self) -> None:
        self.server.close()
        with self.lock:
            for conn in self._conns:
                conn.close()
