"""A raw HTTP/1.1 test client: send bytes as they are, read answers with httptools (never with the code
under test), and read everything until the server closes."""

from __future__ import annotations

import socket

import httptools


class _Answers:
    def __init__(self, parser_holder: list) -> None:
        self.holder = parser_holder
        self.done: list[tuple[int, bytes]] = []  # (status, body)
        self.body = bytearray()

    def on_message_begin(self) -> None:
        self.body = bytearray()

    def on_body(self, data: bytes) -> None:
        self.body += data

    def on_message_complete(self) -> None:
        self.done.append((self.holder[0].get_status_code(), bytes(self.body)))


def answers(sock: socket.socket, count: int, timeout: float = 30) -> tuple[list[tuple[int, bytes]], bytes]:
    """Read until `count` answers (1xx included) are complete: [(status, body)], and the raw bytes read."""
    sock.settimeout(timeout)  # a hang fails the test instead of stalling the suite
    holder: list = []
    seen = _Answers(holder)
    parser = httptools.HttpResponseParser(seen)
    holder.append(parser)
    raw = b""
    while len(seen.done) < count:
        data = sock.recv(65536)
        if not data:
            break
        raw += data
        try:
            parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            break  # a 101: what follows is another protocol's (the caller reads it from `raw` on)
    return seen.done, raw


def until_closed(sock: socket.socket, timeout: float = 30) -> bytes:
    """Everything the server sends until it closes the connection."""
    sock.settimeout(timeout)
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except ConnectionResetError:
        pass
    return data


def send(port: int, payload: bytes, count: int = 1) -> tuple[list[tuple[int, bytes]], bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(payload)
        return answers(s, count)


def refused(port: int, payload: bytes) -> bytes:
    """Send `payload` and read until the server closes: a refusal is one answer, then the close."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        try:
            s.sendall(payload)
        except OSError:
            pass
        return until_closed(s)


def status_of(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.") else 0
