"""The data that flows through keyprobe: a Draft goes out, an Exchange comes back.

Draft -> (keys.signing signs the httpx request) -> wire.send -> Exchange -> diagnose -> Diagnosis.
Nothing here holds a secret: a Draft is what a person typed, a SentRequest carries the headers with
the key and signature masked, and the signing evidence masks the memo.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from typing import TYPE_CHECKING

from keys import bounded
from keys.headers import AuthLevel
from tui import endpoints
from tui.failure_kind import FailureKind  # noqa: F401 - re-exported: the wire, replay and proxy name it here
from tui.venues import Venue

_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")

if TYPE_CHECKING:
    from keys.signing import SigningEvidence

Pairs = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Draft:
    """A request as composed: no key, no signature, no timestamp. Saved requests are Drafts on disk."""

    venue: Venue
    method: str
    path: str
    query: Pairs = ()
    body: str = field(default="", repr=False)  # a repr (a task's, a crash report's) never copies a 20 MB body
    auth: AuthLevel | None = None  # None: the endpoint table decides, else signed
    profile: str | None = None
    # The query exactly as typed or captured (`a=b%20c` stays `a=b%20c`), when it came as text: a bot's
    # failing GET is then sent and signed byte for byte. `query` holds the same pairs, decoded, for display.
    raw_query: str | None = None
    headers: Pairs = ()  # the composer's header edits, in order: (name, value) sets it, (name, "") removes it

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


@dataclass(frozen=True)
class SentRequest:
    """The request exactly as it went out, with the key and signature headers masked."""

    method: str
    url: str
    headers: Pairs  # wire order, masked
    body: bytes = field(repr=False)
    evidence: SigningEvidence | None = None

    def header(self, name: str) -> str | None:
        lname = name.lower()
        return next((v for k, v in self.headers if k.lower() == lname), None)


@dataclass(frozen=True)
class Timings:
    """Milliseconds per phase (None when the phase did not happen, e.g. no TLS on loopback)."""

    connect_ms: float | None = None
    tls_ms: float | None = None
    request_sent_ms: float | None = None
    first_byte_ms: float | None = None
    body_ms: float | None = None
    total_ms: float | None = None


@dataclass(frozen=True)
class RateLimit:
    """X-BM-RateLimit-* as sent. The doc's own example contradicts itself on what Remaining means
    (protocol.md 3.2), so the raw figures are kept and shown, not turned into a "left" count."""

    remaining: int | None = None
    limit: int | None = None
    reset: int | None = None
    mode: str | None = None

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


@dataclass(frozen=True)
class ResponseData:
    status: int
    reason: str
    headers: Pairs
    body: bytes = field(repr=False)  # at most the wire's cap
    truncated: bool = False
    size: int = 0  # bytes received in all, even past the cap
    http_version: str = "HTTP/1.1"

    def header(self, name: str) -> str | None:
        lname = name.lower()
        return next((v for k, v in self.headers if k.lower() == lname), None)


@dataclass(frozen=True)
class TransportFailure:
    kind: FailureKind
    sentence: str  # for a person: what happened and what to try
    detail: str = ""  # the exception's class and text, for the curious


@dataclass(frozen=True)
class Exchange:
    """One send: what went out, what came back (or why nothing did), and how long it took."""

    draft: Draft
    request: SentRequest | None
    response: ResponseData | None = None
    failure: TransportFailure | None = None
    timings: Timings = field(default_factory=Timings)
    rate_limit: RateLimit = field(default_factory=RateLimit)
    started_at: float = 0.0  # wall clock, seconds since the epoch
    bytes_sent: bool = False  # a byte of the request left this machine: whatever failed after, it was SENT
    proxy: str | None = None  # the proxy it went through (the person chose it), credentials stripped

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
