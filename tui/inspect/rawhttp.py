"""Raw HTTP/1.1 request text (as a proxy log or `nc -l` shows it), each optionally followed by its response.

Lines may end in CRLF or LF. A body is Content-Length bytes when the header says so, else everything up
to the next request or status line. The URL is rebuilt from the Host header (https, except loopback).
"""

from __future__ import annotations

import re

from tui.inspect.model import CapturedRequest, CapturedResponse, InspectError
from tui.venues import LOOPBACK_HOSTS

REQUEST_LINE = re.compile(rb"^(GET|POST|PUT|DELETE|PATCH|HEAD|OPTIONS) (\S+) HTTP/\d(?:\.\d)?\r?$", re.M)
STATUS_LINE = re.compile(rb"^HTTP/\d(?:\.\d)? (\d{3})(?: [^\r\n]*)?\r?$", re.M)


def looks_like(data: bytes) -> bool:
    return REQUEST_LINE.match(data.lstrip()) is not None


def _head(data: bytes, start: int) -> tuple[list[tuple[str, str]], int]:
    """Header lines from `start` up to the blank line; returns the headers and where the body starts."""
    headers: list[tuple[str, str]] = []
    pos = start
    while pos < len(data):
        end = data.find(b"\n", pos)
        end = len(data) if end < 0 else end
        line = data[pos:end].rstrip(b"\r")
        pos = end + 1
        if not line:
            return headers, pos
        name, sep, value = line.decode("latin-1").partition(":")
        if sep:
            headers.append((name.strip(), value.strip(" \t")))
    return headers, len(data)


def _body(data: bytes, start: int, headers: list[tuple[str, str]]) -> tuple[bytes, int]:
    length = next((v for k, v in headers if k.lower() == "content-length"), None)
    length = (length or "").strip()
    if length.isascii() and length.isdigit() and len(length) <= 18:  # int() refuses '²' and 5000 digits
        n = int(length)
        return data[start:start + n], start + n
    nxt = [m.start() for m in (REQUEST_LINE.search(data, start), STATUS_LINE.search(data, start)) if m]
    end = min(nxt) if nxt else len(data)
    return data[start:end].rstrip(b"\r\n"), end


def parse(data: bytes) -> list[CapturedRequest]:
    out: list[CapturedRequest] = []
    pos = 0
    while True:
        m = REQUEST_LINE.search(data, pos)
        if m is None:
            break
        method, target = m.group(1).decode(), m.group(2).decode("latin-1")
        headers, body_at = _head(data, m.end() + 1)
        body, pos = _body(data, body_at, headers)
        response = None
        rest = data[pos:].lstrip(b"\r\n")
        s = STATUS_LINE.match(rest)
        if s is not None:
            offset = len(data) - len(rest)
            r_headers, r_body_at = _head(data, offset + s.end() + 1)
            r_body, pos = _body(data, r_body_at, r_headers)
            response = CapturedResponse(int(s.group(1)), tuple(r_headers), r_body)
        out.append(CapturedRequest(method, _url(target, headers), tuple(headers), body, "http",
                                   f"request {len(out) + 1}", response))
    if not out:
        raise InspectError("No HTTP request line (such as `POST /path HTTP/1.1`) was found.")
    return out


def _url(target: str, headers: list[tuple[str, str]]) -> str:
    if "://" in target:
        return target
    host = next((v for k, v in headers if k.lower() == "host"), "")
    name = host.rsplit(":", 1)[0].strip("[]") if host.count(":") <= 1 or host.startswith("[") else host
    scheme = "http" if name in LOOPBACK_HOSTS or not host else "https"
    return f"{scheme}://{host or 'unknown-host'}{target}"
