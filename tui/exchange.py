"""The data that flows through keyprobe: a Draft goes out, an Exchange comes back.

Draft -> (keys.signing signs the httpx request) -> wire.send -> Exchange -> diagnose -> Diagnosis.
Nothing here holds a secret: a Draft is what a person typed, a SentRequest carries the headers with
the key and signature masked, and the signing evidence masks the memo.
"""

from __future__ import annotations

import json
import re
from collections import namedtuple
from urllib.parse import urlencode

from typing import TYPE_CHECKING

from keys import bounded
from keys.headers import AuthLevel
from tui import endpoints
from tui.transport.failure_kind import FailureKind  # noqa: F401 - re-exported: the wire, replay and proxy name it here
from tui.venues import Venue

_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")

if TYPE_CHECKING:
    from keys.signing import SigningEvidence

Pairs = tuple[tuple[str, str], ...]


# Named tuples, not dataclasses: every send builds these, and building seven dataclasses cost `keyprobe send`
# ~3 ms of its start-up (benchmarks/send_cpu.py; keys.headers.HeaderSet says why). A body is left out of
# their reprs: a repr (a task's, a crash report's) never copies a 20 MB body.
def _repr_without(record: tuple, hidden: str) -> str:
    shown = ", ".join(f"{name}={value!r}" for name, value in zip(record._fields, record) if name != hidden)  # type: ignore[attr-defined]
    return f"{type(record).__name__}({shown})"


class Draft(namedtuple("Draft", "venue method path query body auth profile raw_query headers",
                       defaults=((), "", None, None, None, ()))):
    """A request as composed: no key, no signature, no timestamp. Saved requests are Drafts on disk.

    venue (Venue), method, path; query: pairs, decoded, for display; body (text, out of the repr); auth: the
    AuthLevel, None for the endpoint table's (else signed); profile; raw_query: the query exactly as typed or
    captured (`a=b%20c` stays `a=b%20c`), when it came as text: a bot's failing GET is then sent and signed byte
    for byte; headers: the composer's header edits, in order: (name, value) sets it, (name, "") removes it."""

    __slots__ = ()

    def __repr__(self) -> str:
        return _repr_without(self, "body")

    def header_error(self) -> str | None:
        """A sentence for a header edit that cannot go on the wire (a bad name, a line break)."""
        for name, value in self.headers:
            if not _TOKEN.fullmatch(name):
                return f"The header name {name!r} is not valid (letters, digits and !#$%&'*+-.^_`|~ only)."
            if "\r" in value or "\n" in value:
                return f"The value of {name} holds a line break; a header value is one line."
        return None

    @property
    def auth_level(self) -> AuthLevel:
        return self.auth if self.auth is not None else endpoints.default_auth(self.method, self.path)

    @property
    def query_string(self) -> str:
        """The query exactly as it will be sent (and signed, for GET/DELETE), order kept."""
        if self.raw_query is not None:
            return self.raw_query
        return urlencode(self.query)

    @property
    def url(self) -> str:
        path = self.path if self.path.startswith("/") else f"/{self.path}"
        qs = self.query_string
        return f"{self.venue.base_url}{path}{'?' + qs if qs else ''}"

    @property
    def body_bytes(self) -> bytes:
        return self.body.encode("utf-8")

    def body_error(self) -> str | None:
        """A sentence locating the JSON error in the body, or None when the body is empty or valid JSON."""
        if not self.body.strip():
            return None
        try:  # bytes that were not UTF-8 in argv arrive as surrogates: sent, they failed as a "transport" error
            self.body.encode("utf-8")
        except UnicodeEncodeError as exc:
            return f"The body is not UTF-8 text (character {exc.start + 1}): a JSON body is UTF-8."
        value: object = None
        too_deep = False
        try:
            value = json.loads(self.body, object_pairs_hook=_nesting_only)
        except json.JSONDecodeError as exc:
            return f"The body is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno} (character {exc.pos})."
        except RecursionError:
            too_deep = True  # nested past what Python parses
        except ValueError as exc:  # an integer of thousands of digits
            return f"The body is JSON keyprobe cannot read ({exc})."
        if too_deep or bounded.depth_exceeds(value):
            return f"The body nests more than {bounded.MAX_JSON_DEPTH} levels deep; keyprobe sends at most {bounded.MAX_JSON_DEPTH}."
        return None


_EMPTY_NESTING: list = []  # shared, never mutated: an object with no list or object inside


def _nesting_only(pairs: list[tuple[str, object]]) -> list:
    """A parsed object reduced to its nested containers: body_error needs only the validity and the depth,
    and a 20 MB body of small objects would take ~4 times its size as dicts."""
    nested = [v for _, v in pairs if isinstance(v, list)]
    return nested or _EMPTY_NESTING


