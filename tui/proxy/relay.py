"""The proxy's HTTP/1.1 relay: each request forwarded as the bytes it came in, each answer streamed back.

llhttp (tui.http1.reader) decides where every request and answer ends; this module decides only what the
bytes mean. Only the Host header is rewritten (to the upstream's, whatever its case: the venue routes on it
and no signature covers it), and an absolute-form target (`GET http://host/path`, sent by a client that takes
the proxy for its forward proxy) goes out in origin form; the rest of the request line, every other header
and the body, chunk framing included, go out exactly as received. CONNECT is refused (the proxy is no
tunnel), `OPTIONS *` is forwarded. Each client connection gets its own upstream connection, kept alive with
it. The answer is relayed as it arrives while a copy (up to a cap) is kept; the complete exchange goes to
`on_exchange`, off the relay's path, so forensics and printing never add latency to the bot's call.

Fairness (tui.http1.fairness): at MAX_CONNECTIONS, or MAX_PER_PEER from one address, the connection that
has waited longest (idle, trickling its head or body, or not reading its answer) is closed to make room for the
newcomer; the head must arrive within HEAD_TIMEOUT_S of its first byte, the body within BODY_TIMEOUT_S of the
head, and a client that stops reading its answer is let go after answer.SEND_TIMEOUT_S.

A protocol switch (WebSocket) is one hook away: set `Relay.on_switch` and a request asking to switch is
forwarded; when the upstream answers 101 the hook gets both connections (see `Handover`). The proxy's WebSocket
side (ws_relay.py) is that hook; `switch_refusal` says when no more switches are taken (503, before forwarding).
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import cached_property

from tui.http1.fairness import ConnectionTable, Phase, Tracked
from tui.http1.reader import MessageReader
from tui.http1.rules import CONTINUE, Form, Refusal, check_head, expects_continue, origin_of, plain_answer, target_form
from tui.inspect.model import CapturedRequest
from tui.proxy import answer
from tui.proxy.answer import CHUNK, KEEP_BODY, MAX_HEAD, MAX_HEADERS, ClientGone, Received, UpstreamBroke, readable_body, relay_answer  # noqa: F401 - KEEP_BODY, readable_body: for tests
from tui.proxy.upstream import Upstream

MAX_REQUEST_BODY = 1024 * 1024  # like the emulator: a venue request is a few KiB; a bigger one is refused, not buffered
CONNECT_TIMEOUT_S = 10.0
IDLE_TIMEOUT_S = 30.0  # a kept-alive client between requests
HEAD_TIMEOUT_S = 10.0  # the whole head, from its first byte: a client sending a header every few seconds is let go
BODY_TIMEOUT_S = 30.0  # the whole body, from the head's end
UPSTREAM_TIMEOUT_S = 30.0  # the upstream's answer head, and each read of its body
MAX_CONNECTIONS = 64  # a bot needs a handful; past this the stalest waiting connection makes room
MAX_PER_PEER = 64
LINGER_S, LINGER_BYTES = 2.0, 4 * 1024 * 1024


@dataclass
class Relayed:
    """One exchange as the proxy saw it: what came in (and went out), what came back. `request` is built on
    first use, on the observer's thread: the relay's path only keeps references (a compressed answer is
    undone there too)."""

    parts: tuple[str, str, tuple[tuple[str, str], ...], bytes, str]  # method, url, headers, body, label
    answer: Received | None
    raw_request: bytes  # exactly the bytes forwarded upstream
    received_at_ms: float  # wall clock when the request head arrived
    elapsed_ms: float
    failure: str | None = None

    @cached_property
    def request(self) -> CapturedRequest:
        method, url, headers, body, label = self.parts
        response = self.answer.captured() if self.answer is not None else None
        return CapturedRequest(method, url, headers, body, "proxy", label, response)


@dataclass
class Handover:
    """A request that switched protocols (the upstream answered 101, already relayed to the client), for
    `Relay.on_switch`, which then carries both connections until either closes. The leftovers are bytes read
    past each side's head and not yet relayed: the client's go upstream, the upstream's to the client."""

    request: CapturedRequest
    client: tuple[asyncio.StreamReader, asyncio.StreamWriter]
    upstream: tuple[asyncio.StreamReader, asyncio.StreamWriter]
    client_leftover: bytes
    upstream_leftover: bytes
    fair: Callable[[Phase], None] | None = None  # puts the client in a phase of the fair table (STREAM: heard now)


