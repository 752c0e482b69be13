"""A request someone else's code sent, as it was captured: the bytes kept exactly as written.

The query string is kept as the raw text after `?` (no decoding, no re-encoding: `%20` stays `%20`)
and the body as bytes, so lint and forensics look at what went on the wire, not at a re-serialisation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

Pairs = tuple[tuple[str, str], ...]
MAX_INPUT_BYTES = 16 * 1024 * 1024  # a HAR of a long browsing session fits; a disk image does not


class InspectError(ValueError):
    """The input cannot be read as any request format; str() is the sentence for a person."""


@dataclass(frozen=True)
class CapturedResponse:
    status: int | None
    headers: Pairs
    body: bytes

    def header(self, name: str) -> str | None:
        lname = name.lower()
        return next((v for k, v in self.headers if k.lower() == lname), None)


@dataclass(frozen=True)
class CapturedRequest:
    method: str
    url: str  # as written: scheme, host, path and query
    headers: Pairs  # as written, in order
    body: bytes
    source: str  # curl | http | ccxt | har | history | saved | proxy
    label: str = ""  # where in the input it came from ("request 2, line 14")
    response: CapturedResponse | None = None
    headers_known: bool = True  # False for keyprobe's own records: they keep the draft, not the headers
    recorded_code: int | None = None  # a history entry's code, when there is no response body
    notes: tuple[str, ...] = field(default_factory=tuple)

    def header(self, name: str) -> str | None:
        lname = name.lower()
        return next((v for k, v in self.headers if k.lower() == lname), None)

    def has_header(self, name: str) -> bool:
        lname = name.lower()
        return any(k.lower() == lname for k, _ in self.headers)

    @property
    def _split(self):  # noqa: ANN202 - a SplitResult
        try:
            return urlsplit(self.url)
        except ValueError:
            return urlsplit("")

    @property
    def host(self) -> str:
        try:
            return (self._split.hostname or "").lower()
        except ValueError:
            return ""

    @property
    def scheme(self) -> str:
        return self._split.scheme.lower()

    @property
    def path(self) -> str:
        """The path exactly as written (percent-escapes kept)."""
        return self._split.path or "/"

    @property
    def query(self) -> str:
        """The query exactly as written, without the `?`."""
        return self._split.query

    @property
    def target(self) -> str:
        return self.path + (f"?{self.query}" if self.query else "")
