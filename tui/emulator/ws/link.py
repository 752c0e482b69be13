"""One WebSocket link on the emulator's port: websockets' sans-I/O ServerProtocol over the connection's
transport, around one WsSession (session.py).

websockets does the framing: it reads frames within limits.max_message_bytes (a bigger one is refused
from its header, close 1009), answers ping frames, and runs the close handshake. This module assembles a
message's fragments, refuses text that is not UTF-8 (1007), and hands each message to the session, writing
what the session answers. `session.heard(now)` on every read (a ping frame keeps a link alive too);
`session.tick(now)` on a timer set from `session.next_wake()`; the key's account changes wake it through
call_soon_threadsafe. Bounded: while the client does not read (the transport's write buffer is full),
nothing more is read or pushed, and after limits.send_timeout_s the link is dropped; a close the client
never answers ends the connection after CLOSE_TIMEOUT_S. The link counts in the server's fair connection
table as a STREAM since its peer was last heard; made to give room, it closes with 1013 and the reason.
"""

from __future__ import annotations

import asyncio
import math

from websockets.frames import Opcode
from websockets.protocol import CLOSED, OPEN
from websockets.server import ServerProtocol

from collections import deque
from typing import Any, Protocol

from tui.emulator.ws.session import Out, WsSession
from tui.http1.fairness import Phase, Tracked

READ_SLICE = 16 * 1024  # bytes taken per loop turn from one link's read
CLOSE_TIMEOUT_S = 2.0  # after the emulator's close frame, how long the client has to answer it
TRY_AGAIN_LATER, GOING_AWAY = 1013, 1001


class Streams(Protocol):
    """What a link needs from the streams that made it (streams.WsStreams)."""

    server: Any  # tui.emulator.server.Server: its loop and its connection table
    state: Any  # the EmulatorState: its account events
    closes: deque

    def opened(self, link: WsLink) -> WsLink | None: ...
    def lost(self, link: WsLink) -> None: ...
    def note(self, link: WsLink, direction: str, message: str | bytes) -> None: ...


