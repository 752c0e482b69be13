"""The proxy's WebSocket side: a link the upstream switched with its 101, carried frame for frame until either
side closes, its login checked off the relay's path.

`WsRelay.carry` is the relay's `on_switch` (tui.proxy.relay.Handover): two pumps, one per direction, each
reading what its side sends, finding the frames' ends with websockets' parser (ws_frames.Splitter), and writing
every whole frame on, exactly as received. What the login check needs is kept by ws_capture.LinkCapture and
handed to the proxy's observer (`on_login`) once the venue has answered the login, or when the link ends.

Bounded, so one hostile side cannot freeze or exhaust the proxy:
- a frame over MAX_FRAME_BYTES is refused from its header (the sender gets a close 1009, the other side 1014
  or 1001, both sockets are closed); bytes that are not frames likewise (1002); so a link buffers at most one
  frame per direction;
- a side that does not read what is forwarded stalls only its own link, and after SEND_TIMEOUT_S the link ends;
- a link with no byte either way for IDLE_TIMEOUT_S ends (the venues close theirs after 20 s of silence);
- at most MAX_LINKS links at once: at the cap, the link whose client was heard least recently is closed (1001 both
  ways, with the reason) to make room for the next upgrade, so one peer holding every link cannot shut others out
  (a 503 for every newcomer was the rule before: 32 idle links from one bot locked the proxy's WebSocket side);
- the link stays in the relay's fair connection table as a STREAM (since its client was last heard), so at the
  proxy's connection cap the link silent longest makes room.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from websockets.frames import Frame, Opcode

from tui.http1.fairness import Phase
from tui.proxy.ws_capture import LinkCapture
from tui.proxy.ws_frames import Broken, Splitter, close_frame, deflaters

if TYPE_CHECKING:
    from tui.proxy.relay import Handover

MAX_FRAME_BYTES = 1024 * 1024  # the venues' frames are a few KiB; a depth-50 book is about 10 KiB
MAX_LINKS = 32
IDLE_TIMEOUT_S = 60.0
SEND_TIMEOUT_S = 30.0
CHUNK = 16 * 1024  # per read: a read of tiny frames (6 bytes each) is parsed in one go, holding the loop ~7 ms
HIGH_WATER = 256 * 1024  # bytes written to a side and not yet taken by it, before the pump waits for it
CLOSE_GRACE_S = 2.0  # once one side is done, how long the other has to finish its close handshake
GOING_AWAY, BAD_GATEWAY = 1001, 1014


class _End(Exception):
    """The link ends: `sentence` says why (None: a side closed, as links do)."""

    def __init__(self, sentence: str | None = None) -> None:
        super().__init__(sentence)
        self.sentence = sentence


class _Side:
    """One direction: what `reader` sends goes to `writer`."""

    def __init__(self, name: str, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, splitter: Splitter,
                 leftover: bytes) -> None:
        self.name, self.reader, self.writer, self.splitter, self.leftover = name, reader, writer, splitter, leftover
        self.fragments = bytearray()  # the message being kept for the login check, within the frame cap
        self.text = False
        self.closed_frame = False  # a close frame passed this way


class _Carried:
    """A link being carried, as the cap sees it: its client's last word, and the way to end it."""

    def __init__(self, client: _Side, upstream: _Side, state: dict) -> None:
        self.client, self.upstream, self.state = client, upstream, state
        self.evicted: asyncio.Future[str] = asyncio.get_running_loop().create_future()  # set: why it must make room


