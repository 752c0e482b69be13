"""Find a secret in a text by its value, whatever its spelling: the matcher behind keys/redact.py.

Exact strings were all that was masked (issue 21, finding 4): a bot that percent-encoded its memo had it
stored decoded, in clear, in the history; an upper-cased secret appeared whole in `--json`; pieces of a
secret appeared everywhere. Here a text is read through a *view* that undoes what changes a value's
spelling but not its meaning, and any PIECE characters of a secret in a row are found in that view:

- case: both sides lower-cased (hex secrets reach logs upper-cased);
- percent-encoding: `%6D%65` is `me`, multi-byte UTF-8 included, `+` and `%20` read as a space, and
  encoded twice (`%256D`);
- JSON escapes: `\\u006d`, surrogate pairs, `\\/`, `\\"`, `\\\\`, `\\n`..., and `%5Cu006d` (one in a URL);
- HTML character references: `&#109;`, `&#x6d;`;
- base64, standard or URL-safe (an `Authorization: Basic` header, a bot that base64-encodes its memo): each
  run of base64 characters is decoded at its four alignments and the bytes searched for a value's UTF-8 bytes.

What is found is mapped back to the characters of the original text that spell it (a whole `%6D` for an
`m`), and the covering stretch is replaced by the value's stand-in. Masking more than was meant (an
ordinary word that is also 8 characters of a memo) is the price of never masking less. A value shorter than
PIECE (a memo such as "bot1") is masked where it stands alone, not inside a longer word ("bot12", "memo-uid"):
masked everywhere, four letters would cut holes in every line.
"""

from __future__ import annotations

import binascii
import re
from bisect import bisect_right
from collections.abc import Iterable

PIECE = 8  # any 8 characters of a value in a row are masked: the leak tests' rule
MIN_LENGTH = 4  # shorter values are not masked by value ("1" or "abc" everywhere would wreck every line)

_ESCAPES = re.compile(
    r"(?P<pctu>%5[cC]u[0-9a-fA-F]{4})"  # a JSON escape percent-encoded in a URL (`%5Cu0041`)
    r"|(?P<pct2>(?:%25[0-9A-Fa-f]{2})+)"  # encoded twice (`%2541`: a client's %41 quoted again by httpx)
    r"|(?P<pct>(?:%[0-9A-Fa-f]{2})+)"
    r"|(?P<pair>\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2})"
    r"|(?P<u>\\u[0-9a-fA-F]{4})"
    r"|(?P<esc>\\[\\/\"'bfnrt])"
    r"|(?P<ent>&#(?:[0-9]{1,7}|[xX][0-9a-fA-F]{1,6});)"
)
# A stretch of the view that may be base64: PIECE bytes of a value take at least 11 of its characters.
_BASE64_RUN = re.compile(r"[A-Za-z0-9+/\-_]{11,}")
_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
# Each byte of a text's ASCII form (one per character: `?` for the others) as base64 reads it: its own
# alphabet kept, the URL-safe one's `-` and `_` read as `+` and `/`, every other byte as `A`.
_AS_BASE64 = bytes(c if c in _ALPHABET else b"+"[0] if c == b"-"[0] else b"/"[0] if c == b"_"[0] else b"A"[0] for c in range(256))
_SIMPLE = {"\\\\": "\\", "\\/": "/", '\\"': '"', "\\'": "'", "\\b": "\b", "\\f": "\f", "\\n": "\n", "\\r": "\r", "\\t": "\t"}


def _fold(text: str) -> str:
    """Lower case, one character for one (so offsets still line up), a space read as `+`."""
    folded = text.lower()
    if len(folded) != len(text):  # 'İ' lowers to two characters
        folded = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return folded.replace(" ", "+")


