"""The one send path: Draft -> signed httpx request -> bytes on the wire -> Exchange.

The console, the CLI, replay, probe and the clock all send through `Wire.send`. It never raises:
anything that goes wrong between the draft and the last byte of the answer comes back as an
Exchange with a TransportFailure that says, in a sentence, what happened and what to try.

Why it is built this way:
- one httpx.AsyncClient per base URL, kept alive, so repeated sends (and clock samples) reuse the
  connection and the timings show the request, not the handshake;
- the request is built first and signed by a NEW VenueSigner inside httpx's auth flow, on the final
  request object, so the signed bytes are the sent bytes;
- phase timings come from httpcore's `trace` extension, which stamps the moments the headers went
  out and came back (the clock uses those stamps: they exclude pool, DNS, connect and body time);
- the body is streamed and kept up to a cap, so a 1 GB answer cannot eat the memory.
"""

from __future__ import annotations

import asyncio
import errno
import functools
import logging
import socket
import ssl
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx

from keys.signing import AuthLevel, Clock, Credentials, HeaderSet, SigningRefused, VenueSigner, masked_header_value
from tui.exchange import (
    Draft,
    Exchange,
    FailureKind,
    RateLimit,
    ResponseData,
    SentRequest,
    Timings,
    TransportFailure,
)
from tui.venues import LOOPBACK_HOSTS, signing_hosts

# httpx logs every request at INFO; keyprobe shows requests itself and never wants them in a log.
for _name in ("httpx", "httpcore"):
    logging.getLogger(_name).setLevel(logging.WARNING)

DEFAULT_BODY_CAP = 32 * 1024 * 1024
DEFAULT_CONNECT_S = 5.0
DEFAULT_READ_S = 15.0
DEFAULT_WRITE_S = 15.0
DEFAULT_POOL_S = 5.0
# After the cap, keep reading (and counting) this much more so the size shown is the real one;
# past it, stop: an endless stream must not hold the send forever.
DRAIN_LIMIT = 256 * 1024 * 1024
USER_AGENT = "keyprobe/0.1"
RATE_LIMIT_PREFIXES = ("x-bm-ratelimit-", "x-api-ratelimit-")


@dataclass
class Trace:
    """Monotonic stamps of one send, plus the wall clock read at the same instant as the first.

    `wall_ms(perf_ns)` turns any stamp into wall-clock milliseconds without a second wall read, so
    an NTP step during the request cannot bend the interval (ecosystem.md 2.2).
    """

    wall0_ns: int = 0
    perf0_ns: int = 0
    events: dict[str, int] = field(default_factory=dict)  # "send_request_headers.started" -> perf ns
    end_ns: int | None = None

    @classmethod
    def start(cls) -> Trace:
        wall, perf = time.time_ns(), time.perf_counter_ns()
        return cls(wall0_ns=wall, perf0_ns=perf)

    async def record(self, name: str, info: dict) -> None:
        # "http11.send_request_headers.started" / "http2.…" / "connection.connect_tcp.started" are
        # kept by phase, without the prefix; the first stamp of each wins.
        phase = name[name.find(".") + 1 :]
        if phase not in self.events:
            self.events[phase] = time.perf_counter_ns()

    def at(self, event: str) -> int | None:
        return self.events.get(event)

    def wall_ms(self, perf_ns: int) -> float:
        return (self.wall0_ns + (perf_ns - self.perf0_ns)) / 1e6

    @property
    def request_started_ns(self) -> int | None:
        """When the first byte of the request headers was handed to the socket."""
        return self.at("send_request_headers.started")

    @property
    def response_headers_ns(self) -> int | None:
        """When the response status line and headers had been read."""
        return self.at("receive_response_headers.complete")

    def timings(self) -> Timings:
        def span(a: int | None, b: int | None) -> float | None:
            return None if a is None or b is None else round((b - a) / 1e6, 3)

        sent = self.at("send_request_body.complete")
        headers = self.response_headers_ns
        body_end = self.at("receive_response_body.complete") or (self.end_ns if headers else None)
        return Timings(
            connect_ms=span(self.at("connect_tcp.started"), self.at("connect_tcp.complete")),
            tls_ms=span(self.at("start_tls.started"), self.at("start_tls.complete")),
            request_sent_ms=span(self.request_started_ns, sent),
            first_byte_ms=span(sent, headers),
            body_ms=span(headers, body_end),
            total_ms=span(self.perf0_ns, self.end_ns),
        )


TraceHook = Callable[[str, dict], Awaitable[None]]


