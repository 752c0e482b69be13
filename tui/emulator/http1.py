"""Just enough HTTP/1.1 for the emulator: find one whole request in a buffer, within caps, and write an
answer. Pure functions over bytes; the server feeds them what the socket delivers.

Caps: a request head (line and headers) over MAX_HEAD_BYTES -> 431, more than MAX_HEADERS headers ->
431, a body over MAX_BODY_BYTES -> 413. A Content-Length is judged by its declaration, before a byte
of the body is read or any room is made for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import formatdate

MAX_HEAD_BYTES = 64 * 1024
MAX_HEADERS = 100
MAX_BODY_BYTES = 1024 * 1024
SERVER_NAME = "keyprobe-emulator"
REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 413: "Content Too Large",
           418: "I'm a teapot", 429: "Too Many Requests", 431: "Request Header Fields Too Large", 500: "Internal Server Error",
           502: "Bad Gateway", 503: "Service Unavailable"}


class HttpError(Exception):
    """A request the server refuses before the venue sees it (framing, caps); the connection closes."""

    def __init__(self, status: int, sentence: str) -> None:
        super().__init__(sentence)
        self.status, self.sentence = status, sentence


@dataclass
class Request:
    method: str
    target: str
    headers: dict[str, str]  # lower-cased names; repeated headers joined with ", "
    body: bytes
    keep_alive: bool


def take_request(buffer: bytearray) -> Request | None:
    """Remove one whole request from the front of `buffer` and return it; None while it is incomplete.
    Raises HttpError for a request that breaks the framing or a cap."""
    end = buffer.find(b"\r\n\r\n", 0, MAX_HEAD_BYTES + 4)
    if end < 0:
        if len(buffer) > MAX_HEAD_BYTES:
            raise HttpError(431, f"The request head is over the emulator's {MAX_HEAD_BYTES // 1024} KiB cap.")
        return None
    method, target, version, headers = _head(bytes(buffer[:end]))
    start = end + 4
    if "chunked" in headers.get("transfer-encoding", "").lower():
        found = _chunked(buffer, start)
        if found is None:
            return None
        body, stop = found
    else:
        raw = headers.get("content-length", "0") or "0"
        if not raw.isdigit() or len(raw) > 19:
            raise HttpError(400, "Content-Length is not a number of bytes.")
        length = int(raw)
        if length > MAX_BODY_BYTES:
            raise HttpError(413, f"A request body of {length} bytes is over the emulator's {MAX_BODY_BYTES // 1024} KiB cap.")
        stop = start + length
        if len(buffer) < stop:
            return None
        body = bytes(buffer[start:stop])
    del buffer[:stop]
    connection = headers.get("connection", "").lower()
    keep = connection == "keep-alive" or (version == "HTTP/1.1" and connection != "close")
    return Request(method, target, headers, body, keep)


def _head(raw: bytes) -> tuple[str, str, str, dict[str, str]]:
    lines = raw.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/1.") or not lines[0].isascii():
        raise HttpError(400, "The request line is not `METHOD TARGET HTTP/1.x`.")
    if len(lines) - 1 > MAX_HEADERS:
        raise HttpError(431, f"More than {MAX_HEADERS} request headers.")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if not sep or not name or name != name.strip():
            raise HttpError(400, "A request header line has no `name: value` form.")
        key, text = name.lower(), value.strip()
        headers[key] = f"{headers[key]}, {text}" if key in headers else text
    return parts[0], parts[1], parts[2], headers


def _chunked(buffer: bytearray, start: int) -> tuple[bytes, int] | None:
    """(body, index after the body) when the whole chunked body is in `buffer`, else None."""
    parts, total, at = [], 0, start
    while True:
        eol = buffer.find(b"\r\n", at, at + 1024)
        if eol < 0:
            if len(buffer) - at > 1024:
                raise HttpError(400, "A chunk size line is too long.")
            return None
        try:
            size = int(bytes(buffer[at:eol]).split(b";", 1)[0].strip() or b"x", 16)
        except ValueError:
            raise HttpError(400, "A chunk size is not hexadecimal.") from None
        total += size
        if total > MAX_BODY_BYTES:
            raise HttpError(413, f"A chunked request body is over the emulator's {MAX_BODY_BYTES // 1024} KiB cap.")
        at = eol + 2
        if size == 0:
            trailers = buffer.find(b"\r\n\r\n", at - 2, at + MAX_HEAD_BYTES)
            if trailers < 0:
                return None
            return b"".join(parts), trailers + 4
        if len(buffer) < at + size + 2:
            return None
        parts.append(bytes(buffer[at : at + size]))
        at += size + 2


class DateHeader:
    """The Date header for a clock in ms, formatted once per second."""

    def __init__(self) -> None:
        self._second, self._text = -1, ""

    def __call__(self, now_ms: int) -> str:
        second = now_ms // 1000
        if second != self._second:
            self._second, self._text = second, formatdate(second, usegmt=True)
        return self._text


_STATUS_LINES: dict[int, str] = {}


def answer_bytes(status: int, headers: list[tuple[str, str]], body: bytes, date: str, closing: bool, head_only: bool = False,
                 length: int | None = None) -> bytes:
    line = _STATUS_LINES.get(status)
    if line is None:
        line = _STATUS_LINES[status] = f"HTTP/1.1 {status} {REASONS.get(status, 'Unknown')}\r\n"
    parts = [line]
    if not any(name == "Server" for name, _ in headers):
        parts.append(f"Server: {SERVER_NAME}\r\n")
    parts.append(f"Date: {date}\r\n")
    parts += [f"{name}: {value}\r\n" for name, value in headers]
    parts.append(f"Content-Length: {len(body) if length is None else length}\r\n")
    parts.append("Connection: close\r\n\r\n" if closing else "\r\n")
    head = "".join(parts).encode("latin-1")
    return head if head_only else head + body