class _View:
    """`text` as the search reads it, and where each of its characters came from in `text`."""

    def __init__(self, text: str) -> None:
        if "%" not in text and "\\" not in text and "&#" not in text:
            self.plain, self.folded, self._starts, self._spans = text, _fold(text), [0], [(0, None)]
            return
        pieces: list[str] = []
        self._starts: list[int] = []  # where each segment starts in the view
        self._spans: list[tuple[int, int | None]] = []  # (start in text, length of the token, None for a literal run)
        at = 0
        size = 0

        def literal(end: int) -> None:
            nonlocal size
            if end > at:
                self._starts.append(size)
                self._spans.append((at, None))
                pieces.append(text[at:end])
                size += end - at

        def token(char: str, start: int, length: int) -> None:
            nonlocal size
            self._starts.append(size)
            self._spans.append((start, length))
            pieces.append(char)
            size += 1

        for m in _ESCAPES.finditer(text):
            literal(m.start())
            kind, raw = m.lastgroup, m.group()
            if kind == "pct":
                self._percent(raw, m.start(), token)
            elif kind == "pct2":
                self._percent(raw, m.start(), token, step=5)
            elif kind == "pair":
                high, low = int(raw[2:6], 16), int(raw[8:12], 16)
                token(chr(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)), m.start(), len(raw))
            elif kind == "u":
                token(chr(int(raw[2:], 16)), m.start(), len(raw))
            elif kind == "pctu":
                token(chr(int(raw[4:], 16)), m.start(), len(raw))
            elif kind == "ent":
                code = int(raw[3:-1], 16) if raw[2] in "xX" else int(raw[2:-1])
                token(chr(code) if code <= 0x10FFFF else "\x00", m.start(), len(raw))
            else:
                token(_SIMPLE[raw], m.start(), len(raw))
            at = m.end()
        literal(len(text))
        self.plain = "".join(pieces)  # case kept: base64 is read from it
        self.folded = _fold(self.plain)

    @staticmethod
    def _percent(raw: str, start: int, token, step: int = 3) -> None:  # noqa: ANN001 - the view's token callback
        """A run of %XX (or %25XX, `step` 5): each UTF-8 character (1 to 4 bytes) becomes one view character
        spanning its bytes."""
        data = bytes(int(raw[i + step - 2 : i + step], 16) for i in range(0, len(raw), step))
        i = 0
        while i < len(data):
            lead = data[i]
            width = 1 if lead < 0x80 else 2 if lead >> 5 == 0b110 else 3 if lead >> 4 == 0b1110 else 4 if lead >> 3 == 0b11110 else 1
            chunk = data[i : i + width]
            try:
                char = chunk.decode("utf-8")
            except UnicodeDecodeError:
                width, char = 1, "\x00"  # a byte that is not UTF-8 matches no secret
            token(char, start + step * i, step * width)
            i += width

    def original(self, begin: int, end: int) -> tuple[int, int]:
        """The stretch of the text that the view's characters begin..end (exclusive) were read from."""
        return self._offset(begin, first=True), self._offset(end - 1, first=False)

    def _offset(self, at: int, first: bool) -> int:
        k = bisect_right(self._starts, at) - 1
        start, length = self._spans[k]
        if length is None:
            return start + (at - self._starts[k]) + (0 if first else 1)
        return start if first else start + length


def _word(text: str, at: int) -> bool:
    return 0 <= at < len(text) and (text[at].isalnum() or text[at] in "_-")


_REMEMBERED, _REMEMBERED_LENGTH = 4096, 512  # short texts whose masked form is kept, per masker


class _Table:
    """PIECE-character pieces (a shorter value: whole) of values, folded, each with its stand-in, and a regex
    for the stretches of a text made only of their characters (a C-speed scan before any lookup)."""

    def __init__(self, values: Iterable[tuple[str, str]]) -> None:
        self.pieces: dict[int, dict[str, str]] = {}  # piece width -> folded piece -> stand-in
        alphabet: set[str] = set()
        for value, shown in sorted(values, key=lambda pair: len(pair[0]), reverse=True):
            if len(value) < MIN_LENGTH:
                continue
            folded = _fold(value)
            width = min(PIECE, len(folded))
            table = self.pieces.setdefault(width, {})
            for i in range(len(folded) - width + 1):
                table.setdefault(folded[i : i + width], shown)
            alphabet.update(folded)
        shortest = min(self.pieces, default=0)
        self.runs = re.compile(f"[{''.join(re.escape(c) for c in sorted(alphabet))}]{{{shortest},}}") if alphabet else None
        self.alphabet = alphabet

    def spans(self, folded: str, offset: int = 0) -> list[tuple[int, int, str]]:
        """(begin, end, stand-in) of every piece found in `folded`, shifted by `offset`."""
        found: list[tuple[int, int, str]] = []
        if self.runs is None:
            return found
        for run in self.runs.finditer(folded):
            stretch = run.group()
            for width, table in self.pieces.items():
                for i in range(len(stretch) - width + 1):
                    shown = table.get(stretch[i : i + width])
                    if shown is None:
                        continue
                    begin, end = run.start() + i, run.start() + i + width
                    if width < PIECE and (_word(folded, begin - 1) or _word(folded, end)):
                        continue  # a short memo ("bot1") only where it stands alone, not inside "bot12" or "bot1-x"
                    found.append((offset + begin, offset + end, shown))
        return found


