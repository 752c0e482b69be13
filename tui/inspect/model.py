"""A request someone else's code sent, as it was captured: the bytes kept exactly as written.

The query string is kept as the raw text after `?` (no decoding, no re-encoding: `%20` stays `%20`)
and the body as bytes, so lint and forensics look at what went on the wire, not at a re-serialisation.
"""

from __future__ import annotations

import re
from collections import namedtuple
from urllib.parse import urlsplit

Pairs = tuple[tuple[str, str], ...]
MAX_INPUT_BYTES = 16 * 1024 * 1024  # a HAR of a long browsing session fits; a disk image does not
MAX_HEADERS = 1000  # per request or response: servers refuse far fewer (431); lint looks at each one
# A surrogate that surrogateescape cannot turn back into a byte: what a JSON, JavaScript or bash `\ud800` escape
# decodes to. No encoder writes one (JavaScript's send U+FFFD in its place); U+DC80-U+DCFF stand for raw bytes.
_LONE_SURROGATE = re.compile("[\ud800-\udc7f\udd00-\udfff]")


def wire_text(text: str) -> str:
    """`text` as a client could have put it on the wire: each lone surrogate becomes U+FFFD, as JavaScript's
    encoders do, instead of an exception in every printer and signer downstream."""
    return _LONE_SURROGATE.sub("\ufffd", text) if _LONE_SURROGATE.search(text) else text


def wire_bytes(text: str) -> bytes:
    """The bytes of `text` as sent: surrogateescape's stand-ins back to the bytes they were, wire_text's rule otherwise."""
    return wire_text(text).encode("utf-8", "surrogateescape")


def wire_char(code: int) -> str:
    """chr(code) for an escape's code point; U+FFFD for one past U+10FFFF (`\\U0011FFFF`) or a surrogate."""
    return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd"


def wire_pairs(pairs: Pairs) -> Pairs:
    return tuple((wire_text(k), wire_text(v)) for k, v in pairs)


class InspectError(ValueError):
    """The input cannot be read as any request format; str() is the sentence for a person."""


# Named tuples, not dataclasses: `inspect` of one request loads these (keys.headers.HeaderSet says why).
# __new__ makes every parser's text printable, signable and bounded in one place; `_replace` keeps what it is
# given, so a replaced field must already be wire text (report.masked_copy's masks are).
class CapturedResponse(namedtuple("CapturedResponse", "status headers body")):
    """status (None when the capture had none), headers (pairs, in order) and body (bytes) as captured."""

    __slots__ = ()

    def __new__(cls, status: int | None, headers: Pairs, body: bytes) -> CapturedResponse:
        return super().__new__(cls, status, wire_pairs(headers[:MAX_HEADERS]), body)

    def header(self, name: str) -> str | None:
        lname = name.lower()
        return next((v for k, v in self.headers if k.lower() == lname), None)


_REQUEST = "method url headers body source label response headers_known recorded_code notes"


class CapturedRequest(namedtuple("CapturedRequest", _REQUEST)):
    """method; url as written (scheme, host, path and query); headers as written, in order; body (bytes); source
    (curl | http | ccxt | har | history | saved | proxy); label (where in the input it came from: "request 2,
    line 14"); response (CapturedResponse or None); headers_known (False for keyprobe's own records: they keep
    the draft, not the headers); recorded_code (a history entry's code, when there is no response body); notes."""

    __slots__ = ()

    def __new__(cls, method: str, url: str, headers: Pairs, body: bytes, source: str, label: str = "",
                response: CapturedResponse | None = None, headers_known: bool = True, recorded_code: int | None = None,
                notes: tuple[str, ...] = ()) -> CapturedRequest:
        if len(headers) > MAX_HEADERS:
            note = (f"{len(headers) - MAX_HEADERS:,} more headers were not examined: keyprobe reads the first "
                    f"{MAX_HEADERS:,}.")
            headers, notes = headers[:MAX_HEADERS], notes + (note,)
        return super().__new__(cls, wire_text(method), wire_text(url), wire_pairs(headers), body, source, label, response,
                               headers_known, recorded_code, notes)

    def __repr__(self) -> str:
        """Key and signature headers as fingerprints: a crash screen or a log that prints a capture shows no key
        (the fields keep what was captured, so a copied request can still be checked)."""
        from keys.headers import CREDENTIAL_HEADERS
        from keys.secret import Secret

        headers = tuple((k, Secret(v).fingerprint() if k.lower() in CREDENTIAL_HEADERS else v) for k, v in self.headers)
        return (f"CapturedRequest(method={self.method!r}, url={self.url!r}, headers={headers!r}, "
                f"body=<{len(self.body)} bytes>, source={self.source!r}, label={self.label!r}, response={self.response!r})")

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
