"""The one send path: Draft -> signed httpx request -> bytes on the wire -> Exchange.

The console, the CLI, replay, probe and the clock all send through `Wire.send`. It never raises:
anything that goes wrong between the draft and the last byte of the answer comes back as an
Exchange with a TransportFailure that says, in a sentence, what happened and what to try.

Why it is built this way:
- one httpx.AsyncClient per base URL, kept alive, so repeated sends (and clock samples) reuse the
  connection and the timings show the request, not the handshake;
- the request is built by `build_request` (the exports build theirs there too, so an export carries the
  headers a send carries) and signed by a NEW VenueSigner, from the SigningContext, inside httpx's auth
  flow on the final request object, so the signed bytes are the sent bytes;
- phase timings come from httpcore's `trace` extension, which stamps the moments the headers went
  out and came back (the clock uses those stamps: they exclude pool, DNS, connect and body time);
- the body is streamed and kept up to a cap, so a 1 GB answer cannot eat the memory;
- the whole exchange has a deadline (asyncio.timeout, --timeout or 30 s): httpx's timeouts are per read;
- once httpcore stamps the start of the request headers, the Exchange says SENT whatever fails after;
- no proxy, .netrc or environment variable is used unless the person chose a proxy, which is then named.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Generator, Iterator
from time import perf_counter_ns
from urllib.parse import urlsplit

import httpx

from keys.hosts import shown_proxy
from keys.secret import Secret
from keys.signing import AuthLevel, Credentials, HeaderSet
from keys.venue_signer import VenueSigner
from tui.transport.body_decoding import ACCEPT_ENCODING, BoundedDecoder
from tui.exchange import (
    Draft,
    Exchange,
    FailureKind,
    RateLimit,
    ResponseData,
    SentRequest,
    TransportFailure,
)
from tui.transport.failures import DeadlineExceeded, classify
from tui.signing_context import SigningContext, context_for
from tui.transport.trace import Trace

DEFAULT_BODY_CAP = 32 * 1024 * 1024
DEFAULT_CONNECT_S = 5.0
DEFAULT_READ_S = 15.0
DEFAULT_WRITE_S = 15.0
DEFAULT_POOL_S = 5.0
# The whole exchange, connect to last byte: httpx's timeouts are per read, so a server trickling one byte
# every few seconds would otherwise hold a send for minutes. --timeout sets it; this is the default.
DEFAULT_DEADLINE_S = 30.0
# A request body goes to the socket in pieces of this size: handed over whole, asyncio's transport copies
# whatever one send() leaves unsent (a slice, then its buffer), two copies of a 20 MB body.
BODY_PIECE = 256 * 1024
# After the cap, keep reading (and counting) this much more so the size shown is the real one;
# past it, stop: an endless stream must not hold the send forever.
DRAIN_LIMIT = 256 * 1024 * 1024
USER_AGENT = "keyprobe/0.1"
CLIENT_HEADERS = {"User-Agent": USER_AGENT}  # httpx adds its own defaults (Accept, Accept-Encoding, Connection)
RATE_LIMIT_PREFIXES = ("x-bm-ratelimit-", "x-api-ratelimit-")


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
        proxy: str | None = None,
        trust_env: bool = False,
        deadline_name: str = "the --timeout",
    ) -> None:
        """`timeout` (seconds) is the one knob a person sets: the deadline of the whole exchange, connect
        to last byte (default 30 s), and also the read and write timeout; connecting gets at most 5 s (or
        `timeout`, if shorter). The other arguments set each phase.

        Proxies: none, unless the person chose one: `proxy` (--proxy URL) for every request, or
        `trust_env` (--trust-env) for the HTTP(S)_PROXY / NO_PROXY of the environment. A proxy that is
        used is named in the Exchange, so every output can say so."""
        self.deadline = DEFAULT_DEADLINE_S
        # How the failure names the deadline: "the --timeout of 10 s", "the console's timeout of 15 s", or the default.
        self.deadline_name = deadline_name if timeout is not None else None
        if timeout is not None:
            if timeout <= 0:
                raise ValueError("the timeout must be more than 0 seconds")
            read_timeout, write_timeout, connect_timeout = timeout, timeout, min(connect_timeout, timeout)
            self.deadline = timeout
        self.timeout = httpx.Timeout(
            connect=connect_timeout,
            read=read_timeout,
            write=write_timeout if write_timeout is not None else max(read_timeout, DEFAULT_WRITE_S),
            pool=pool_timeout,
        )
        self.body_cap = body_cap
        self._transport = transport  # tests pass an httpx.MockTransport; None = the real network
        self._clients: dict[str, httpx.AsyncClient] = {}
        self._proxies: dict[str, str | None] = {}  # client key -> the proxy its requests go through
        self.proxy = proxy
        self.trust_env = trust_env

    @classmethod
    def with_timeout(cls, seconds: float | None, **kwargs: object) -> Wire:
        """A Wire whose read/write timeout is `seconds` (None: the defaults)."""
        return cls(timeout=seconds, **kwargs)  # type: ignore[arg-type]

    # -- clients ---------------------------------------------------------------------------------
    def client_for(self, base_url: str, proxy: str | None = None) -> httpx.AsyncClient:
        """The kept-alive client for `base_url`'s scheme, host and port (through `proxy`, a profile's, if given)."""
        key = self._key(base_url, proxy)
        client = self._clients.get(key)
        if client is None or client.is_closed:
            proxy = self.proxy or proxy or (environment_proxy(base_url) if self.trust_env else None)
            client = httpx.AsyncClient(
                timeout=self.timeout,
                transport=self._transport,
                headers=CLIENT_HEADERS,
                proxy=proxy if self._transport is None else None,
                # Never the environment's proxies, .netrc or SSL variables behind the person's back: a
                # request that carries a key goes through a proxy only when the person chose it.
                trust_env=False,
                follow_redirects=False,
            )
            self._clients[key] = client
            self._proxies[key] = shown_proxy(proxy)
        return client

    def proxy_for(self, base_url: str, proxy: str | None = None) -> str | None:
        """The proxy (as outputs name it) that requests to `base_url` go through, None for none."""
        return self._proxies.get(self._key(base_url, proxy))

    @staticmethod
    def _key(base_url: str, proxy: str | None) -> str:
        parts = urlsplit(base_url)
        return f"{parts.scheme}://{parts.netloc} {proxy or ''}".lower()

    async def aclose(self) -> None:
        clients, self._clients = self._clients, {}
        for client in clients.values():
            await client.aclose()

    async def __aenter__(self) -> Wire:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    # -- sending ---------------------------------------------------------------------------------
    async def send(self, draft: Draft, signing: SigningContext | Credentials | None = None) -> Exchange:
        """Sign `draft` with `signing` and send it; never raises (a failure is in `Exchange.failure`)."""
        exchange, _ = await self.send_traced(draft, signing)
        return exchange

    async def send_traced(self, draft: Draft, signing: SigningContext | Credentials | None = None) -> tuple[Exchange, Trace]:
        """`send`, also returning the raw monotonic stamps (the clock estimate needs them)."""
        started_at = time.time()
        trace: Trace | None = None
        request: httpx.Request | None = None
        signer: VenueSigner | None = None
        proxy: str | None = None
        header_set: HeaderSet | None = None
        try:
            context = context_for(signing, draft)
            header_set = context.header_set(draft)
            client = self.client_for(draft.venue.base_url, context.proxy)
            proxy = self.proxy_for(draft.venue.base_url, context.proxy)
            trace = Trace.start()  # after the client: its one-time set-up (an SSL context, ~40 ms) is not this send's time
            request = build_request(client, draft)
            signer = context.signer(draft)
            signer.body_text_of(request.content, draft.body)  # build_request encoded it from draft.body
            if len(request.content) > BODY_PIECE:
                request.stream = _BodyPieces(request.content)  # the same bytes and Content-Length, in pieces
            trace.attach(request)
            try:
                async with asyncio.timeout(self.deadline):
                    response = await client.send(request, auth=_Edited(signer, draft.headers) if draft.headers else signer, stream=True)
                    try:
                        body, truncated, size = await self._read_body(response)
                        trace.mark("receive_response_body.complete")
                    finally:
                        await response.aclose()
            except TimeoutError:
                raise DeadlineExceeded(self.deadline, self.deadline_name) from None
            trace.end_ns = perf_counter_ns()
            return _exchange(draft, response, signer, header_set, body, truncated, size, trace, started_at, proxy), trace
        except Exception as exc:  # noqa: BLE001 - the contract is: never raise, explain instead
            return _failed(exc, draft, request, signer, header_set, trace, started_at, proxy), trace or Trace.start()

    async def _read_body(self, response: httpx.Response) -> tuple[bytes, bool, int]:
        """The body decoded a bounded piece at a time (tui.transport.body_decoding says why), cut at body_cap, and its size."""
        chunks: list[bytes] = []
        kept = size = 0
        cap = self.body_cap
        decoder = BoundedDecoder(response.headers.get("content-encoding"))

        def take(pieces: Iterator[bytes]) -> bool:
            nonlocal kept, size
            for chunk in pieces:
                size += len(chunk)
                if kept < cap:
                    piece = chunk if kept + len(chunk) <= cap else chunk[: cap - kept]
                    chunks.append(piece)
                    kept += len(piece)
                elif size > cap + DRAIN_LIMIT:
                    return False
            return True

        if response.is_stream_consumed:  # built with its content (httpx.MockTransport): httpx has read and decoded it
            take(iter((response.content,)))
        else:
            async for raw in response.aiter_raw():
                if not take(decoder.feed(raw)):
                    break
            else:
                take(decoder.finish())
        body = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        return body, size > cap, size


def _failed(exc: BaseException, draft: Draft, request: httpx.Request | None, signer: VenueSigner | None,
            header_set: HeaderSet | None, trace: Trace | None, started_at: float, proxy: str | None) -> Exchange:
    """The Exchange of a send that failed. Once a byte of the request left (httpcore stamped the start of
    the request headers), it is SENT whatever failed after: a second send would be a second order."""
    try:
        if trace is None:
            trace = Trace.start()
        trace.end_ns = perf_counter_ns()
        left = trace.request_started_ns is not None
        failure = classify(exc, draft, request, proxy=proxy, sent=left)
        sent = None if failure.kind is FailureKind.SIGNING_REFUSED or request is None else _sent(
            request, signer, draft, header_set or draft.venue.header_set)
        return Exchange(draft=draft, request=sent, failure=failure, timings=trace.timings(), started_at=started_at,
                        bytes_sent=left, proxy=proxy)
    except Exception as inner:  # noqa: BLE001 - last resort: the send must still come back as an Exchange
        failure = TransportFailure(FailureKind.OTHER, f"The request failed and keyprobe could not describe how ({type(inner).__name__}).",
                                   f"{type(exc).__name__}")
        left = trace is not None and trace.request_started_ns is not None
        return Exchange(draft=draft, request=None, failure=failure, started_at=started_at, bytes_sent=left, proxy=proxy)


def environment_proxy(url: str) -> str | None:
    """The proxy HTTP(S)_PROXY / ALL_PROXY name for `url`, unless NO_PROXY exempts its host (--trust-env)."""
    import urllib.request

    proxies = urllib.request.getproxies_environment()
    host = urlsplit(url).hostname or ""
    if not proxies or urllib.request.proxy_bypass_environment(host, proxies):
        return None
    return proxies.get(urlsplit(url).scheme) or proxies.get("all")


def build_request(client: httpx.Client | httpx.AsyncClient, draft: Draft) -> httpx.Request:
    """THE request builder. A send builds its request here with the wire's client, an export with
    `export_client()`, so both carry the same headers (the client's defaults included) and the same bytes."""
    request = client.build_request(draft.method.upper(), draft.url, content=draft.body_bytes or None)
    request.headers["Accept-Encoding"] = ACCEPT_ENCODING  # only what _read_body can undo (httpx adds br, zstd if installed)
    edit_headers(request, draft.headers)
    return request


def edit_headers(request: httpx.Request, edits: tuple[tuple[str, str], ...]) -> None:
    """The composer's header edits: (name, value) sets the header, (name, "") removes it."""
    for name, value in edits:
        if value:
            request.headers[name] = value
        elif name in request.headers:
            del request.headers[name]


class _Edited(httpx.Auth):
    """The signer, then the header edits once more on top: a signing header broken on purpose (a
    stale timestamp, another key) goes out as typed, and the diagnosis sees what really went."""

    def __init__(self, signer: httpx.Auth, edits: tuple[tuple[str, str], ...]) -> None:
        self.signer, self.edits = signer, edits

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        flow = self.signer.auth_flow(request)
        signed = next(flow)
        edit_headers(signed, self.edits)
        response = yield signed
        try:
            flow.send(response)
        except StopIteration:
            pass


class _BodyPieces(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A request body as views of BODY_PIECE bytes (no copies): h11 sends each as it comes."""

    def __init__(self, body: bytes) -> None:
        self._view = memoryview(body)

    def __iter__(self):  # type: ignore[override]
        view = self._view
        for start in range(0, len(view), BODY_PIECE):
            yield view[start:start + BODY_PIECE]

    async def __aiter__(self):  # type: ignore[override]
        for piece in self:
            yield piece


class _NeverSends(httpx.BaseTransport):
    def handle_request(self, request: httpx.Request) -> httpx.Response:
        raise RuntimeError("the export client builds requests; it never sends one")


def export_client() -> httpx.Client:
    """A client with the wire's default headers that builds requests for the exports and cannot send them
    (no transport to the network, no SSL context to set up)."""
    return httpx.Client(headers=CLIENT_HEADERS, transport=_NeverSends(), trust_env=False)


def _sent(request: httpx.Request, signer: VenueSigner | None, draft: Draft, header_set: HeaderSet) -> SentRequest:
    """The request as it went out, key and signature masked, headers in wire order."""
    secret_names = (header_set.key.lower().encode(), header_set.sign.lower().encode())
    # The key and signature headers become fingerprints, as masked_header_value shows them.
    headers = tuple([
        (k.decode("latin-1"), Secret(v.decode("latin-1")).fingerprint() if k.lower() in secret_names else v.decode("latin-1"))
        for k, v in request.headers.raw
    ])
    try:
        body = request.content
    except httpx.RequestNotRead:
        body = draft.body_bytes
    return SentRequest(request.method, str(request.url), headers, body, signer.evidence if signer is not None else None)


def _as_int(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        try:
            return int(float(text))  # "10.0" has been seen from proxies; keep the figure
        except (ValueError, OverflowError):  # "inf", "1e999", "-Infinity", "nan": unreadable, not a crash
            return None


def _exchange(draft: Draft, response: httpx.Response, signer: VenueSigner | None, header_set: HeaderSet, body: bytes,
              truncated: bool, size: int, trace: Trace, started_at: float, proxy: str | None = None) -> Exchange:
    """The Exchange of one answered send."""
    headers = tuple([(k.decode("latin-1"), v.decode("latin-1")) for k, v in response.headers.raw])
    data = ResponseData(
        response.status_code, response.reason_phrase, headers, body, truncated, size, response.http_version
    )
    return Exchange(draft, _sent(response.request, signer, draft, header_set), data, None, trace.timings(),
                    parse_rate_limit(headers), started_at, bytes_sent=True, proxy=proxy)


def parse_rate_limit(headers: tuple[tuple[str, str], ...]) -> RateLimit:
    """X-BM-RateLimit-* / X-API-RateLimit-* (any case): Remaining, Limit, Reset as ints, Mode as text."""
    found: dict[str, str] = {}
    for name, value in headers:
        lname = name.lower()
        if lname.startswith(RATE_LIMIT_PREFIXES):
            found.setdefault(lname.split("ratelimit-", 1)[1], value.strip())
    if not found:
        return RateLimit()
    get = found.get
    return RateLimit(remaining=_as_int(get("remaining")), limit=_as_int(get("limit")), reset=_as_int(get("reset")),
                     mode=get("mode") or None)


def send_once(
    draft: Draft,
    signing: SigningContext | Credentials | None = None,
    *,
    timeout: float | None = None,
    body_cap: int = DEFAULT_BODY_CAP,
) -> Exchange:
    """One send from synchronous code (the CLI): a Wire that lives for this call only."""

    async def go() -> Exchange:
        async with Wire.with_timeout(timeout, body_cap=body_cap) as wire:
            return await wire.send(draft, signing)

    return asyncio.run(go())


__all__ = [
    "AuthLevel",
    "DEFAULT_BODY_CAP",
    "Wire",
    "parse_rate_limit",
    "send_once",
]
