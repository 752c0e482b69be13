"""WebSocket transport failures in sentences: what went wrong opening or keeping a link, and what to try.

websockets' exceptions (and the socket and TLS errors under them) become tui.exchange's TransportFailure, so
the diagnosis and the exit codes treat them as REST's. A close is described from both sides: the code and
reason the venue sent, or the one keyprobe sent when the venue broke the rules (a frame over the size cap
is 1009, text that is not UTF-8 is 1007).
"""

from __future__ import annotations

import socket
import ssl
from urllib.parse import urlsplit

from websockets.exceptions import (
    ConnectionClosed, InvalidHandshake, InvalidMessage, InvalidStatus, InvalidURI, ProtocolError,
)

from tui.exchange import FailureKind, TransportFailure
from tui.output.terminal_safe import shown

class RefusedHandshake(TransportFailure):
    """A handshake answered with another status than 101: valid HTTP, so its fix follows the status (`status`)."""

    status: int = 0


CLOSE_MEANINGS = {
    1000: "a normal close", 1001: "going away", 1002: "a protocol error", 1003: "data it does not accept",
    1006: "no close frame: the connection dropped", 1007: "text that is not UTF-8", 1008: "a policy violation",
    1009: "a message too big", 1011: "a server error", 1012: "a restart", 1013: "try again later",
}


def where(url: str) -> str:
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "wss" else 80)
        host = parts.hostname or "?"
    except ValueError:
        return url[:80]
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def classify_connect(exc: BaseException, url: str) -> TransportFailure:
    """Why a link to `url` could not be opened."""
    from tui.transport.failures import exception_chain  # here: a WebSocket link needs httpx only when one fails

    at = where(url)
    chain = exception_chain(exc)
    detail = shown(f"{type(exc).__name__}: {exc}")[:300]

    def fail(kind: FailureKind, sentence: str) -> TransportFailure:
        return TransportFailure(kind, sentence, detail)

    if isinstance(exc, InvalidURI):
        return fail(FailureKind.OTHER, f"{shown(url)[:120]!r} is not a WebSocket URL (ws:// or wss://, a host, a path).")
    if isinstance(exc, InvalidStatus):
        status = exc.response.status_code
        words = shown(bytes(exc.response.body or b"")[:300].decode("utf-8", "replace").strip())[:200]
        refused = RefusedHandshake(FailureKind.PROTOCOL, f"{at} answered the WebSocket handshake with HTTP {status} "
                                   f"instead of 101 Switching Protocols{f', saying: {words}' if words else ''}.", detail)
        refused.status = status
        return refused
    if isinstance(exc, (InvalidMessage, InvalidHandshake)):
        return fail(FailureKind.PROTOCOL, f"{at} did not complete a WebSocket handshake ({shown(exc)[:120]}): is it a "
                    "WebSocket endpoint, and is the scheme right (wss:// for TLS)?")
    if any(isinstance(e, socket.gaierror) for e in chain):
        return fail(FailureKind.DNS, f"The name {at.rpartition(':')[0]} could not be resolved (DNS). Check the URL and your network.")
    if any(isinstance(e, ConnectionRefusedError) for e in chain):
        return fail(FailureKind.REFUSED, f"Connection refused by {at}: nothing is listening there.")
    if any(isinstance(e, ssl.SSLError) for e in chain):
        return fail(FailureKind.TLS, f"The TLS handshake with {at} failed: {shown(chain[-1])[:120]}. Check wss:// versus ws:// "
                    "and that no proxy intercepts it.")
    if any(isinstance(e, TimeoutError) for e in chain):
        return fail(FailureKind.CONNECT_TIMEOUT, f"Could not open a link to {at} in time (connection and handshake). "
                    "Check the address, a firewall or VPN.")
    if any(isinstance(e, (ConnectionResetError, BrokenPipeError, ConnectionAbortedError, EOFError)) for e in chain):
        return fail(FailureKind.RESET, f"{at} dropped the connection during the handshake.")
    return fail(FailureKind.OTHER, f"Could not open a link to {at}: {shown(exc)[:160] or type(exc).__name__}.")


def close_of(exc: ConnectionClosed) -> tuple[int | None, str, bool]:
    """(code, reason, whether the venue sent it) of a closed link: the venue's close frame when there is one,
    else the one keyprobe sent (a frame it refused), else none (the connection dropped)."""
    if exc.rcvd is not None:
        return exc.rcvd.code, exc.rcvd.reason, True
    if exc.sent is not None:
        return exc.sent.code, exc.sent.reason, False
    return None, "", False


def close_sentence(exc: ConnectionClosed, url: str) -> str:
    code, reason, theirs = close_of(exc)
    at = where(url)
    said = f": {shown(reason)[:120]!r}" if reason else ""
    if code is None:
        return f"{at} dropped the connection without a close frame."
    meaning = CLOSE_MEANINGS.get(code, "an application code")
    if theirs:
        return f"{at} closed the link (code {code}, {meaning}{said})."
    if code == 1009:
        return (f"{at} sent a message over keyprobe's cap; keyprobe closed the link (code 1009{said}). A venue's frames are "
                "a few KiB: this is not the venue's stream, or a broken one.")
    if code == 1007:
        return f"{at} sent a text frame that is not UTF-8; keyprobe closed the link (code 1007{said})."
    if code == 1002 or isinstance(exc.__cause__, ProtocolError):
        return f"{at} broke the WebSocket protocol; keyprobe closed the link (code {code}{said})."
    return f"keyprobe closed the link to {at} (code {code}, {meaning}{said})."
