"""What a request head parsed by llhttp may be, beyond its framing, as RFC 9112 and RFC 9110 say.

llhttp checks the syntax and the framing. These are the rules on what it parsed: the request target's form
(RFC 9112 section 3.2), one Host on HTTP/1.1 (3.2), HTTP/1.0 or 1.1 only, Transfer-Encoding exactly
`chunked` (the only coding either server reads; 6.1), none on HTTP/1.0 (6.1). Every refusal is a `Refusal`
with the status and a sentence for the client.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

REASONS = {100: "Continue", 101: "Switching Protocols", 200: "OK", 400: "Bad Request", 401: "Unauthorized",
           403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed", 408: "Request Timeout",
           413: "Content Too Large", 418: "I'm a teapot", 429: "Too Many Requests",
           431: "Request Header Fields Too Large", 500: "Internal Server Error", 501: "Not Implemented",
           502: "Bad Gateway", 503: "Service Unavailable", 505: "HTTP Version Not Supported"}


class Refusal(Exception):
    """A request refused before anyone acts on it; the connection closes after the answer."""

    def __init__(self, status: int, sentence: str) -> None:
        super().__init__(sentence)
        self.status, self.sentence = status, sentence


class Form(Enum):
    ORIGIN = "origin"  # /path?query: what both servers serve
    ABSOLUTE = "absolute"  # http://host/path?query: a client that takes us for its forward proxy
    AUTHORITY = "authority"  # host:port, CONNECT only: a tunnel request
    ASTERISK = "asterisk"  # *, OPTIONS only


def target_form(method: str, target: str) -> Form:
    """The form of a request target (RFC 9112 section 3.2), or a Refusal for a target that has none.
    The form is read from the target's first characters only: a `://` later (in a query) changes nothing."""
    if target.startswith("/"):
        if method == "CONNECT":
            raise Refusal(400, "CONNECT takes an authority (host:port), not a path")
        return Form.ORIGIN
    if target == "*":
        if method != "OPTIONS":
            raise Refusal(400, "the target `*` is only for OPTIONS")
        return Form.ASTERISK
    if method == "CONNECT":
        return Form.AUTHORITY
    scheme, sep, _ = target.partition("://")
    if sep and scheme.lower() in ("http", "https"):
        return Form.ABSOLUTE
    raise Refusal(400, "the request target is neither a path (/...) nor an http(s) URL")


def origin_of(target: str) -> str:
    """The origin form (path and query) of an absolute-form target, with httptools' URL parser."""
    from httptools import parse_url

    try:
        url = parse_url(target.encode("latin-1"))
    except Exception:  # noqa: BLE001 - httptools raises its own error type for a URL it cannot read
        raise Refusal(400, "the request target is not a URL httptools can read") from None
    path = (url.path or b"/").decode("latin-1")
    return path + ("?" + url.query.decode("latin-1") if url.query is not None else "")


@dataclass(frozen=True)
class Head:
    """A request head as llhttp parsed it: names as sent, values without their surrounding whitespace."""

    method: str
    target: str
    version: str  # "1.1", "1.0"
    headers: list[tuple[str, str]]

    def values(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k.lower() == name]


def check_head(head: Head) -> None:
    """The RFC rules llhttp leaves to its user; a Refusal names the first one broken."""
    if head.version not in ("1.1", "1.0"):
        raise Refusal(505, f"HTTP/{head.version} is not served here; send HTTP/1.1")
    hosts = head.values("host")
    if len(hosts) > 1:
        raise Refusal(400, "the request has more than one Host header")
    if head.version == "1.1" and not hosts:
        raise Refusal(400, "an HTTP/1.1 request needs a Host header")
    codings = head.values("transfer-encoding")
    if codings:
        if head.version == "1.0":
            raise Refusal(400, "Transfer-Encoding is not HTTP/1.0: send a Content-Length")
        listed = [c.strip().lower() for c in ",".join(codings).split(",")]
        if listed[-1] != "chunked":  # the body's length cannot be known: RFC 9112 6.3 says 400 and close
            raise Refusal(400, "a Transfer-Encoding must end with `chunked`")
        if listed != ["chunked"]:
            raise Refusal(501, "the only Transfer-Encoding read here is `chunked` alone")
    # llhttp stops at the head of a request asking to switch protocols, so a body it carried would be read as
    # what follows the switch, while a server that declines the switch reads it as the body: two framings of
    # one stream (request smuggling through the proxy). A handshake has no body (RFC 6455 4.1: a GET).
    if is_upgrade(head) and (codings or any(v != "0" for v in head.values("content-length"))):
        raise Refusal(400, "a request asking to switch protocols (Upgrade) must not carry a body")


def is_upgrade(head: Head) -> bool:
    """A request asking to switch protocols (a WebSocket handshake): `Connection: upgrade` and an Upgrade header."""
    tokens = {t.strip().lower() for v in head.values("connection") for t in v.split(",")}
    return "upgrade" in tokens and bool(head.values("upgrade"))


def plain_answer(status: int, sentence: str, server: str | None = None, extra: list[tuple[str, str]] = ()) -> bytes:
    """A short text/plain answer that closes the connection."""
    body = sentence.encode("utf-8", "replace")
    lines = [f"HTTP/1.1 {status} {REASONS.get(status, 'Error')}", "Content-Type: text/plain; charset=utf-8",
             *([f"Server: {server}"] if server else []), *(f"{k}: {v}" for k, v in extra),
             f"Content-Length: {len(body)}", "Connection: close"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"


def expects_continue(head: Head) -> bool:
    return head.version == "1.1" and any(v.strip().lower() == "100-continue" for v in head.values("expect"))