class WsLink(asyncio.Protocol, Tracked):
    def __init__(self, streams: Streams, protocol: ServerProtocol, session: WsSession, path: str, number: int) -> None:
        self.streams, self.protocol, self.session = streams, protocol, session
        self.path, self.number = path, number
        self.peer = session.client_ip
        self.loop = streams.server.loop
        self.table = streams.server.table
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self.paused = False  # the client does not read what is pushed
        self.listening: int | None = None  # the account events' token, once logged in
        self._unread = bytearray()  # the rest of a read, taken a slice per loop turn
        self._eof = False  # the client's end of stream came while slices were still to take
        self._fragments = bytearray()  # the message being assembled: within max_message_bytes, however many frames
        self._fragment_opcode: Opcode | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at = math.inf
        self._stall: asyncio.TimerHandle | None = None
        self._close_deadline: asyncio.TimerHandle | None = None

    # -- transport events ---------------------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.table.admit(self)  # the HTTP connection it was has just left the table: there is room
        self.table.enter(self, Phase.STREAM)
        stalest = self.streams.opened(self)
        if stalest is not None:  # its address holds its share: its link silent longest goes, this one is served
            stalest.make_room()
        self._arm()

    @property
    def open(self) -> bool:
        """Open and not closing: a link the caps may still count on."""
        return not self.closed and self.protocol.state is OPEN and self.session.closed is None

    def make_room(self) -> None:
        """Too many links from this address (WOO X Pro's limit page): 94002, then the close."""
        self._send(self.session.refuse_link(94002, "too many links from this address"))

    def data_received(self, data: bytes) -> None:
        if self._unread:  # (reading is paused while a read is taken in slices; in case a read was already under way)
            self._unread += data
            return
        self._take(data)

    def _take(self, data: bytes) -> None:
        """One slice of what was read now, the rest on the loop's next turns: a read of tiny frames (a flood of
        empty ones, 6 bytes each: 40,000 in a 256 KiB read) held the loop ~190 ms for every other connection."""
        data, rest = data[:READ_SLICE], data[READ_SLICE:]
        now = self.loop.time()
        self.session.heard(now)
        if not self.paused:
            self.table.enter(self, Phase.STREAM)  # heard now: the last to make room at a cap
        self.protocol.receive_data(data)
        for frame in self.protocol.events_received():
            self._frame(frame.opcode, frame.data, frame.fin, now)
        self._flush()
        self._arm()
        if rest and not self.closed:
            self._unread = bytearray(rest)
            self.transport.pause_reading()
            self.loop.call_soon(self._next_slice)

    def _next_slice(self) -> None:
        if self.closed or self.paused:  # paused: the client is not reading; resume_writing takes the slices up again
            return
        data, self._unread = bytes(self._unread), bytearray()
        self._take(data)
        if not self._unread and not self.paused and not self.closed:
            self.transport.resume_reading()
            if self._eof:
                self.eof_received()

    def eof_received(self) -> bool | None:
        if self._unread:  # the end comes after the slices still to take
            self._eof = True
            return True  # keep the transport open until they are taken
        self.protocol.receive_eof()
        self._flush()
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        for timer in (self._timer, self._stall, self._close_deadline):
            if timer is not None:
                timer.cancel()
        self.table.forget(self)
        self.streams.lost(self)
        if self.listening is not None:
            self.streams.state.events.forget(self.listening)
            self.listening = None

    def pause_writing(self) -> None:
        """The client stopped reading: read and push nothing more; drop it if it does not catch up in time."""
        self.paused = True
        self.transport.pause_reading()
        self.table.enter(self, Phase.STALLED)
        self._stall = self.loop.call_later(self.session.limits.send_timeout_s, self.transport.abort)

    def resume_writing(self) -> None:
        self.paused = False
        if self._stall is not None:
            self._stall.cancel()
            self._stall = None
        if not self.closed:
            self.table.enter(self, Phase.STREAM)
            if self._unread:  # the slices still to take first; the last resumes reading
                self.loop.call_soon(self._next_slice)
            else:
                self.transport.resume_reading()
            self._arm()

    def evict(self, status: int, sentence: str) -> None:
        """The connection table let this link go (room for a newcomer): a close with the reason, if it can still
        be said."""
        if self.protocol.state is OPEN and not self.paused:
            self.streams.closes.append((TRY_AGAIN_LATER, sentence))
            self.protocol.send_close(TRY_AGAIN_LATER, _reason(f"keyprobe emulator: {sentence}"))
            self._flush()
        else:
            self.transport.abort()

    def abort(self) -> None:
        """The server is stopping: a close saying so (written at once when the socket takes it), then the end."""
        if self.transport is None:
            return
        if self.protocol.state is OPEN and not self.paused:
            self.protocol.send_close(GOING_AWAY, "the emulator is stopping")
            self._flush()
        self.transport.abort()

    # -- messages -----------------------------------------------------------------------------------------
    def _frame(self, opcode: Opcode, data: bytes, fin: bool, now: float) -> None:
        """Text, binary and continuation frames make messages; websockets answers pings and closes itself."""
        if opcode in (Opcode.TEXT, Opcode.BINARY):
            self._fragment_opcode, self._fragments = opcode, bytearray(data)
        elif opcode is Opcode.CONT:
            # Joined as they come: websockets bounds a message's bytes (max_message_bytes), not its frames, and a
            # list kept one entry per frame (a message never finished, in millions of empty frames, grew without end).
            self._fragments += data
        else:
            return
        if not fin:
            return
        raw, self._fragments = bytes(self._fragments), bytearray()
        if self._fragment_opcode is Opcode.TEXT:
            try:
                message: str | bytes = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                self.protocol.fail(1007, f"invalid UTF-8: {exc.reason} at position {exc.start}")
                return
        else:
            message = raw
        self.streams.note(self, "sent", message)
        if self.session.closed is not None or self.protocol.state is not OPEN:
            return  # closing: what still arrives is read and dropped
        self._send(_safely(self.session.receive, message, now))
        key = self.session.key
        if key is not None and self.listening is None:
            loop = self.loop
            self.listening = self.streams.state.events.listen(key.name, lambda: loop.call_soon_threadsafe(self._account_changed))

    def _account_changed(self) -> None:
        if not self.closed:
            self.session.account_changed()
            self._arm()

    def _send(self, outs: list[Out]) -> None:
        for out in outs:
            if self.protocol.state is not OPEN:
                break
            if out.kind == "close":
                self.streams.closes.append(out.data)
                code, reason = out.data
                self.protocol.send_close(code, _reason(reason))
                break
            self.streams.note(self, "received", out.text if out.text is not None else out.data)
            if out.kind == "text":
                self.protocol.send_text(out.data.encode("utf-8"))
            else:
                self.protocol.send_binary(out.data)
        self._flush()

    def _flush(self) -> None:
        if self.transport is None or self.closed:
            return
        for data in self.protocol.data_to_send():
            if data:
                self.transport.write(data)
            elif self.transport.can_write_eof():  # websockets' end of stream: the close handshake is over
                self.transport.write_eof()
            else:
                self.transport.close()
        if self.protocol.state is CLOSED:
            self.transport.close()
        elif self.protocol.close_expected() and self._close_deadline is None:
            self._close_deadline = self.loop.call_later(CLOSE_TIMEOUT_S, self.transport.abort)

    # -- the session's clock ------------------------------------------------------------------------------
    def _arm(self) -> None:
        """A timer for the session's next wake, unless an earlier one is already set."""
        if self.closed or self.paused or self.protocol.state is not OPEN:
            return
        when = self.session.next_wake()
        if when == math.inf or (self._timer is not None and self._timer_at <= when):
            return
        if self._timer is not None:
            self._timer.cancel()
        self._timer_at = when
        self._timer = self.loop.call_at(max(when, self.loop.time()), self._tick)

    def _tick(self) -> None:
        self._timer, self._timer_at = None, math.inf
        if self.closed or self.paused:
            return
        self._send(_safely(self.session.tick, self.loop.time()))
        self._arm()


def _reason(text: str) -> str:
    """A close reason within the protocol's 123 bytes."""
    data = text.encode("utf-8")
    return text if len(data) <= 123 else data[:120].decode("utf-8", "ignore") + "..."


def _safely(call, *args) -> list[Out]:  # noqa: ANN001
    """A session's answer; a bug in it ends the link with 1011 and a sentence, never a traceback in the emulator."""
    try:
        return call(*args)
    except Exception as exc:  # noqa: BLE001 - what a client sends must never take the server's loop down
        return [Out("close", (1011, f"keyprobe emulator internal error: {type(exc).__name__}"[:120]))]
