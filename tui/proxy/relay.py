"""The proxy's HTTP/1.1 relay: each request forwarded byte for byte, each answer streamed back as it arrives.

Only the Host header is rewritten (to the upstream's: the venue routes on it and no signature covers it);
the request line, every other header and the body go out exactly as received. Each client connection gets
its own upstream connection, kept alive with it. The answer is relayed chunk by chunk while a copy (up to a
cap) is kept; once the exchange is complete it is handed to `on_exchange`, off the relay's path, so
forensics and printing never add latency to the bot's call.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

from tui.inspect.lint import HTTP_TOKEN
from tui.inspect.model import CapturedRequest, CapturedResponse
from tui.proxy.upstream import Upstream

MAX_HEAD = 64 * 1024
MAX_REQUEST_BODY = 1024 * 1024  # like the emulator: a venue request is a few KiB; a bigger one is refused, not buffered
KEEP_BODY = 1024 * 1024  # bytes of each answer body kept for the analysis; the client gets them all
CHUNK = 64 * 1024
CONNECT_TIMEOUT_S = 10.0
HEAD_TIMEOUT_S = 10.0  # like the emulator: a client sending its head a header every few seconds is let go
READ_TIMEOUT_S = 60.0  # the rest of a request's body, once its head has come
UPSTREAM_TIMEOUT_S = 30.0  # the upstream's answer head, and each read of its body
MAX_CONNECTIONS = 64  # a bot needs a handful; past this a connection is answered 503 at once


@dataclass(frozen=True)
class Relayed:
    """One exchange as the proxy saw it: what came in (and went out), what came back."""

    request: CapturedRequest
    raw_request: bytes  # exactly the bytes forwarded upstream
    received_at_ms: float  # wall clock when the request head arrived
    elapsed_ms: float
    failure: str | None = None


class _Bad(Exception):
    def __init__(self, status: int, sentence: str) -> None:
        super().__init__(sentence)
        self.status = status


def _headers(lines: list[bytes]) -> list[tuple[str, str]]:
    out = []
    for line in lines:
        name, sep, value = line.decode("latin-1").partition(":")
        if sep:
            out.append((name.strip(), value.strip(" \t")))
    return out


def _value(headers: list[tuple[str, str]], name: str) -> str | None:
    return next((v for k, v in headers if k.lower() == name), None)


async def _read_chunked(reader: asyncio.StreamReader, sink: Callable[[bytes], object] | None,
                        cap: int | None = None, per_read_s: float | None = None) -> tuple[bytes, bytes]:
    """Read a chunked body; returns (raw bytes as framed, decoded body up to KEEP_BODY). With a `sink` the raw
    bytes go to it as they come and are not kept (an answer); without one they are kept, at most `cap` (a request)."""
    raw, body = bytearray(), bytearray()

    async def take(data: bytes) -> None:
        if sink is not None:
            await sink(data)
            return
        raw.extend(data)
        if cap is not None and len(raw) > cap:
            raise _Bad(413, f"the request body is larger than {cap // 1024} KiB, the most the proxy relays")

    while True:
        async with asyncio.timeout(per_read_s):
            line = await reader.readuntil(b"\n")
        await take(line)
        try:
            size = int(line.split(b";", 1)[0].strip() or b"x", 16)
        except ValueError:
            raise _Bad(400, "a chunk size that is not hexadecimal") from None
        if size == 0:
            while True:
                async with asyncio.timeout(per_read_s):
                    trailer = await reader.readuntil(b"\n")
                await take(trailer)
                if trailer in (b"\r\n", b"\n"):
                    return bytes(raw), bytes(body)
        if sink is None and cap is not None and len(raw) + size > cap:  # refused from the size line alone
            raise _Bad(413, f"the request body is larger than {cap // 1024} KiB, the most the proxy relays")
        async for data in _pieces(reader, size, per_read_s):  # a huge chunk from the upstream is streamed, not held
            if len(body) < KEEP_BODY:
                body += data[: KEEP_BODY - len(body)]
            await take(data)
        async with asyncio.timeout(per_read_s):
            crlf = await reader.readuntil(b"\n")
        await take(crlf)


async def _pieces(reader: asyncio.StreamReader, left: int, per_read_s: float | None) -> AsyncIterator[bytes]:
    """Exactly `left` bytes from `reader`, in pieces of at most CHUNK, each read under the deadline."""
    while left:
        async with asyncio.timeout(per_read_s):
            data = await reader.read(min(CHUNK, left))
        if not data:
            raise asyncio.IncompleteReadError(b"", left)
        left -= len(data)
        yield data


class Relay:
    def __init__(self, upstream: Upstream, on_exchange: Callable[[Relayed], None]) -> None:
        self.upstream = upstream
        self.on_exchange = on_exchange
        self._ssl = ssl.create_default_context() if upstream.tls else None
        self.connections = 0  # accepted since start
        self.open = 0  # open now
        self.tasks: set[asyncio.Task] = set()

    async def close(self) -> None:
        """Cancel every connection still open (stop)."""
        tasks = [t for t in self.tasks if not t.done()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        up = self.upstream
        return await asyncio.wait_for(
            asyncio.open_connection(up.host, up.port, ssl=self._ssl, server_hostname=up.host if self._ssl else None,
                                    limit=MAX_HEAD * 2),
            CONNECT_TIMEOUT_S,
        )

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """One client connection: requests in turn until either side closes."""
        self.connections += 1
        task = asyncio.current_task()
        if task is not None:
            self.tasks.add(task)
        self.open += 1
        upstream: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        try:
            if self.open > MAX_CONNECTIONS:
                await _refuse(writer, 503, f"more than {MAX_CONNECTIONS} connections are open; close idle ones and retry")
                return
            while True:
                try:
                    async with asyncio.timeout(HEAD_TIMEOUT_S):
                        head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError, TimeoutError):
                    return  # gone, or idle/too slow past HEAD_TIMEOUT_S: closed (a kept-alive client reconnects)
                except (asyncio.LimitOverrunError, ValueError):
                    await _refuse(writer, 431, f"the request head is larger than {MAX_HEAD // 1024} KiB")
                    return
                if len(head) > MAX_HEAD:
                    await _refuse(writer, 431, f"the request head is larger than {MAX_HEAD // 1024} KiB")
                    return
                try:
                    upstream, keep = await self._exchange(head, reader, writer, upstream)
                except _Bad as bad:
                    await _refuse(writer, bad.status, str(bad), reader)
                    return
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, asyncio.TimeoutError, ConnectionError):
                    return  # the client went away, or stalled mid-request: nothing to answer
                except Exception as exc:  # noqa: BLE001 - a bug here must answer the bot, not hang it
                    await _refuse(writer, 502, f"keyprobe proxy failed on this request ({type(exc).__name__})")
                    return
                if not keep:
                    return
        except asyncio.CancelledError:
            return  # stop(): end quietly (3.11's stream callback reports a task that re-raises it as an error)
        finally:
            self.open -= 1
            self.tasks.discard(task)
            for w in (writer, upstream[1] if upstream else None):
                if w is not None:
                    w.close()

    async def _exchange(self, head: bytes, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                        upstream: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None):
        received_at_ms = time.time() * 1000
        started = time.perf_counter()
        lines = head[:-4].split(b"\r\n")
        try:
            method, target, version = lines[0].decode("latin-1").split(" ", 2)
        except ValueError:
            raise _Bad(400, "the request line is not METHOD TARGET HTTP/1.1") from None
        if not HTTP_TOKEN.fullmatch(method):  # a control character in it would reach the upstream and our output
            raise _Bad(400, "the request method is not an HTTP token (letters, digits and !#$%&'*+-.^_`|~ only)")
        if "://" in target:  # absolute form (a client told to use us as its HTTP proxy): forward the origin form
            rest = target.split("://", 1)[1]
            target = "/" + rest.split("/", 1)[1] if "/" in rest else "/"
            lines[0] = f"{method} {target} {version}".encode("latin-1")
        headers = _headers(lines[1:])
        out_lines = [lines[0]] + [
            b"Host: " + self.upstream.netloc.encode() if line.lower().startswith(b"host:") else line for line in lines[1:]
        ]
        if not any(line.lower().startswith(b"host:") for line in lines[1:]):
            out_lines.append(b"Host: " + self.upstream.netloc.encode())
        out_head = b"\r\n".join(out_lines) + b"\r\n\r\n"
        # the body, exactly as framed
        if "chunked" in (_value(headers, "transfer-encoding") or "").lower():
            async with asyncio.timeout(READ_TIMEOUT_S):
                raw_body, body = await _read_chunked(reader, None, MAX_REQUEST_BODY)
        else:
            length = _value(headers, "content-length") or "0"
            if not length.strip().isdigit():
                raise _Bad(400, "a Content-Length that is not a number")
            if int(length) > MAX_REQUEST_BODY:  # refused from the header alone: nothing of it is read
                raise _Bad(413, f"the request body is {int(length):,} bytes; the proxy relays at most "
                           f"{MAX_REQUEST_BODY // 1024} KiB (a venue request is a few KiB)")
            async with asyncio.timeout(READ_TIMEOUT_S):
                raw_body = body = await reader.readexactly(int(length)) if int(length) else b""
        url = f"{self.upstream.base_url}{target}"
        request = CapturedRequest(method.upper(), url, tuple(headers), body, "proxy", f"{method} {target}")
        if upstream is None or upstream[0].at_eof() or upstream[1].is_closing():
            if upstream is not None:
                upstream[1].close()
            try:
                upstream = await self._connect()
            except (OSError, asyncio.TimeoutError) as exc:
                sentence = f"cannot reach {self.upstream.base_url}: {getattr(exc, 'strerror', None) or type(exc).__name__}"
                self._report(request, out_head + raw_body, received_at_ms, started, None, sentence)
                raise _Bad(502, sentence) from None
        up_reader, up_writer = upstream
        try:
            up_writer.write(out_head + raw_body)
            await up_writer.drain()
            response, keep = await self._relay_answer(method, up_reader, writer)
        except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError, asyncio.LimitOverrunError) as exc:
            if isinstance(exc, TimeoutError):
                sentence = f"the upstream {self.upstream.base_url} did not answer within {UPSTREAM_TIMEOUT_S:g} s"
            else:
                sentence = f"the upstream {self.upstream.base_url} failed mid-exchange ({type(exc).__name__})"
            self._report(request, out_head + raw_body, received_at_ms, started, None, sentence)
            raise _Bad(502, sentence) from None
        client_close = (_value(headers, "connection") or "").lower() == "close" or version.strip() == "HTTP/1.0"
        request = CapturedRequest(request.method, url, request.headers, body, "proxy", request.label, response)
        self._report(request, out_head + raw_body, received_at_ms, started, response, None)
        if not keep:
            up_writer.close()
            upstream = None
        return upstream, keep and not client_close

    async def _relay_answer(self, method: str, up: asyncio.StreamReader, writer: asyncio.StreamWriter):
        async with asyncio.timeout(UPSTREAM_TIMEOUT_S):  # cheaper than wait_for per read (no task per call)
            head = await up.readuntil(b"\r\n\r\n")
        lines = head[:-4].split(b"\r\n")
        parts = lines[0].decode("latin-1").split(" ", 2)
        status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
        headers = _headers(lines[1:])
        keep = (_value(headers, "connection") or "").lower() != "close"
        pending = [head]  # the head goes out with the first body bytes: one send instead of two

        def emit(data: bytes) -> None:
            if pending:
                data = pending.pop() + data
            writer.write(data)

        async def sink(data: bytes) -> None:
            emit(data)
            await writer.drain()

        body = bytearray()
        if method.upper() == "HEAD" or status in (204, 304) or (status is not None and status < 200):
            pass
        elif "chunked" in (_value(headers, "transfer-encoding") or "").lower():
            _, decoded = await _read_chunked(up, sink, per_read_s=UPSTREAM_TIMEOUT_S)
            body += decoded
        elif (length := _value(headers, "content-length")) is not None and length.strip().isdigit():
            async for data in _pieces(up, int(length), UPSTREAM_TIMEOUT_S):
                if len(body) < KEEP_BODY:
                    body += data[: KEEP_BODY - len(body)]
                await sink(data)  # a large body: let the client take it at its pace
        else:  # no framing: the body runs until the upstream closes
            keep = False
            while True:
                async with asyncio.timeout(UPSTREAM_TIMEOUT_S):
                    data = await up.read(CHUNK)
                if not data:
                    break
                if len(body) < KEEP_BODY:
                    body += data[: KEEP_BODY - len(body)]
                await sink(data)
        if pending:
            writer.write(pending.pop())
        await writer.drain()
        readable = readable_body(bytes(body), _value(headers, "content-encoding"))
        return CapturedResponse(status, tuple(headers), readable), keep

    def _report(self, request: CapturedRequest, raw: bytes, received_at_ms: float, started: float,
                response: CapturedResponse | None, failure: str | None) -> None:
        elapsed = (time.perf_counter() - started) * 1000
        try:
            self.on_exchange(Relayed(request, raw, received_at_ms, elapsed, failure))
        except Exception:  # noqa: BLE001 - the observer's trouble must not break the bot's call
            pass


def readable_body(body: bytes, encoding: str | None) -> bytes:
    """The body as the analysis reads it: gzip or deflate undone (the client got the bytes unchanged).
    At most KEEP_BODY bytes come out, whatever the compression ratio; a broken stream is kept as it came."""
    from tui.body_decoding import decoded_prefix

    return decoded_prefix(body, encoding, KEEP_BODY)


LINGER_S, LINGER_BYTES = 2.0, 4 * 1024 * 1024


async def _refuse(writer: asyncio.StreamWriter, status: int, sentence: str,
                  reader: asyncio.StreamReader | None = None) -> None:
    body = f"keyprobe proxy: {sentence}.\n".encode()
    reason = {400: "Bad Request", 413: "Content Too Large", 431: "Request Header Fields Too Large", 502: "Bad Gateway",
              503: "Service Unavailable"}.get(status, "Error")
    head = (f"HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain; charset=utf-8\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
    try:
        writer.write(head + body)
        await writer.drain()
        if reader is not None and writer.can_write_eof():
            # Closing with the client's unsent body unread makes the kernel reset the connection, and the
            # client never reads the sentence: say it, then take (and drop) a bounded amount of the rest.
            writer.write_eof()
            async with asyncio.timeout(LINGER_S):
                dropped = 0
                while dropped < LINGER_BYTES and (data := await reader.read(CHUNK)):
                    dropped += len(data)
    except (OSError, RuntimeError, TimeoutError):
        pass
