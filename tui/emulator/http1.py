"""The emulator's side of HTTP/1.1: requests read by httptools (llhttp) off a connection's bytes, within
caps, and answers written.

llhttp decides where each request ends and refuses ambiguous framing; tui.http1.rules adds the RFC rules
on the parsed head (target form, Host, version, codings). Caps: a head over MAX_HEAD_BYTES or with more
than MAX_HEADERS lines -> 431; a body over MAX_BODY_BYTES -> 413, judged from a declared Content-Length
before a byte of the body is read, or from the bytes of a chunked body as they arrive.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from email.utils import formatdate

import httptools

from tui.http1.rules import REASONS, Form, Head, Refusal, check_head, expects_continue, origin_of, target_form

MAX_HEAD_BYTES = 64 * 1024
MAX_HEADERS = 100
MAX_BODY_BYTES = 1024 * 1024
SERVER_NAME = "keyprobe-emulator"
HttpError = Refusal  # the name the server and older tests know


@dataclass
class Request:
    method: str
    target: str  # origin form: an absolute-form target is read as its path and query
    headers: dict[str, str]  # lower-cased names; repeated headers joined with ", "
    body: bytes
    keep_alive: bool
    form: Form = Form.ORIGIN
    upgrade: bool = False  # llhttp stopped after this head: the client asks to switch protocols


class RequestStream:
    """Feed it a connection's bytes; whole requests collect in `ready`, in order. `feed` raises Refusal for
    the first request that breaks the framing, a rule or a cap (the ones before it are in `ready`).
    After a request asking to switch protocols, `leftover` holds the bytes that followed its head, and
    nothing more is parsed until `resume()`."""

    def __init__(self) -> None:
        self.parser = httptools.HttpRequestParser(self)
        self.ready: deque[Request] = deque()
        self.leftover: bytes | None = None
        self.continue_wanted = False  # a head asked for 100 Continue and its body has not all come
        self.head_raw = 0  # bytes of the current head seen so far (a guard against endless whitespace)
        self.state = "idle"  # idle, head, body: where the current request is
        self._begun_now = False
        self._head_now = False  # the current head completed in this read
        self._new_message()

    def _new_message(self) -> None:
        self.url = b""
        self.header_list: list[tuple[str, str]] = []
        self.head_size = 0
        self.body = bytearray()
        self.body_wire = 0  # bytes read while in the body, its chunk framing included
        self.trailer_lines = 0
        self.head: Head | None = None

    # -- llhttp's callbacks ----------------------------------------------------------------------------------
    def on_message_begin(self) -> None:
        self._new_message()
        self.state = "head"
        self._begun_now = True

    def on_url(self, url: bytes) -> None:
        self.url += url
        self._grow(len(url))

    def on_header(self, name: bytes, value: bytes) -> None:
        if self.state == "body":  # a trailer field: the venue reads no key (nor anything else) there
            self.trailer_lines += 1
            if self.trailer_lines > MAX_HEADERS:
                raise Refusal(431, f"More than {MAX_HEADERS} trailer lines.")
            return
        if len(self.header_list) >= MAX_HEADERS:
            raise Refusal(431, f"More than {MAX_HEADERS} request headers.")
        self._grow(len(name) + len(value) + 4)
        self.header_list.append((name.decode("latin-1"), value.decode("latin-1").strip(" \t")))

    def _grow(self, size: int) -> None:
        self.head_size += size
        if self.head_size > MAX_HEAD_BYTES:
            raise Refusal(431, f"The request head is over the emulator's {MAX_HEAD_BYTES // 1024} KiB cap.")

    def on_headers_complete(self) -> None:
        p = self.parser
        head = self.head = Head(p.get_method().decode("latin-1"), self.url.decode("latin-1"), p.get_http_version(), self.header_list)
        check_head(head)
        for value in head.values("content-length"):  # llhttp has checked it is one run of digits
            if int(value) > MAX_BODY_BYTES:
                raise Refusal(413, f"A request body of {int(value)} bytes is over the emulator's {MAX_BODY_BYTES // 1024} KiB cap.")
        self.continue_wanted = expects_continue(head)
        self.state = "body"
        self._head_now = True

    def on_body(self, data: bytes) -> None:
        self.body += data
        if len(self.body) > MAX_BODY_BYTES:
            raise Refusal(413, f"A request body is over the emulator's {MAX_BODY_BYTES // 1024} KiB cap.")

    def on_message_complete(self) -> None:
        head = self.head
        form = target_form(head.method, head.target)
        if form is Form.AUTHORITY:
            raise Refusal(405, "The emulator is a venue, not a proxy: CONNECT is not served.")
        target = origin_of(head.target) if form is Form.ABSOLUTE else head.target
        headers: dict[str, str] = {}
        for name, value in head.headers:
            key = name.lower()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        self.ready.append(Request(head.method, target, headers, bytes(self.body), self.parser.should_keep_alive(), form,
                                  self.parser.should_upgrade()))
        self.continue_wanted = False
        self.state = "idle"

    # -- feeding ------------------------------------------------------------------------------------------
    def feed(self, data: bytes) -> None:
        self._begun_now = self._head_now = False
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade as up:  # the request is in `ready`; what follows is not HTTP to us
            self.leftover = data[up.args[0]:]
            return
        except httptools.HttpParserError as exc:
            cause = exc.__context__
            if isinstance(cause, Refusal):
                raise cause from None
            raise Refusal(400, f"The request is not valid HTTP/1.1 ({exc}).") from None
        if self.state == "head":  # llhttp skips runs of whitespace without a callback: count the bytes too
            self.head_raw = 0 if self._begun_now else self.head_raw + len(data)
            if self.head_raw > MAX_HEAD_BYTES:
                raise Refusal(431, f"The request head is over the emulator's {MAX_HEAD_BYTES // 1024} KiB cap.")
        elif self.state == "body" and not self._head_now:
            # llhttp passes an extension or a trailer value without end to no cap, and httptools gathers a
            # trailer value by concatenation: one client held the loop and hundreds of MB (fresh-eyes attack).
            self.body_wire += len(data)
            if self.body_wire - len(self.body) > MAX_HEAD_BYTES + len(self.body):
                raise Refusal(400, "The request's chunk framing (sizes, extensions, trailer) is larger than the body it carries.")

    def resume(self) -> bytes:
        """Parse HTTP again after a request asking for an upgrade was answered as plain HTTP; the bytes that
        followed its head, to feed again."""
        leftover, self.leftover = self.leftover or b"", None
        self.parser = httptools.HttpRequestParser(self)
        self._new_message()
        self.state = "idle"
        return leftover


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