class ValueMasker:
    """Replaces every spelling of every value's PIECE-character pieces with that value's stand-in."""

    def __init__(self, values: Iterable[tuple[str, str]]) -> None:
        values = list(values)
        self._text = _Table(values)
        # Base64 carries bytes: a value's UTF-8 bytes, one character each (latin-1), as the decoded runs are read.
        self._bytes = _Table((value.encode("utf-8", "surrogateescape").decode("latin-1"), shown)
                             for value, shown in values if len(value) >= PIECE)
        # The decoded bytes are scanned as bytes (no copy decoded and lower-cased per alignment): either case.
        either = {c for a in self._bytes.alphabet for c in {a, a.upper()} if len(c) == 1 and ord(c) < 256}
        either |= {" "} if "+" in either else set()  # folded, a space reads as `+`
        self._remembered: dict[str, str] = {}
        self._byte_runs = re.compile(b"[" + b"".join(re.escape(c.encode("latin-1")) for c in sorted(either)) + b"]{%d,}" % PIECE) if either else None

    def __bool__(self) -> bool:
        return self._text.runs is not None

    def __call__(self, text: str) -> str:
        if self._text.runs is None or not text:
            return text
        if len(text) > _REMEMBERED_LENGTH:
            return self._masked(text)
        # The same short texts come back with every exchange (paths, headers, the catalog's sentences): each is
        # worked out once (the base64 reading made a call ~2x dearer).
        known = self._remembered.get(text)
        if known is None:
            if len(self._remembered) >= _REMEMBERED:
                self._remembered.clear()
            known = self._remembered[text] = self._masked(text)
        return known

    def _masked(self, text: str) -> str:
        view = _View(text)
        found = self._found(view)
        if not found:
            return text
        out, last = [], 0
        for begin, end, shown in found:
            begin, end = view.original(begin, end)
            if begin < last:  # two view stretches that share an escape token: one stand-in
                continue
            out += [text[last:begin], shown]
            last = end
        out.append(text[last:])
        return "".join(out)

    def _found(self, view: _View) -> list[tuple[int, int, str]]:
        """Merged (begin, end, stand-in) stretches of the view covered by pieces of a value, in any spelling."""
        spans = self._text.spans(view.folded)
        if self._byte_runs is not None and _BASE64_RUN.search(view.plain):
            spans += self._base64_spans(view.plain)
        spans.sort()
        merged: list[tuple[int, int, str]] = []
        for begin, end, shown in spans:
            if merged and begin <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], end), merged[-1][2])
            else:
                merged.append((begin, end, shown))
        return merged

    def _base64_spans(self, plain: str) -> list[tuple[int, int, str]]:
        """The whole text read as base64 from each of its four alignments (every other character read as `A`, so
        positions still line up: one pass in C each, however many runs there are); a value's bytes found in the
        decoded bytes are mapped back to the characters that carry them (byte j: characters 8j/6 to (8j+7)/6)."""
        letters = plain.encode("ascii", "replace").translate(_AS_BASE64)
        found = []
        for align in range(4):
            usable = (len(letters) - align) // 4 * 4
            decoded = binascii.a2b_base64(letters[align : align + usable])
            for run in self._byte_runs.finditer(decoded):
                for begin, end, shown in self._bytes.spans(_fold(run.group().decode("latin-1")), run.start()):
                    found.append((align + begin * 8 // 6, align + (end * 8 - 1) // 6 + 1, shown))
        return found