class _Client(Tracked):
    """A client connection as the fairness table sees it."""

    def __init__(self, peer: str, writer: asyncio.StreamWriter) -> None:
        self.peer, self.writer = peer, writer
        self.evicted = False

    def evict(self, status: int, sentence: str) -> None:
        """Let it go (a deadline passed, or room was needed): a request it was sending gets the reason, then
        what it still sends is read and dropped for LINGER_S, so the reason is read rather than reset away."""
        self.evicted = True
        transport = self.writer.transport
        if transport.is_closing():
            return
        if self.phase is Phase.STREAM:  # a WebSocket link, between whole frames: a close with the reason, then the end
            from tui.proxy.ws_frames import close_frame

            transport.write(close_frame(1013, f"keyprobe proxy: {sentence}", masked=False))
            transport.abort()
            return
        if self.phase in (Phase.HEAD, Phase.BODY) and transport.can_write_eof():
            transport.write(plain_answer(status, f"keyprobe proxy: {sentence}.\n"))
            transport.write_eof()
            asyncio.get_running_loop().call_later(LINGER_S, transport.abort)
            return
        transport.abort()


class Relay:
    def __init__(self, upstream: Upstream, on_exchange: Callable[[Relayed], None]) -> None:
        self.upstream = upstream
        self.on_exchange = on_exchange
        self.on_switch: Callable[[Handover], Awaitable[None]] | None = None
        self.switch_refusal: Callable[[], str | None] | None = None  # why no more switches are taken now
        self._ssl = ssl.create_default_context() if upstream.tls else None
        self.connections = 0  # accepted since start
        self.tasks: set[asyncio.Task] = set()
        self.table: ConnectionTable | None = None
        self._sweeper: asyncio.TimerHandle | None = None

    @property
    def open(self) -> int:
        return len(self.table.open) if self.table is not None else 0

    async def close(self) -> None:
        """Cancel every connection still open (stop)."""
        if self._sweeper is not None:
            self._sweeper.cancel()
        tasks = [t for t in self.tasks if not t.done()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _table(self) -> ConnectionTable:
        if self.table is None:  # made on the loop's thread, at the first connection
            loop = asyncio.get_running_loop()
            self.table = ConnectionTable(loop.time, max_total=MAX_CONNECTIONS, max_per_peer=MAX_PER_PEER, idle_s=IDLE_TIMEOUT_S,
                                         head_s=HEAD_TIMEOUT_S, body_s=BODY_TIMEOUT_S, stalled_s=answer.SEND_TIMEOUT_S)
            self._sweep()
        return self.table

    def _sweep(self) -> None:
        self.table.sweep()
        self._sweeper = asyncio.get_running_loop().call_later(min(0.25, HEAD_TIMEOUT_S / 4), self._sweep)

    async def _connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        up = self.upstream
        return await asyncio.wait_for(
            asyncio.open_connection(up.host, up.port, ssl=self._ssl, server_hostname=up.host if self._ssl else None,
                                    limit=MAX_HEAD * 2),
            CONNECT_TIMEOUT_S,
        )

    def accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """asyncio.start_server's callback: serve the connection as a task of the relay's own. Handed the coroutine
        instead, Python 3.11's streams wrapper asks the task for its exception when it ends, and a task cancelled by
        stop() before its first step (a connection accepted as the signal came) raised CancelledError there: a
        traceback at exit, about one stop in five under load."""
        task = asyncio.get_running_loop().create_task(self.serve(reader, writer))
        self.tasks.add(task)  # counted from the start, so close() cancels it even before it runs
        task.add_done_callback(lambda done: self._served(done, writer))

    def _served(self, task: asyncio.Task, writer: asyncio.StreamWriter) -> None:
        self.tasks.discard(task)
        if task.cancelled():
            writer.close()  # cancelled before its first step: serve()'s own `finally` never ran to close it
        elif task.exception() is not None:  # serve() answers every exception itself; retrieved, so none is logged
            writer.close()

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """One client connection: requests in turn until either side closes."""
        self.connections += 1
        task = asyncio.current_task()
        if task is not None:
            self.tasks.add(task)
        table = self._table()
        peer = writer.get_extra_info("peername") or ("",)
        client = _Client(str(peer[0]), writer)
        upstream: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        last_word: tuple[int, str] | None = None  # a refusal, said once the request is over
        try:
            if not table.admit(client):
                last_word = 503, f"all {len(table.open)} connections are being answered; retry in a moment"
                return
            leftover = b""
            while True:
                got = await self._read_request(client, reader, writer, leftover)
                if got is None:
                    return  # the client closed, or was let go at a deadline
                msg, raw, body, leftover = got
                upstream, keep = await self._exchange(client, msg, raw, body, leftover, (reader, writer), upstream)
                if not keep:
                    return
        except Refusal as refused:
            last_word = refused.status, refused.sentence
        except (asyncio.IncompleteReadError, TimeoutError, ConnectionError, ClientGone):
            return  # the client went away, or stopped reading its answer
        except asyncio.CancelledError:
            return  # stop(): end quietly (3.11's stream callback reports a task that re-raises it as an error)
        except Exception as exc:  # noqa: BLE001 - a bug here must answer the bot, not hang it
            last_word = 502, f"keyprobe proxy failed on this request ({type(exc).__name__})"
        finally:
            table.forget(client)
            if upstream is not None:
                upstream[1].close()
            try:
                if last_word is not None:
                    await _refuse(writer, *last_word, reader)
            except asyncio.CancelledError:
                pass  # stop() while saying it: end quietly
            finally:
                self.tasks.discard(task)
                writer.close()

    async def _read_request(self, client: _Client, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                            data: bytes) -> tuple[MessageReader, bytes, bytes, bytes] | None:
        """One whole request: (what llhttp read, its raw bytes, its body dechunked, the bytes that followed it).
        Refusal for a request the proxy will not forward; None when the client closed or was let go."""
        table = self.table
        body = _Body()
        msg = MessageReader("request", max_head=MAX_HEAD, max_headers=MAX_HEADERS, max_body=MAX_REQUEST_BODY, on_body=body)
        raw = bytearray()
        while True:
            if data:
                if client.phase is Phase.IDLE:
                    table.enter(client, Phase.HEAD)
                end = msg.feed(data)
                if msg.head is not None and client.phase is Phase.HEAD:
                    self._check(msg)  # before a byte of the body is waited for
                    table.enter(client, Phase.BODY)
                    if end is None and expects_continue(msg.head):
                        writer.write(CONTINUE)  # the body comes to the proxy first, so the proxy says continue
                if end is not None:
                    raw += data[:end]
                    table.enter(client, Phase.BUSY)
                    return msg, bytes(raw), bytes(body), data[end:]
                raw += data
            try:
                data = await reader.read(CHUNK)
            except ConnectionError:
                return None
            if not data:
                return None
            if client.evicted:
                data = b""  # its answer is out: what it still sends is dropped until it closes or the linger ends

    def _check(self, msg: MessageReader) -> None:
        """What the proxy forwards: a head within the RFC's rules, a target it can forward to its upstream."""
        head = msg.head
        check_head(head)
        if target_form(head.method, head.target) is Form.AUTHORITY:
            raise Refusal(405, "the proxy is not a tunnel (CONNECT): point the bot's base URL at it instead")
        if msg.upgrade and self.on_switch is None:
            raise Refusal(501, "keyprobe proxy does not relay protocol switches (Upgrade, WebSocket) yet")
        if msg.upgrade and self.switch_refusal is not None and (why := self.switch_refusal()):
            raise Refusal(503, why)

    async def _exchange(self, client: _Client, msg: MessageReader, raw: bytes, body: bytes, leftover: bytes,
                        conn: tuple[asyncio.StreamReader, asyncio.StreamWriter],
                        upstream: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None):
        received_at_ms = time.time() * 1000
        started = time.perf_counter()
        head = msg.head
        absolute = target_form(head.method, head.target) is Form.ABSOLUTE
        target = origin_of(head.target) if absolute else head.target
        out = self._forwarded_head(raw[: msg.head_end], target if absolute else None) + raw[msg.head_end:]
        request = (head.method.upper(), f"{self.upstream.base_url}{target}", tuple(head.headers), body, f"{head.method} {target}")
        if upstream is None or upstream[0].at_eof() or upstream[1].is_closing():
            if upstream is not None:
                upstream[1].close()
            try:
                upstream = await self._connect()
            except (OSError, asyncio.TimeoutError) as exc:
                sentence = f"cannot reach {self.upstream.base_url}: {getattr(exc, 'strerror', None) or type(exc).__name__}"
                self._report(request, out, received_at_ms, started, None, sentence)
                raise Refusal(502, sentence) from None
        up_reader, up_writer = upstream
        try:
            up_writer.write(out)
            async with asyncio.timeout(UPSTREAM_TIMEOUT_S):
                await up_writer.drain()
            answer = await relay_answer(up_reader, conn[1], head_only=head.method == "HEAD", may_switch=msg.upgrade,
                                        timeout_s=UPSTREAM_TIMEOUT_S, stalled=lambda on: self.table.enter(client, Phase.STALLED if on else Phase.BUSY))
        except ClientGone as gone:
            up_writer.close()  # mid-answer: that connection cannot carry another request
            self._report(request, out, received_at_ms, started, None, str(gone))
            raise
        except (UpstreamBroke, OSError) as exc:
            up_writer.close()
            sentence = f"the upstream {self.upstream.base_url} {exc}" if isinstance(exc, UpstreamBroke) else (
                f"the upstream {self.upstream.base_url} failed mid-exchange ({type(exc).__name__})")
            self._report(request, out, received_at_ms, started, None, sentence)
            if isinstance(exc, UpstreamBroke) and exc.sent:
                conn[1].transport.abort()  # part of an answer is out: the client must see it cut, not complete
                return None, False
            raise Refusal(502, sentence) from None
        except BaseException:  # stop(): the connection made here is closed here
            up_writer.close()
            raise
        relayed = self._report(request, out, received_at_ms, started, answer.response, None)
        if answer.switched:
            try:
                await self.on_switch(Handover(relayed.request, conn, upstream, leftover, answer.leftover,
                                              lambda phase: self.table.enter(client, phase)))
            except Exception:  # noqa: BLE001 - past the 101 no HTTP answer may follow: the connections just end
                conn[1].transport.abort()
            finally:
                up_writer.close()
            return None, False
        if not answer.reusable:
            up_writer.close()
            upstream = None
        if answer.ends_at_close:  # kept open, the bot would wait for the rest of the body until IDLE_TIMEOUT_S
            return None, False
        self.table.enter(client, Phase.IDLE)
        return upstream, msg.keep_alive

    def _forwarded_head(self, head: bytes, origin: str | None) -> bytes:
        """The head as received, Host rewritten (or added when an HTTP/1.0 client sent none) and, for an
        absolute-form target, the request line in its `origin` form. llhttp accepted the head, so its lines
        end in CRLF and none is folded: each line after the first is one whole header field."""
        lines = head.lstrip(b"\r\n")[:-4].split(b"\r\n")  # empty lines before a request line are not part of it
        if origin is not None:  # llhttp lets runs of spaces separate the request line's parts: split on any run
            method, _, version = lines[0].split()
            lines[0] = b" ".join((method, origin.encode("latin-1"), version))
        host = self.upstream.netloc.encode()
        out, found = [lines[0]], False
        for line in lines[1:]:
            name = line.split(b":", 1)[0]
            if name.lower() == b"host":
                out.append(name + b": " + host)
                found = True
            else:
                out.append(line)
        if not found:
            out.append(b"Host: " + host)
        return b"\r\n".join(out) + b"\r\n\r\n"

    def _report(self, request: tuple, raw: bytes, received_at_ms: float, started: float, response: Received | None,
                failure: str | None) -> Relayed:
        elapsed = (time.perf_counter() - started) * 1000
        relayed = Relayed(request, response, raw, received_at_ms, elapsed, failure)
        try:
            self.on_exchange(relayed)
        except Exception:  # noqa: BLE001 - the observer's trouble must not break the bot's call
            pass
        return relayed


class _Body(bytearray):
    """The request body as llhttp hands it over (dechunked), for the analysis."""

    def __call__(self, data: bytes) -> None:
        self.extend(data)


async def _refuse(writer: asyncio.StreamWriter, status: int, sentence: str,
                  reader: asyncio.StreamReader | None = None) -> None:
    """Say why, then take (and drop) a bounded amount of what the client still sends: closing with its unsent
    body unread makes the kernel reset the connection, and the client would never read the sentence. A client
    that reads nothing gets LINGER_S in all."""
    try:
        async with asyncio.timeout(LINGER_S):
            writer.write(plain_answer(status, f"keyprobe proxy: {sentence}.\n"))
            await writer.drain()
            if reader is not None and writer.can_write_eof():
                writer.write_eof()
                dropped = 0
                while dropped < LINGER_BYTES and (data := await reader.read(CHUNK)):
                    dropped += len(data)
    except (OSError, RuntimeError, TimeoutError):
        pass
