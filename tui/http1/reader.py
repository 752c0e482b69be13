"""One HTTP/1.1 message at a time, read by llhttp, with the exact offset where it ends.

The proxy forwards the bytes it received, so it must know exactly which of them belong to a message, and
httptools reports events, not offsets. Two parsers read each message: `ahead` gets every read whole; the
`exact` one gets the same reads, but in the read where `ahead` saw the head end, the message end or an error,
it gets that read in pieces cut after line feeds (inside a head, after its empty line). A head, a chunked body
and a message without a body end after a line feed, so the piece in which llhttp reports the end, ends there;
a Content-Length body ends after the body bytes llhttp handed over in that piece. llhttp decides where the
message ends; the cutting only tells us which byte that was. Nothing is parsed here by hand.
"""

from __future__ import annotations

from collections.abc import Callable

import httptools

from tui.http1.rules import Head, Refusal


class _Ahead:
    """The parser that runs ahead: it only says whether something happened in a read."""

    __slots__ = ("event",)

    def __init__(self) -> None:
        self.event = False

    def on_headers_complete(self) -> None:
        self.event = True

    def on_message_complete(self) -> None:
        self.event = True


class MessageReader:
    """Feed it what the socket delivers; `feed` returns how many bytes of that read belong to the message
    once it is complete. A request or a response (`kind`); `head_only` for the answer to a HEAD.
    Caps: the head (max_head bytes, max_headers lines) and, when given, the body (max_body, by the declared
    Content-Length or by the bytes that arrive). `on_body` receives the body as llhttp hands it over
    (dechunked); the raw bytes are the caller's (it knows which reads it fed)."""

    def __init__(self, kind: str, *, max_head: int, max_headers: int, max_body: int | None = None,
                 head_only: bool = False, on_body: Callable[[bytes], None] | None = None) -> None:
        make = httptools.HttpRequestParser if kind == "request" else httptools.HttpResponseParser
        self.kind = kind
        self._ahead_state = _Ahead()
        self._ahead = make(self._ahead_state)
        self._exact = make(self)
        self.max_head, self.max_headers, self.max_body = max_head, max_headers, max_body
        self.head_only = head_only
        self._on_body = on_body
        self.url = b""
        self.headers: list[tuple[str, str]] = []
        self.trailer_lines = 0  # a chunked message's trailer fields: counted, never taken for headers
        self.head: Head | None = None
        self.head_end: int | None = None  # offset of the head's end, counted from the message's first byte
        self.status: int | None = None  # a response's status code
        self.body_size = 0
        self._framing_run = 0  # bytes fed since the last body byte or chunk size line: an extension or trailer in progress
        self._chunks = 0
        self.complete = False
        self.upgrade = False  # llhttp stopped after the head: a protocol switch (or CONNECT) follows
        self.keep_alive = False
        self.fed = 0  # bytes of this message fed so far
        self._piece_body = 0  # body bytes llhttp handed over in the current piece
        self.end: int | None = None  # offset, within the last read, just past the message

    # -- llhttp's callbacks (the exact parser) ----------------------------------------------------------
    # Within one piece llhttp may go on past this message's end into the next one's first line: the
    # callbacks ignore everything after the end, and an error there is the next message's, not this one's.
    def on_url(self, url: bytes) -> None:
        if not self.complete:
            self.url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        if self.complete:
            return
        if self.head is not None:  # a trailer field: no server reads a key or a Host there, so neither does the record
            self.trailer_lines += 1
            if self.trailer_lines > self.max_headers:
                raise Refusal(431, f"more than {self.max_headers} trailer lines")
            return
        if len(self.headers) >= self.max_headers:
            raise Refusal(431, f"more than {self.max_headers} header lines")
        self.headers.append((name.decode("latin-1"), value.decode("latin-1").strip(" \t")))

    def on_headers_complete(self) -> None:
        if self.complete:
            return
        parser = self._exact
        version = parser.get_http_version()
        if self.kind == "request":
            self.head = Head(parser.get_method().decode("latin-1"), self.url.decode("latin-1"), version, self.headers)
        else:
            self.status = parser.get_status_code()
            self.head = Head("", "", version, self.headers)
        self.keep_alive = parser.should_keep_alive()
        if self.max_body is not None:
            for value in self.head.values("content-length"):  # llhttp has checked it is one run of digits
                if int(value) > self.max_body:
                    raise Refusal(413, f"a body of {int(value):,} bytes is over the {self.max_body // 1024} KiB this accepts")

    def on_body(self, data: bytes) -> None:
        if self.complete:
            return
        self.body_size += len(data)
        self._piece_body += len(data)
        if self.max_body is not None and self.body_size > self.max_body:
            raise Refusal(413, f"the body is over the {self.max_body // 1024} KiB this accepts")
        if self._on_body is not None:
            self._on_body(data)

    def on_chunk_header(self) -> None:
        self._chunks += 1

    def on_message_complete(self) -> None:
        if self.complete:
            return
        self.complete = True
        self.keep_alive = self._exact.should_keep_alive()

    # -- feeding --------------------------------------------------------------------------------------------
    def feed(self, data: bytes) -> int | None:
        """Read `data`; the number of its bytes that belong to this message once the message is complete
        (the rest belongs to what follows), else None. Raises Refusal for framing llhttp refuses or a cap."""
        ahead, state = self._ahead, self._ahead_state
        state.event = False
        ahead_error: Exception | None = None
        try:
            ahead.feed_data(data)
        except httptools.HttpParserUpgrade:
            state.event = True
        except Exception as exc:  # noqa: BLE001 - httptools' errors, and a cap raised in a callback
            ahead_error = exc
        if not state.event and ahead_error is None:
            self._feed_piece(data, 0, len(data))  # nothing ends in this read
            self._check_sizes()
            return None
        start = 0
        while start < len(data):
            stop = _next_cut(data, start, in_head=self.head is None)
            if self._feed_piece(data, start, stop):
                return self.end
            start = stop
        if ahead_error is not None:  # the exact parser read the same bytes: it must have failed too
            raise _refusal(ahead_error)
        self._check_sizes()
        return None

    def _check_sizes(self) -> None:
        """The head within max_head; past it, no stretch of chunk framing (an extension, a trailer) over max_head:
        llhttp skips an extension without end and httptools gathers a trailer value by concatenation, out of
        every cap's sight. With a body cap, the framing in all within max_head plus one byte per body byte, too:
        the caller keeps every byte it fed, so an endless `1;aaaa...` grew the proxy by gigabytes."""
        if self.head_end is None:
            if self.fed > self.max_head:
                raise Refusal(431, f"the head is over {self.max_head // 1024} KiB")
            return
        if self._framing_run > self.max_head or (
                self.max_body is not None and self.fed - self.head_end - self.body_size > self.max_head + self.body_size):
            raise Refusal(400, "the chunk framing (sizes, extensions, trailer) is larger than the body it carries")

    def _feed_piece(self, data: bytes, start: int, stop: int) -> bool:
        """Feed data[start:stop] to the exact parser; True once the message is complete (self.end is set)."""
        self._piece_body = 0
        chunks_before = self._chunks
        head_before = self.head is not None
        try:
            self._exact.feed_data(memoryview(data)[start:stop] if start or stop != len(data) else data)
        except httptools.HttpParserUpgrade as up:
            self.fed += up.args[0]
            self.head_end = self.fed
            self.upgrade = self.complete = True
            self.end = start + up.args[0]
            return True
        except Exception as exc:  # noqa: BLE001
            if not self.complete:
                raise _refusal(exc) from None
        self.fed += stop - start
        self._framing_run = 0 if self._piece_body or self._chunks != chunks_before else self._framing_run + stop - start
        if self.head is not None and not head_before:
            self.head_end = self.fed  # llhttp ends a head on the line feed that closes this piece
            if self.head_end > self.max_head:
                raise Refusal(431, f"the head is over {self.max_head // 1024} KiB")
            if self.head_only:  # the answer to a HEAD has no body, whatever its Content-Length says
                self.complete = True
                self.end = stop
                return True
        if not self.complete:
            return False
        if self.head_end == self.fed or not self._piece_body:
            self.end = stop  # ended on this piece's line feed (a head, a chunked body's last line)
        else:
            self.end = start + self._piece_body  # a Content-Length body ends after its last byte
        return True

    @property
    def ends_at_close(self) -> bool:
        """A response whose body runs until the connection closes (no length, not chunked)."""
        return (self.kind == "response" and self.head is not None and not self.complete and not self.head_only
                and not self.head.values("content-length") and not self.head.values("transfer-encoding"))


def _next_cut(data: bytes, start: int, in_head: bool) -> int:
    """Where the piece that begins at `start` ends. In a head: after the next CRLFCRLF, where llhttp (CRLF line
    ends only) can end it; the read's first three bytes one at a time, since the empty line may straddle the
    previous read. Elsewhere: after the next line feed. Fewer pieces mean less Python per message."""
    if in_head:
        if start < 3:
            return start + 1
        found = data.find(b"\r\n\r\n", start - 3)
        return len(data) if found < 0 else found + 4
    found = data.find(b"\n", start)
    return len(data) if found < 0 else found + 1


def _refusal(exc: Exception) -> Refusal:
    """A Refusal for what httptools raised: a cap raised in a callback travels as its context."""
    for candidate in (exc, exc.__context__, exc.__cause__):
        if isinstance(candidate, Refusal):
            return candidate
    return Refusal(400, f"the message's framing is invalid HTTP/1.1 ({exc})")
