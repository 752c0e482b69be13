"""Raw HTTP/1.1 request text (as a proxy log or `nc -l` shows it), each optionally followed by its response.

Lines may end in CRLF or LF. A body is Content-Length bytes when the header says so, else everything up
to the next request or status line. The URL is rebuilt from the Host header (https, except loopback).
"""

from __future__ import annotations

import re

from keys.hosts import LOOPBACK_HOSTS
from tui.inspect.budget import UNLIMITED, Budget
from tui.inspect.model import MAX_HEADERS, CapturedRequest, CapturedResponse, InspectError

_HEAD_END = re.compile(rb"\n\r?\n")
REQUEST_LINE = re.compile(rb"^(GET|POST|PUT|DELETE|PATCH|HEAD|OPTIONS) (\S+) HTTP/\d(?:\.\d)?\r?$", re.M)
STATUS_LINE = re.compile(rb"^HTTP/\d(?:\.\d)? (\d{3})(?: [^\r\n]*)?\r?$", re.M)
_STATUS_HERE = re.compile(STATUS_LINE.pattern[1:], re.M)  # a status line where a request's body ended
_BLANK_LINES = re.compile(rb"[\r\n]*")


def looks_like(data: bytes) -> bool:
    return REQUEST_LINE.match(data.lstrip()) is not None


def _head(data: bytes, start: int) -> tuple[list[tuple[str, str]], int, int]:
    """Header lines from `start` up to the blank line: the first MAX_HEADERS of them, where the body starts,
    and how many lines past the cap were not read (the blank line is found by the regex engine, not per line)."""
    if data.startswith((b"\r\n", b"\n"), start):
        return [], start + (2 if data[start:start + 1] == b"\r" else 1), 0
    end = _HEAD_END.search(data, start)
    block, body_at = (data[start:], len(data)) if end is None else (data[start:end.start()], end.end())
    lines = block.split(b"\n", MAX_HEADERS)
    dropped = lines.pop().count(b"\n") + 1 if len(lines) > MAX_HEADERS else 0
    headers: list[tuple[str, str]] = []
    for line in lines:
        name, sep, value = line.rstrip(b"\r").decode("latin-1").partition(":")
        if sep:
            headers.append((name.strip(), value.strip(" \t")))
    return headers, body_at, dropped


def _body(data: bytes, start: int, headers: list[tuple[str, str]]) -> tuple[bytes, int]:
    length = next((v for k, v in headers if k.lower() == "content-length"), None)
    length = (length or "").strip()
    if length.isascii() and length.isdigit() and len(length) <= 18:  # int() refuses '²' and 5000 digits
        n = int(length)
        return data[start:start + n], start + n
    # The body runs to the next request or status line, whichever comes first; a status line is looked for
    # only before the next request, so each request costs its own bytes, not the rest of the input (a 16 MiB
    # log of requests without answers was read at 10 a second: fresh-eyes attack on a78773c).
    request = REQUEST_LINE.search(data, start)
    end = request.start() if request else len(data)
    status = STATUS_LINE.search(data, start, end)
    end = status.start() if status else end
    return data[start:end].rstrip(b"\r\n"), end


def parse(data: bytes) -> list[CapturedRequest]:
    return read(data)[0]


def read(data: bytes, budget: Budget = UNLIMITED) -> tuple[list[CapturedRequest], str | None]:
    """The requests, and what the budget left unread (None: all of it was read)."""
    out: list[CapturedRequest] = []
    pos = 0
    while True:
        m = REQUEST_LINE.search(data, pos)
        if m is None:
            break
        if budget.spent():
            return out, f"the input after byte {m.start():,} of {len(data):,} was not read"
        method, target = m.group(1).decode(), m.group(2).decode("latin-1")
        headers, body_at, dropped = _head(data, m.end() + 1)
        body, pos = _body(data, body_at, headers)
        response = None
        offset = _BLANK_LINES.match(data, pos).end()
        s = _STATUS_HERE.match(data, offset)
        if s is not None:
            r_headers, r_body_at, _ = _head(data, s.end() + 1)
            r_body, pos = _body(data, r_body_at, r_headers)
            response = CapturedResponse(int(s.group(1)), tuple(r_headers), r_body)
        notes = (f"{dropped:,} more header lines were not examined: keyprobe reads the first {MAX_HEADERS:,} (a server "
                 "refuses a head that large with 431).",) if dropped else ()
        out.append(CapturedRequest(method, _url(target, headers), tuple(headers), body, "http",
                                   f"request {len(out) + 1}", response, notes=notes))
    if not out:
        raise InspectError("No HTTP request line (such as `POST /path HTTP/1.1`) was found.")
    return out, None


def _url(target: str, headers: list[tuple[str, str]]) -> str:
    if "://" in target:
        return target
    host = next((v for k, v in headers if k.lower() == "host"), "")
    name = host.rsplit(":", 1)[0].strip("[]") if host.count(":") <= 1 or host.startswith("[") else host
    scheme = "http" if name in LOOPBACK_HOSTS or not host else "https"
    return f"{scheme}://{host or 'unknown-host'}{target}"
