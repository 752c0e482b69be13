"""Transport failures in sentences: an httpx/socket exception becomes a FailureKind and a sentence
that says what happened and what to try. Kept apart from the wire so the wire stays about sending."""

from __future__ import annotations

import errno
import socket
import ssl


import httpx

from keys import redact
from keys.signing import SigningRefused
from tui.exchange import Draft, FailureKind, TransportFailure
from tui.venues import LOOPBACK_HOSTS


class DeadlineExceeded(Exception):
    """The whole exchange took longer than its deadline (connect to last byte)."""

    def __init__(self, seconds: float, name: str | None) -> None:
        super().__init__(f"no complete answer within {seconds:g} s")
        self.seconds = seconds
        self.name = name  # what set it ("the --timeout"), None for keyprobe's default


def exception_chain(exc: BaseException) -> list[BaseException]:
    """`exc` and its causes and contexts, each once (a cycle ends it): what a transport error really was."""
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


def classify(exc: BaseException, draft: Draft, request: httpx.Request | None = None, *, proxy: str | None = None,
             sent: bool = False) -> TransportFailure:
    """Name the failure and explain it to a person. With a proxy, the sentence names it: a proxy that
    refuses is not the venue refusing. `sent`: a byte of the request had left when it failed."""
    failure = _classify(exc, draft, request)
    if proxy and failure.kind is not FailureKind.SIGNING_REFUSED:
        if any(isinstance(e, httpx.ProxyError) for e in exception_chain(exc)):
            return TransportFailure(FailureKind.PROXY, f"The proxy {proxy} failed or refused to reach {_where(draft, request)}: "
                                    f"{_first_line(exception_chain(exc))}. Check the proxy, or send without it.", failure.detail)
        if not sent and failure.kind in (FailureKind.REFUSED, FailureKind.CONNECT_TIMEOUT, FailureKind.DNS, FailureKind.OTHER):
            # Nothing left: the connection that failed was the one to the proxy, not to the venue.
            return TransportFailure(FailureKind.PROXY, f"Could not reach the proxy {proxy} ({failure.kind.value}): "
                                    f"{_first_line(exception_chain(exc))}. Nothing was sent; check the proxy, or send without it.",
                                    failure.detail)
        return failure._replace(sentence=f"Through the proxy {proxy}: {failure.sentence} (the proxy may be the one failing)")
    if sent and failure.kind in (FailureKind.RESET, FailureKind.PROTOCOL, FailureKind.DEADLINE, FailureKind.OTHER,
                                 FailureKind.READ_TIMEOUT, FailureKind.WRITE_TIMEOUT):
        return failure._replace(sentence=f"{failure.sentence} The request was sent: check the venue before sending it again.")
    return failure


def _classify(exc: BaseException, draft: Draft, request: httpx.Request | None = None) -> TransportFailure:
    where = _where(draft, request)
    emulator = draft.venue.is_emulator
    # masked: an exception's text can quote a header value (h11 quotes an illegal one whole)
    detail = redact.mask(f"{type(exc).__name__}: {exc}".strip().rstrip(":"))
    chain = exception_chain(exc)
    text = " ".join(str(e) for e in chain).lower()

    def fail(kind: FailureKind, sentence: str) -> TransportFailure:
        return TransportFailure(kind=kind, sentence=sentence, detail=detail)

    if isinstance(exc, SigningRefused):  # keyprobe's own sentence: no detail beyond it to add
        return TransportFailure(kind=FailureKind.SIGNING_REFUSED, sentence=f"{exc} Nothing was sent.", detail="")
    if isinstance(exc, DeadlineExceeded):
        named = f"{exc.name} of {exc.seconds:g} s" if exc.name else f"keyprobe's default deadline of {exc.seconds:g} s (set another with --timeout)"
        return fail(FailureKind.DEADLINE, f"{where} did not finish the exchange within {named}; the deadline covers "
                    "connecting, sending and the whole answer. The server may be slow or trickling its answer.")
    if isinstance(exc, UnicodeEncodeError) and request is None:
        # argv bytes that were not UTF-8 arrive as surrogates; building the URL fails on them, before any socket
        return TransportFailure(FailureKind.SIGNING_REFUSED, "The path or query holds bytes that are not UTF-8 text "
                                "(from the command line or a file), which a request URL cannot carry; nothing was sent.", "")
    if isinstance(exc, httpx.LocalProtocolError):
        # Raised while keyprobe wrote the request, before it left: a local problem, never the server's.
        return TransportFailure(FailureKind.SIGNING_REFUSED, "keyprobe could not write this request as valid HTTP (a header holds a "
                                "character HTTP forbids, such as a line break); nothing was sent.", type(exc).__name__)
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
        hint = _emulator_hint(request) if emulator or _is_loopback(request) else " Check the base URL and port."
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


def _emulator_hint(request: httpx.Request | None) -> str:
    """Start the emulator where the request went: a saved request from a one-call emulator names a port that
    emulator had (it ended with its command), and a plain `keyprobe emulator` listens on 8640, not there."""
    port = request.url.port if request is not None else None
    if port is None or port == 8640:
        return " Is the emulator running? Start it with `keyprobe emulator`."
    return (f" Is an emulator running there? Start one with `keyprobe emulator --port {port}` (an emulator started for "
            "a single command ended with it).")


def _is_loopback(request: httpx.Request | None) -> bool:
    return request is not None and (request.url.host or "") in LOOPBACK_HOSTS
