"""A WebSocket handshake answered with something other than 101, as the proxy and inspect explain it.

The REST diagnosis read such an answer as a failed API call (a 400 with a plain-text body became "send the body as
JSON"); the request asked to open a stream, so what it needs is the handshake's own fixes. No websockets import
here: inspect loads this only for an upgrade request.
"""

from __future__ import annotations

from tui.diagnosis.diagnose import Diagnosis, Fix
from tui.output.terminal_safe import shown

HANDSHAKE_FIX = ("Open the stream with a WebSocket library (websockets, aiohttp's ws_connect), not by hand: the handshake "
                 "is a GET with Upgrade: websocket, Connection: Upgrade, a fresh Sec-WebSocket-Key (16 random bytes, "
                 "base64) and Sec-WebSocket-Version: 13.")
PATH_FIX = ("Check the stream's address against the venue's page: the host, /user (private) versus /api (public), and "
            "?protocol=1.1.")


def asks_upgrade(headers) -> bool:  # noqa: ANN001 - (name, value) pairs
    return any(k.lower() == "upgrade" and "websocket" in v.lower() for k, v in headers)


def refused_upgrade(diagnosis: Diagnosis, status: int | None, body: bytes) -> Diagnosis:
    """`diagnosis` (REST's reading of the answer) told as a refused WebSocket handshake, the server's words kept."""
    words = shown(body[:300].decode("utf-8", "replace").strip())[:200]
    said = f": {words!r}" if words else ""
    cause = f"The server answered the WebSocket handshake with HTTP {status} instead of 101 Switching Protocols{said}."
    fixes = (Fix(PATH_FIX), Fix(HANDSHAKE_FIX)) if status in (404, 405) else (Fix(HANDSHAKE_FIX), Fix(PATH_FIX))
    return diagnosis._replace(category="websocket handshake", causes=(cause,), fixes=fixes,
                              headline=f"HTTP {status}: the WebSocket handshake was refused{said}.")
