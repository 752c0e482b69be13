"""The emulator's WebSocket side on its own HTTP port: the server hands each upgrade request to `on_upgrade`.

A handshake on a stream's path (`/spot/api`, `/spot/user`, `/futures/api`, `/futures/user`, each with the
venue's `?protocol=1.1`) is checked and answered by websockets' sans-I/O ServerProtocol (no extension is
negotiated: the venue compresses its own frames, so a client's compressed frame is a protocol error), and
the connection becomes a link (link.py) around a WsSession. An upgrade on any other path is declined and
answered as plain HTTP. Caps: at most limits.max_connections links, and limits.max_connections_per_ip from one
address (94002 and a close, as WOO X Pro's limit page says); at either cap the link (of that address) whose client
was heard least recently is the one closed, and the newcomer is served, so one peer holding every link cannot shut
the others out. The links count in the server's fair connection table as STREAMs.

The last few hundred messages both ways are kept in `log` (tests read the logins real clients sent there;
`closes` the closes the emulator started), and the open links in `links`.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter, deque
from http import HTTPStatus
from typing import TYPE_CHECKING, NamedTuple

from websockets.datastructures import Headers
from websockets.http11 import Request
from websockets.protocol import OPEN
from websockets.server import ServerProtocol

from tui.emulator.http1 import SERVER_NAME
from tui.emulator.ws.limits import WsLimits
from tui.emulator.ws.link import WsLink
from tui.emulator.ws.session import WsSession, dialect_of

if TYPE_CHECKING:
    from tui.emulator.server import Handover, Server

LOG_KEPT = 512
STREAM_PATHS = ("api", "user")


class Logged(NamedTuple):
    link: int  # which link, numbered from 1
    path: str
    direction: str  # "sent" by the client | "received" by the client (sent by the emulator)
    message: str | bytes  # as the client sent it; the emulator's answers as text (before compression)
    at_ms: int  # the wall clock when it passed, in epoch milliseconds


def stream_market(target: str) -> str | None:
    """The market a stream's path names (`/spot/user?protocol=1.1` -> spot), or None for any other path.
    /api and /user serve the same session: the venues' public links carry no login, but nothing documents a
    login there refused, and public channels are served on both."""
    path = target.partition("?")[0]
    market, _, rest = path.lstrip("/").partition("/")
    return market if rest in STREAM_PATHS and market in ("spot", "futures") else None


class WsStreams:
    def __init__(self, server: Server, limits: WsLimits = WsLimits()) -> None:
        self.server = server
        self.state = server.state
        self.limits = limits
        self.per_ip: Counter[str] = Counter()
        self.links: set[WsLink] = set()
        self.log: deque[Logged] = deque(maxlen=LOG_KEPT)
        self.closes: deque[tuple[int, str]] = deque(maxlen=LOG_KEPT)  # (code, reason) of links the emulator closed
        self._numbers = itertools.count(1)

    @property
    def sessions(self) -> set[WsSession]:
        return {link.session for link in list(self.links)}

    @property
    def base_url(self) -> str:
        """ws://host:port of the server (its streams' paths follow)."""
        host = self.server.host if self.server.host not in ("0.0.0.0", "::", "") else "127.0.0.1"  # noqa: S104
        host = f"[{host}]" if ":" in host else host
        return f"ws://{host}:{self.server.port}"

    # -- the server's hook --------------------------------------------------------------------------------
    def on_upgrade(self, handover: Handover) -> asyncio.Protocol | None:
        target = handover.request.target
        market = stream_market(target)
        if market is None:
            return None  # not a stream: the request is answered as plain HTTP
        protocol = ServerProtocol(max_size=self.limits.max_message_bytes)  # the handshake's
        dialect = dialect_of(self.state.flavour, market)
        if handover.request.method == "GET" and dialect is not None and len(self.links) >= self.limits.max_connections:
            stalest = self._stalest(lambda other: True)  # room for the newcomer, as at the per-address cap
            if stalest is not None:
                stalest.evict(503, f"closed to make room for a new link at the emulator's cap of {self.limits.max_connections}: "
                              "this link's client had been silent longest")
        open_links = sum(1 for other in self.links if other.open)
        if handover.request.method != "GET" or dialect is None or open_links >= self.limits.max_connections:
            if dialect is None:
                why = (HTTPStatus.NOT_FOUND, f"No such stream on this {self.state.flavour} emulator: it serves "
                       + ("/futures/api and /futures/user.\n" if self.state.flavour == "wooxpro"
                          else "/spot/api, /spot/user, /futures/api and /futures/user.\n"))
            elif handover.request.method != "GET":
                why = (HTTPStatus.METHOD_NOT_ALLOWED, "A WebSocket handshake is a GET.\n")
            else:
                why = (HTTPStatus.SERVICE_UNAVAILABLE, f"{len(self.links)} WebSocket links are open; retry later.\n")
            response = protocol.reject(*why)
        else:
            response = protocol.accept(Request(target, Headers(handover.request.headers.items())))
        response.headers["Server"] = SERVER_NAME
        protocol.send_response(response)
        handover.transport.write(b"".join(protocol.data_to_send()))
        if response.status_code != 101:
            return _Answered()
        now = self.server.loop.time()
        session = WsSession(self.state, dialect, handover.client_ip, self.limits, now)
        # The handshake is done (no extension negotiated): the link's protocol starts open, reading frames.
        frames = ServerProtocol(state=OPEN, max_size=self.limits.max_message_bytes)
        return WsLink(self, frames, session, target, next(self._numbers))

    # -- the links' calls ---------------------------------------------------------------------------------
    def opened(self, link: WsLink) -> WsLink | None:
        """Count a link in; when its address already holds its share, the link of that address whose client was heard
        least recently, to be told 94002 and closed. The newcomer is served: on loopback every client is one address,
        and refusing newcomers let one peer holding 500 links (kept alive with pings) shut every other client out."""
        self.links.add(link)
        self.per_ip[link.peer] += 1
        if self.per_ip[link.peer] <= self.limits.max_connections_per_ip:
            return None
        return self._stalest(lambda other: other.peer == link.peer and other is not link)

    def _stalest(self, mine) -> WsLink | None:  # noqa: ANN001 - a predicate on links
        open_links = [other for other in self.links if mine(other) and other.open]
        return min(open_links, key=lambda other: other.session.last_heard, default=None)

    def lost(self, link: WsLink) -> None:
        if link in self.links:
            self.links.discard(link)
            self.per_ip[link.peer] -= 1
            if self.per_ip[link.peer] <= 0:
                del self.per_ip[link.peer]

    def note(self, link: WsLink, direction: str, message: str | bytes) -> None:
        from time import time_ns

        self.log.append(Logged(link.number, link.path, direction, message, time_ns() // 1_000_000))


class _Answered(asyncio.Protocol):
    """A handshake refused with an HTTP answer (already written): the connection closes once it is out."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        transport.close()