class SentRequest(namedtuple("SentRequest", "method url headers body evidence", defaults=(None,))):
    """The request exactly as it went out, with the key and signature headers masked: method, url, headers (wire
    order, masked), body (bytes, out of the repr), evidence (keys.signing.SigningEvidence, None when unsigned)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return _repr_without(self, "body")

    def header(self, name: str) -> str | None:
        lname = name.lower()
        return next((v for k, v in self.headers if k.lower() == lname), None)


class Timings(namedtuple("Timings", "connect_ms tls_ms request_sent_ms first_byte_ms body_ms total_ms",
                         defaults=(None,) * 6)):
    """Milliseconds per phase (None when the phase did not happen, e.g. no TLS on loopback)."""

    __slots__ = ()


class RateLimit(namedtuple("RateLimit", "remaining limit reset mode", defaults=(None,) * 4)):
    """X-BM-RateLimit-* as sent. The doc's own example contradicts itself on what Remaining means
    (protocol.md 3.2), so the raw figures are kept and shown, not turned into a "left" count."""

    __slots__ = ()

    @property
    def present(self) -> bool:
        return any(v is not None for v in (self.remaining, self.limit, self.reset, self.mode))

    def summary(self) -> str:
        """`1 of 12 used in this window (2 s) · mode UID`: BitMart's "Remaining" counts the requests already
        made in the window (real answers and the document's worked example), so "remaining 1, limit 12"
        read as one left. The mode is the server's text: callers sanitise before printing."""
        used, limit, reset = self.remaining, self.limit, self.reset
        if used is not None:
            count = f"{used} of {limit} used in this window" if limit is not None else f"{used} used in this window"
        else:
            count = f"limit {limit} per window" if limit is not None else ""
        if reset is not None:
            count = f"{count} ({reset} s)" if count else f"window {reset} s"
        parts = [count] if count else []
        if self.mode is not None:
            parts.append(f"mode {self.mode}")
        return " · ".join(parts)


class ResponseData(namedtuple("ResponseData", "status reason headers body truncated size http_version",
                              defaults=(False, 0, "HTTP/1.1"))):
    """status, reason, headers (pairs, wire order), body (at most the wire's cap; out of the repr), truncated,
    size (bytes received in all, even past the cap), http_version."""

    __slots__ = ()

    def __repr__(self) -> str:
        return _repr_without(self, "body")

    def header(self, name: str) -> str | None:
        lname = name.lower()
        return next((v for k, v in self.headers if k.lower() == lname), None)


class TransportFailure(namedtuple("TransportFailure", "kind sentence detail", defaults=("",))):
    """kind (FailureKind); sentence: for a person, what happened and what to try; detail: the exception's class
    and text, for the curious."""

    __slots__ = ()


_EXCHANGE = ("draft", "request", "response", "failure", "timings", "rate_limit", "started_at", "bytes_sent", "proxy")
_NO_TIMINGS, _NO_RATE_LIMIT = Timings(), RateLimit()


class Exchange:
    """One send: what went out, what came back (or why nothing did), and how long it took.

    draft; request (SentRequest, None when nothing was built); response (ResponseData) or failure
    (TransportFailure); timings; rate_limit; started_at: wall clock, seconds since the epoch; bytes_sent: a byte
    of the request left this machine, so whatever failed after, it was SENT; proxy: the proxy it went through
    (the person chose it), credentials stripped.

    A class with slots rather than a named tuple: the console holds an answer's Exchange by a weak reference
    while it lays out a 20 MB body (MainScreen.format_body), and a tuple cannot be referenced weakly. Its
    fields are not assigned after __init__ (`_replace` makes a new one), as the frozen dataclass it was."""

    __slots__ = (*_EXCHANGE, "__weakref__")
    _fields = _EXCHANGE

    def __init__(self, draft: Draft, request: SentRequest | None, response: ResponseData | None = None,
                 failure: TransportFailure | None = None, timings: Timings = _NO_TIMINGS, rate_limit: RateLimit = _NO_RATE_LIMIT,
                 started_at: float = 0.0, bytes_sent: bool = False, proxy: str | None = None) -> None:
        self.draft, self.request, self.response, self.failure = draft, request, response, failure
        self.timings, self.rate_limit, self.started_at, self.bytes_sent, self.proxy = timings, rate_limit, started_at, bytes_sent, proxy

    def _values(self) -> tuple:
        return tuple(getattr(self, name) for name in _EXCHANGE)

    def _replace(self, **changes: object) -> Exchange:
        return Exchange(**{**dict(zip(_EXCHANGE, self._values())), **changes})  # type: ignore[arg-type]

    def __eq__(self, other: object) -> bool:
        return self._values() == other._values() if isinstance(other, Exchange) else NotImplemented

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        return "Exchange(" + ", ".join(f"{name}={value!r}" for name, value in zip(_EXCHANGE, self._values())) + ")"

    @property
    def went_out(self) -> bool:
        """The request left (even if no answer came back): a second send would be a second order."""
        return self.bytes_sent or self.response is not None

    @property
    def venue(self) -> Venue:
        return self.draft.venue

    @property
    def ok(self) -> bool:
        return self.response is not None and self.failure is None