class Wire:
    """Sends Drafts. One kept-alive AsyncClient per base URL; use as `async with Wire() as wire:`."""

    def __init__(
        self,
        *,
        timeout: float | None = None,
        read_timeout: float = DEFAULT_READ_S,
        connect_timeout: float = DEFAULT_CONNECT_S,
        write_timeout: float | None = None,
        pool_timeout: float = DEFAULT_POOL_S,
        body_cap: int = DEFAULT_BODY_CAP,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        """`timeout` (seconds) is the one knob a person sets: it becomes the read and write timeout, and
        connecting gets at most 5 s (or `timeout`, if shorter). The other arguments set each phase."""
        if timeout is not None:
            if timeout <= 0:
                raise ValueError("the timeout must be more than 0 seconds")
            read_timeout, write_timeout, connect_timeout = timeout, timeout, min(connect_timeout, timeout)
        self.timeout = httpx.Timeout(
            connect=connect_timeout,
            read=read_timeout,
            write=write_timeout if write_timeout is not None else max(read_timeout, DEFAULT_WRITE_S),
            pool=pool_timeout,
        )
        self.body_cap = body_cap
        self._transport = transport  # tests pass an httpx.MockTransport; None = the real network
        self._clients: dict[str, httpx.AsyncClient] = {}

    @classmethod
    def with_timeout(cls, seconds: float | None, **kwargs: object) -> Wire:
        """A Wire whose read/write timeout is `seconds` (None: the defaults)."""
        return cls(timeout=seconds, **kwargs)  # type: ignore[arg-type]

    # -- clients ---------------------------------------------------------------------------------
    def client_for(self, base_url: str) -> httpx.AsyncClient:
        client = self._clients.get(base_url)  # the common case: the exact string seen before
        if client is not None and not client.is_closed:
            return client
        parts = urlsplit(base_url)
        key = f"{parts.scheme}://{parts.netloc}".lower()
        client = self._clients.get(key)
        if client is None or client.is_closed:
            client = httpx.AsyncClient(
                timeout=self.timeout,
                transport=self._transport,
                headers={"User-Agent": USER_AGENT},
                # A proxy from the environment must not sit between keyprobe and the local emulator.
                trust_env=(parts.hostname or "") not in LOOPBACK_HOSTS,
                follow_redirects=False,
            )
            self._clients[key] = client
        self._clients[base_url] = client
        return client

    async def aclose(self) -> None:
        clients, self._clients = {id(c): c for c in self._clients.values()}, {}
        for client in clients.values():
            await client.aclose()

    async def __aenter__(self) -> Wire:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    # -- sending ---------------------------------------------------------------------------------
    async def send(
        self,
        draft: Draft,
        credentials: Credentials | None,
        *,
        clock: Clock | None = None,
        allowed_hosts: frozenset[str] | None = None,
        venue_name: str | None = None,
    ) -> Exchange:
        """Sign and send `draft`; never raises (a failure is in `Exchange.failure`)."""
        exchange, _ = await self.send_traced(
            draft, credentials, clock=clock, allowed_hosts=allowed_hosts, venue_name=venue_name
        )
        return exchange

    async def send_traced(
        self,
        draft: Draft,
        credentials: Credentials | None,
        *,
        clock: Clock | None = None,
        allowed_hosts: frozenset[str] | None = None,
        venue_name: str | None = None,
    ) -> tuple[Exchange, Trace]:
        """`send`, also returning the raw monotonic stamps (the clock estimate needs them)."""
        venue = draft.venue
        started_at = time.time()
        trace = Trace.start()
        request: httpx.Request | None = None
        signer: VenueSigner | None = None
        try:
            client = self.client_for(venue.base_url)
            trace = Trace.start()  # after the client: its one-time set-up (an SSL context, ~40 ms) is not this send's time
            request = client.build_request(draft.method.upper(), draft.url, content=draft.body_bytes or None)
            signer = VenueSigner(
                credentials,
                venue.header_set,
                draft.auth_level,
                clock,
                allowed_hosts if allowed_hosts is not None else signing_hosts(venue),
                venue_name or venue.name,
            )
            request.extensions["trace"] = trace.record
            response = await client.send(request, auth=signer, stream=True)
            try:
                body, truncated, size = await self._read_body(response)
            finally:
                await response.aclose()
            trace.end_ns = time.perf_counter_ns()
        except Exception as exc:  # noqa: BLE001 - the contract is: never raise, explain instead
            trace.end_ns = time.perf_counter_ns()
            failure = classify(exc, draft, request)
            sent = None if failure.kind is FailureKind.SIGNING_REFUSED or request is None else _sent(request, signer, draft)
            exchange = Exchange(draft=draft, request=sent, failure=failure, timings=trace.timings(), started_at=started_at)
            return exchange, trace
        data = ResponseData(
            status=response.status_code,
            reason=response.reason_phrase,
            headers=tuple((k.decode("latin-1"), v.decode("latin-1")) for k, v in response.headers.raw),
            body=body,
            truncated=truncated,
            size=size,
            http_version=response.http_version,
        )
        exchange = Exchange(
            draft=draft,
            request=_sent(response.request, signer, draft),
            response=data,
            timings=trace.timings(),
            rate_limit=parse_rate_limit(data.headers),
            started_at=started_at,
        )
        return exchange, trace

    async def _read_body(self, response: httpx.Response) -> tuple[bytes, bool, int]:
        chunks: list[bytes] = []
        kept = size = 0
        cap = self.body_cap
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if kept < cap:
                piece = chunk if kept + len(chunk) <= cap else chunk[: cap - kept]
                chunks.append(piece)
                kept += len(piece)
            elif size > cap + DRAIN_LIMIT:
                break
        body = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        return body, size > cap, size


@functools.cache
def _secret_header_names(hs: HeaderSet) -> frozenset[bytes]:
    return frozenset({hs.key.lower().encode(), hs.sign.lower().encode()})


def _sent(request: httpx.Request, signer: VenueSigner | None, draft: Draft) -> SentRequest:
    """The request as it went out, key and signature masked, headers in wire order."""
    hs = draft.venue.header_set
    secret_names = _secret_header_names(hs)
    headers = []
    for k, v in request.headers.raw:
        name, value = k.decode("latin-1"), v.decode("latin-1")
        if k.lower() in secret_names:
            value = masked_header_value(name, value, hs)
        headers.append((name, value))
    try:
        body = request.content
    except httpx.RequestNotRead:
        body = draft.body_bytes
    return SentRequest(
        method=request.method,
        url=str(request.url),
        headers=tuple(headers),
        body=body,
        evidence=signer.evidence if signer is not None else None,
    )


def parse_rate_limit(headers: tuple[tuple[str, str], ...]) -> RateLimit:
    """X-BM-RateLimit-* / X-API-RateLimit-* (any case): Remaining, Limit, Reset as ints, Mode as text."""
    found: dict[str, str] = {}
    for name, value in headers:
        lname = name.lower()
        if lname.startswith(RATE_LIMIT_PREFIXES):
            found.setdefault(lname.split("ratelimit-", 1)[1], value.strip())

    def as_int(key: str) -> int | None:
        text = found.get(key)
        try:
            return int(text) if text is not None else None
        except ValueError:
            try:
                return int(float(text))  # "10.0" has been seen from proxies; keep the figure
            except ValueError:
                return None

    return RateLimit(remaining=as_int("remaining"), limit=as_int("limit"), reset=as_int("reset"), mode=found.get("mode") or None)


# -- transport failures, in sentences ---------------------------------------------------------------
def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    cur: BaseException | None = exc
    while cur is not None and cur not in seen:
        seen.append(cur)
        cur = cur.__cause__ or cur.__context__
    return seen


def _where(draft: Draft, request: httpx.Request | None) -> str:
    url = request.url if request is not None else None
    if url is None:
        try:
            url = httpx.URL(draft.url)
        except Exception:  # noqa: BLE001
            return draft.venue.base_url
    port = url.port or (443 if url.scheme == "https" else 80)
    host = url.host or "?"
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def classify(exc: BaseException, draft: Draft, request: httpx.Request | None = None) -> TransportFailure:
    """Name the failure and explain it to a person."""
    where = _where(draft, request)
    emulator = draft.venue.is_emulator
    detail = f"{type(exc).__name__}: {exc}".strip().rstrip(":")
    chain = _chain(exc)
    text = " ".join(str(e) for e in chain).lower()

    def fail(kind: FailureKind, sentence: str) -> TransportFailure:
        return TransportFailure(kind=kind, sentence=sentence, detail=detail)

    if isinstance(exc, SigningRefused):
        return fail(FailureKind.SIGNING_REFUSED, f"{exc} Nothing was sent.")
    if isinstance(exc, httpx.ConnectTimeout):
        return fail(FailureKind.CONNECT_TIMEOUT, f"Could not connect to {where} in time: the host did not answer the connection. "
                    "Check the address, a firewall or VPN, or raise the timeout.")
    if isinstance(exc, httpx.ReadTimeout):
        return fail(FailureKind.READ_TIMEOUT, f"{where} accepted the request but did not finish answering in time. "
                    "The server may be overloaded; try again or raise the timeout.")
    if isinstance(exc, httpx.WriteTimeout):
        return fail(FailureKind.WRITE_TIMEOUT, f"Sending the request to {where} timed out: the server stopped reading. Try again.")
    if isinstance(exc, httpx.PoolTimeout):
        return fail(FailureKind.POOL_TIMEOUT, f"No free connection to {where} became available in time: too many requests in flight.")
    if any(isinstance(e, socket.gaierror) for e in chain) or any(
        s in text for s in ("name or service not known", "nodename nor servname", "getaddrinfo", "temporary failure in name resolution", "no address associated")
    ):
        host = (request.url.host if request is not None else None) or where
        return fail(FailureKind.DNS, f"The name {host} could not be resolved (DNS). Check the spelling of the base URL and your network.")
    if any(isinstance(e, ConnectionRefusedError) for e in chain) or "connection refused" in text or f"errno {errno.ECONNREFUSED}" in text:
        hint = " Is the emulator running? Start it with `keyprobe emulator`." if emulator or _is_loopback(request) else " Check the base URL and port."
        return fail(FailureKind.REFUSED, f"Connection refused by {where}: nothing is listening there.{hint}")
    if any(isinstance(e, ssl.SSLError) for e in chain) or (
        isinstance(exc, httpx.ConnectError) and any(s in text for s in ("ssl", "certificate", "tls"))
    ):
        return fail(FailureKind.TLS, f"The TLS handshake with {where} failed: {_first_line(chain)}. "
                    "Check that the base URL uses the right scheme (https vs http) and that no proxy intercepts it.")
    if any(isinstance(e, (ConnectionResetError, BrokenPipeError, ConnectionAbortedError)) for e in chain) or "reset by peer" in text:
        return fail(FailureKind.RESET, f"{where} reset the connection in the middle of the exchange. "
                    "A proxy, a firewall, or the server itself dropped it; try again.")
    if isinstance(exc, httpx.RemoteProtocolError) and ("disconnected" in text or "peer closed" in text):
        return fail(FailureKind.RESET, f"{where} closed the connection without sending a complete answer. "
                    "The server dropped it (a crash, a restart, or a proxy cut it); try again.")
    if isinstance(exc, (httpx.ReadError, httpx.WriteError)):
        return fail(FailureKind.RESET, f"The connection to {where} broke while {'reading' if isinstance(exc, httpx.ReadError) else 'sending'}: "
                    f"{_first_line(chain)}. Try again.")
    if isinstance(exc, httpx.ProtocolError):
        return fail(FailureKind.PROTOCOL, f"{where} answered with something that is not valid HTTP: {_first_line(chain)}. "
                    "Is the base URL pointing at an HTTP API (and the right scheme)?")
    if isinstance(exc, httpx.UnsupportedProtocol):
        return fail(FailureKind.OTHER, f"The base URL {draft.venue.base_url!r} needs to start with http:// or https://.")
    if isinstance(exc, (httpx.InvalidURL, ValueError)) and "url" in text:
        return fail(FailureKind.OTHER, f"The URL {draft.url!r} is not valid: {_first_line(chain)}.")
    if isinstance(exc, httpx.ConnectError):
        return fail(FailureKind.OTHER, f"Could not connect to {where}: {_first_line(chain)}.")
    return fail(FailureKind.OTHER, f"The request to {where} failed: {_first_line(chain)}.")


def _first_line(chain: list[BaseException]) -> str:
    for e in chain:
        text = str(e).strip()
        if text:
            return text.splitlines()[0]
    return type(chain[0]).__name__


def _is_loopback(request: httpx.Request | None) -> bool:
    return request is not None and (request.url.host or "") in LOOPBACK_HOSTS


def send_once(
    draft: Draft,
    credentials: Credentials | None,
    *,
    clock: Clock | None = None,
    allowed_hosts: frozenset[str] | None = None,
    venue_name: str | None = None,
    timeout: float | None = None,
    body_cap: int = DEFAULT_BODY_CAP,
) -> Exchange:
    """One send from synchronous code (the CLI): a Wire that lives for this call only."""

    async def go() -> Exchange:
        async with Wire.with_timeout(timeout, body_cap=body_cap) as wire:
            return await wire.send(draft, credentials, clock=clock, allowed_hosts=allowed_hosts, venue_name=venue_name)

    return asyncio.run(go())


__all__ = [
    "AuthLevel",
    "DEFAULT_BODY_CAP",
    "Trace",
    "Wire",
    "classify",
    "parse_rate_limit",
    "send_once",
]
