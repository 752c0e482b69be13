"""The upstream's answer, relayed: every byte of it streamed to the client as it arrives, up to the exact end
llhttp finds, 1xx answers passed through before the final one, and a copy of the body kept for the analysis.

A hostile upstream cannot shift answers or flood memory: bytes after the final answer's end are never
forwarded (the upstream connection is dropped instead), framing llhttp refuses (a negative or oversized
chunk size, two lengths) ends the exchange with a 502 if nothing was sent yet, or by closing the client's
connection if part of the answer was, and only KEEP_BODY bytes of any body are kept. An answer whose body runs
until the upstream closes is followed by closing the client's connection, the only end such a body has.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from tui.http1.reader import MessageReader
from tui.http1.rules import Refusal
from tui.inspect.model import CapturedResponse

MAX_HEAD = 64 * 1024
MAX_HEADERS = 100
KEEP_BODY = 1024 * 1024  # bytes of each answer body kept for the analysis; the client gets them all
CHUNK = 64 * 1024
UPSTREAM_TIMEOUT_S = 30.0  # the upstream's answer head, and each read of its body
SEND_TIMEOUT_S = 30.0  # a client that does not read its answer for this long is let go
MAX_INFORMATIONAL = 16  # 1xx answers before the final one: an upstream sending them without end is let go


class UpstreamBroke(Exception):
    """The upstream failed mid-exchange; `sent` says whether part of the final answer already reached the client
    (after 1xx answers alone, a 502 can still follow)."""

    def __init__(self, sentence: str, sent: bool) -> None:
        super().__init__(sentence)
        self.sent = sent


class ClientGone(Exception):
    """The client stopped reading its answer (SEND_TIMEOUT_S) or went away while it was relayed."""


@dataclass(frozen=True)
class Received:
    """An answer as it came: turned into a CapturedResponse (a compressed body undone) by whoever reads it,
    on the observer's thread, not on the relay's path."""

    status: int | None
    headers: tuple[tuple[str, str], ...]
    kept: bytes  # the first KEEP_BODY bytes of the body, as relayed
    coding: str | None  # Content-Encoding

    def captured(self) -> CapturedResponse:
        return CapturedResponse(self.status, self.headers, readable_body(self.kept, self.coding))


@dataclass
class Answer:
    response: Received
    reusable: bool  # the upstream connection may carry the next request
    switched: bool = False  # a 101 was relayed: the connection now carries another protocol
    # The body ran until the upstream closed (no length, not chunked): the client knows it has all of it only
    # when its own connection closes too, so the relay closes it after this answer.
    ends_at_close: bool = False
    leftover: bytes = b""  # after a 101: bytes the upstream sent past its head, not yet relayed


async def relay_answer(up: asyncio.StreamReader, writer: asyncio.StreamWriter, *, head_only: bool, may_switch: bool,
                       timeout_s: float, stalled: Callable[[bool], None] | None = None) -> Answer:
    """Read answers from `up` until the final one, writing each to `writer` as it comes. `stalled(True)` when the
    client stops reading (its buffer is full and the relay waits for it), `stalled(False)` when it reads again."""
    kept = bytearray()

    def keep(data: bytes) -> None:
        if len(kept) < KEEP_BODY:
            kept.extend(data[: KEEP_BODY - len(kept)])

    data = b""
    sent = False
    for _ in range(MAX_INFORMATIONAL + 1):  # one message a turn: 1xx answers, then the final one
        msg = MessageReader("response", max_head=MAX_HEAD, max_headers=MAX_HEADERS, head_only=head_only, on_body=keep)
        held = bytearray()  # the head, held until its status says where it goes
        while True:
            if not data:
                try:
                    async with asyncio.timeout(timeout_s):
                        data = await up.read(CHUNK)
                except TimeoutError:
                    raise UpstreamBroke(f"did not answer within {timeout_s:g} s", sent) from None
                except ConnectionError as exc:
                    raise UpstreamBroke(f"failed mid-exchange ({type(exc).__name__})", sent) from None
                if not data:
                    if msg.ends_at_close:  # a body without length runs until the upstream closes
                        await _send(writer, stalled, bytes(held))
                        return Answer(_captured(msg, kept), reusable=False, ends_at_close=True)
                    raise UpstreamBroke("closed the connection before the answer was complete", sent)
            try:
                end = msg.feed(data)
            except Refusal as bad:
                raise UpstreamBroke(f"sent an answer that is not valid HTTP/1.1: {bad.sentence}", sent) from None
            piece, data = (data, b"") if end is None else (data[:end], data[end:])
            if msg.status is None or msg.status < 200:
                held += piece  # a 1xx (or a head not yet complete) goes out whole, once complete
                if end is None:
                    continue
                if msg.status == 101:
                    if not may_switch:
                        raise UpstreamBroke("answered 101 Switching Protocols to a request that did not ask for it", sent)
                    await _send(writer, stalled, bytes(held))
                    return Answer(_captured(msg, kept), reusable=False, switched=True, leftover=data)
                await _send(writer, stalled, bytes(held))  # 100 Continue, 103 Early Hints: relayed, then the final answer
                break
            if held:
                piece, held = bytes(held) + piece, bytearray()
            await _send(writer, stalled, piece)
            sent = True
            if end is not None:
                # Bytes past the final answer were not asked for: never relayed, and the connection is dropped.
                return Answer(_captured(msg, kept), reusable=msg.keep_alive and not data)
    raise UpstreamBroke(f"sent more than {MAX_INFORMATIONAL} 1xx answers without a final one", sent)


async def _send(writer: asyncio.StreamWriter, stalled: Callable[[bool], None] | None, data: bytes) -> None:
    if not data:
        return
    try:
        writer.write(data)
        transport = writer.transport
        if transport.get_write_buffer_size():  # the client reads slower than the upstream sends
            # Past the high-water mark the client is not keeping up: while it does not read, its connection
            # may be evicted for a newcomer (a connection being answered otherwise never is).
            paused = stalled is not None and transport.get_write_buffer_size() > transport.get_write_buffer_limits()[1]
            if paused:
                stalled(True)
            async with asyncio.timeout(SEND_TIMEOUT_S):
                await writer.drain()
            if paused:
                stalled(False)
    except TimeoutError:
        raise ClientGone(f"the client did not read its answer for {SEND_TIMEOUT_S:g} s") from None
    except (ConnectionError, RuntimeError):
        raise ClientGone("the client went away while its answer was relayed") from None


def _captured(msg: MessageReader, kept: bytearray) -> Received:
    codings = msg.head.values("content-encoding") if msg.head is not None else []
    headers = tuple(msg.head.headers) if msg.head is not None else ()
    return Received(msg.status, headers, bytes(kept), ", ".join(codings) or None)


def readable_body(body: bytes, encoding: str | None) -> bytes:
    """The body as the analysis reads it: gzip or deflate undone (the client got the bytes unchanged).
    At most KEEP_BODY bytes come out, whatever the compression ratio; a broken stream is kept as it came."""
    from tui.transport.body_decoding import decoded_prefix

    return decoded_prefix(body, encoding, KEEP_BODY)