class WsRelay:
    def __init__(self, upstream_ws_base: str, on_login: Callable[[LinkCapture], None]) -> None:
        self.base = upstream_ws_base  # ws(s)://host[:port] of the upstream, for the links' URLs
        self.on_login = on_login
        self.links: set[LinkCapture] = set()
        self._carried: dict[LinkCapture, _Carried] = {}
        self.max_links = MAX_LINKS
        self.idle_timeout_s = IDLE_TIMEOUT_S
        self.send_timeout_s = SEND_TIMEOUT_S
        self.max_frame_bytes = MAX_FRAME_BYTES

    def refusal(self) -> str | None:
        """Why the next upgrade is not forwarded (the relay answers it 503), or None: at the cap, the link whose client
        was heard least recently is told to make room (on the relay's loop, before the upgrade is forwarded)."""
        live = {link: c for link, c in self._carried.items() if not c.state.get("ending")}
        if len(live) < self.max_links:
            return None
        stalest = min(live.values(), key=lambda c: c.state["client_heard"])
        silent = time.monotonic() - stalest.state["client_heard"]
        stalest.state["ending"] = True
        stalest.evicted.set_result(f"closed to make room for a new link at the proxy's cap of {self.max_links}: this "
                                   f"link's client had been silent longest ({silent:.0f} s)")
        return None

    async def carry(self, handover: Handover) -> None:
        request = handover.request
        link = LinkCapture(request, self.base + request.target, time.time() * 1000)
        self.links.add(link)
        response = request.response
        from_client, from_upstream = deflaters(response.header("sec-websocket-extensions") if response is not None else None)
        (client_reader, client_writer), (up_reader, up_writer) = handover.client, handover.upstream
        client = _Side("sent", client_reader, up_writer, Splitter(masked=True, max_size=self.max_frame_bytes, deflate=from_client),
                       handover.client_leftover)
        upstream = _Side("received", up_reader, client_writer,
                         Splitter(masked=False, max_size=self.max_frame_bytes, deflate=from_upstream), handover.upstream_leftover)
        state = {"heard": time.monotonic(), "client_heard": time.monotonic()}
        fair = handover.fair or (lambda phase: None)
        fair(Phase.STREAM)
        carried = self._carried[link] = _Carried(client, upstream, state)
        pumps = [asyncio.create_task(self._pump(link, side, other, state, fair))
                 for side, other in ((client, upstream), (upstream, client))]
        pumps.append(asyncio.create_task(self._watch(client, upstream, state)))
        pumps.append(asyncio.create_task(self._make_room(carried)))
        try:
            # When one side's connection ends, so does the link: what was forwarded is flushed, then both are closed
            # (a WebSocket server closes the TCP connection first; its client waits for that).
            done, _ = await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
            link.ended = next((t.result() for t in done if not t.cancelled() and t.result()), None)
        finally:
            for task in pumps:
                task.cancel()
            await asyncio.gather(*pumps, return_exceptions=True)
            for writer in (client_writer, up_writer):
                with contextlib.suppress(Exception):
                    writer.close()
            self.links.discard(link)
            self._carried.pop(link, None)
            if not link.reported and (link.login_at is not None or link.ended):
                link.reported = True
                self.on_login(link)

    async def _pump(self, link: LinkCapture, side: _Side, other: _Side, state: dict, fair: Callable[[Phase], None]) -> str | None:
        """Carry one direction until its side closes (None) or the link must end (the sentence why)."""
        try:
            if side.leftover:
                await self._forward(link, side, other, side.leftover, state, fair)
            while True:
                try:
                    data = await side.reader.read(CHUNK)  # no deadline per read: the link's watchdog keeps the idle rule
                except (ConnectionError, OSError):
                    return None
                if not data:
                    return None
                await self._forward(link, side, other, data, state, fair)
                if len(data) == CHUNK:  # more is waiting: let the other connections have the loop first (a read of
                    await asyncio.sleep(0)  # buffered bytes does not yield, and a flood of tiny frames held it ~170 ms)
        except _End as end:
            return end.sentence

    async def _watch(self, client: _Side, upstream: _Side, state: dict) -> str | None:
        """The idle rule, one timer per link (a deadline per read cost more than the rest of a frame's way)."""
        while True:
            await asyncio.sleep(max(0.0, state["heard"] + self.idle_timeout_s - time.monotonic()))
            if time.monotonic() - state["heard"] >= self.idle_timeout_s and not state.get("ending"):
                state["ending"] = True
                sentence = f"no byte either way for {self.idle_timeout_s:g} s"
                await self._close_both(client, upstream, GOING_AWAY, sentence)
                return sentence

    async def _make_room(self, carried: _Carried) -> str:
        """Wait until the cap picks this link to make room; then tell both sides why, and end it."""
        sentence = await carried.evicted
        await self._close_both(carried.client, carried.upstream, GOING_AWAY, f"keyprobe proxy: {sentence}")
        return sentence

    async def _forward(self, link: LinkCapture, side: _Side, other: _Side, data: bytes, state: dict,
                       fair: Callable[[Phase], None]) -> None:
        if state.get("ending"):  # the proxy has closed the link: nothing more goes either way
            raise _End(None)
        state["heard"] = time.monotonic()
        if side.name == "sent":
            state["client_heard"] = state["heard"]
            fair(Phase.STREAM)  # its client heard now: the last to make room at the proxy's cap
        try:
            frames = side.splitter.feed(data)
        except Broken as broken:
            who = "the client" if side.name == "sent" else "the upstream"
            sentence = f"{who} sent {broken}"
            state["ending"] = True
            await self._close_both(side, other, broken.code, f"keyprobe proxy: {sentence}")
            raise _End(sentence) from None
        if frames:  # the other side's writer: the frames go on exactly as they came, in one write (a flood of tiny
            # frames cost a send() each)
            side.writer.write(frames[0][0] if len(frames) == 1 else b"".join(raw for raw, _ in frames))
        for _, frame in frames:
            self._note(link, side, frame)
        if side.closed_frame and other.closed_frame:  # the closing handshake is over: end both, as the server would
            with contextlib.suppress(Exception):
                await asyncio.wait_for(side.writer.drain(), CLOSE_GRACE_S)
            raise _End(None)
        if side.writer.transport.get_write_buffer_size() > HIGH_WATER:
            try:
                await asyncio.wait_for(side.writer.drain(), self.send_timeout_s)
            except TimeoutError:
                whom = "the upstream" if side.name == "sent" else "the client"
                raise _End(f"{whom} did not read what was forwarded for {self.send_timeout_s:g} s") from None
            except (ConnectionError, OSError):
                raise _End(None) from None

    def _note(self, link: LinkCapture, side: _Side, frame: Frame) -> None:
        if frame.opcode is Opcode.CLOSE:
            side.closed_frame = True
            return
        if not link.keeping or frame.opcode not in (Opcode.TEXT, Opcode.BINARY, Opcode.CONT):
            return
        if frame.opcode is not Opcode.CONT:
            side.fragments, side.text = bytearray(), frame.opcode is Opcode.TEXT
        # Joined as they come, up to the cap: a list entry per fragment, summed again at each, let a message never
        # finished (endless empty continuation frames) grow the list and freeze the proxy's loop in the sums.
        room = self.max_frame_bytes - len(side.fragments)
        if room > 0:
            side.fragments += frame.data[:room]
        if frame.fin:
            link.add(side.name, side.text, bytes(side.fragments))
            side.fragments = bytearray()
            if link.due:
                link.reported = True
                self.on_login(link)

    async def _close_both(self, broken: _Side, other: _Side, code: int, reason: str) -> None:
        """Say why to both sides, as each expects a close: the client gets the upstream's (unmasked) kind of
        frame, the upstream a client's (masked); the side that broke the protocol gets `code`."""
        client_code, upstream_code = (code, GOING_AWAY) if broken.name == "sent" else (BAD_GATEWAY, code)
        if code == GOING_AWAY:
            client_code = upstream_code = GOING_AWAY
        # broken.writer goes to the other side: the client's side writes upstream, the upstream's to the client
        to_upstream, to_client = (broken.writer, other.writer) if broken.name == "sent" else (other.writer, broken.writer)
        for writer, frame in ((to_client, close_frame(client_code, reason, masked=False)),
                              (to_upstream, close_frame(upstream_code, reason, masked=True))):
            with contextlib.suppress(Exception):
                writer.write(frame)
                await asyncio.wait_for(writer.drain(), CLOSE_GRACE_S)
