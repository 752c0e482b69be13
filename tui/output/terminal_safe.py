"""Server text made safe for a terminal: control characters shown escaped, never obeyed.

A response header or body can carry ESC sequences (CSI `ESC[8m` hides text, OSC 52 writes the
clipboard), BEL, C1 controls (U+0080-U+009F: U+009B is a one-character CSI on some terminals) and
bidirectional overrides that make a line read differently from what it holds. Every string a server
controls is passed through `shown()` before a terminal sees it: each such character becomes its
escape (`\\x1b`, `\\x9b`, `\\u202e`), so the person sees that it was there and nothing happens.

tui.output.render.SafeConsole applies the same rule to every segment the CLI's rich Console writes, as a
last guard for a string that reached output without `shown()`. `dumps()` is json.dumps for `--json`: valid JSON whose strings hold no raw
control character (json escapes C0 itself; C1, DEL and bidi controls are escaped here too). `dump()` writes
the same text to a file a piece at a time, so a document that carries a 20 MB body three times is never
one escaped string (`send --json`); `JsonText` is a string value given as pieces (a body still in bytes).

The same functions mask secrets: once anything has registered a credential with keys.redact (an unlocked key
file, the credentials a send signs with), every string `shown()` returns and every string `dumps()` / `dump()`
writes has each spelling of each registered value replaced by the mask (keys/value_masker.py: any 8 characters
of it, upper or lower case, percent-encoded, JSON-escaped). One mechanism for the CLI, `--json` and the
console's widgets, so a value that reaches output by a path nobody thought of is masked there too. A process
that registers nothing (`keyprobe decode`) never imports keys.redact.
"""

from __future__ import annotations

import re
import sys
from functools import cache

TYPE_CHECKING = False  # typing's flag without importing typing: `keyprobe decode` loads this module
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator
    from typing import Any

_BIDI = (0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))


# Surrogates: U+DC80-U+DCFF are the bytes that were not UTF-8 (read with surrogateescape), the others what a
# `\\ud800` escape decodes to. A strict UTF-8 stdout (any UTF-8 locale but C) cannot write either: print() raised.
_SURROGATES = range(0xD800, 0xE000)


def _escape(code: int) -> str:
    if 0xDC80 <= code <= 0xDCFF:
        return f"\\x{code - 0xDC00:02x}"  # the byte it stands for
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


# The escape tables: each maps ~2,200 code points (the surrogates), so each is built at its first use, when a
# text needs it; building all three cost every command that prints ~1 ms at import.
@cache
def _table(kind: str) -> dict[int, str]:
    if kind == "json":
        return {c: f"\\u{c:04x}" for c in (0x7F, *range(0x80, 0xA0), *_BIDI, 0x2028, 0x2029, *_SURROGATES)}
    line = {c: _escape(c) for c in (*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0), *_BIDI, *_SURROGATES)}
    return line if kind == "line" else {c: e for c, e in line.items() if c not in (0x0A, 0x09)}  # multiline: keep newlines and tabs


def _class(codes: dict[int, str]) -> re.Pattern[str]:
    """A character class of `codes`, consecutive codes as one range: the same set as listing each, but it
    compiles in a fraction of the time (this module is loaded by every command that prints)."""
    spans: list[list[int]] = []
    for c in sorted(codes):
        if spans and c == spans[-1][1] + 1:
            spans[-1][1] = c
        else:
            spans.append([c, c])
    return re.compile("[" + "".join(re.escape(chr(a)) + (f"-{re.escape(chr(b))}" if b > a else "") for a, b in spans) + "]")


# A regex search runs at C speed; translate() with a dict is ~50 ns a character, so it runs only when needed.
@cache
def _needs(table: str) -> re.Pattern[str]:
    """The class of what `table` escapes, compiled at first use: printable text (most) never needs it."""
    return _class(_table(table))


def masked(text: str) -> str:
    """`text` with every registered secret masked in any spelling (keys.redact); as it is when none is."""
    redact = sys.modules.get("keys.redact")  # loaded by whatever registered one; never imported for this
    return redact.mask(text) if redact is not None and redact.has_registered() else text


def shown(text: object, *, multiline: bool = False) -> str:
    """`text` with every registered secret masked and every control character escaped; `multiline` keeps
    newlines and tabs (a body)."""
    text = masked(str(text))
    if text.isprintable():  # every character the tables escape is a control or format character, never printable
        return text
    if multiline:
        return text.translate(_table("multiline")) if _needs("multiline").search(text) else text
    return text.translate(_table("line")) if _needs("line").search(text) else text


def dumps(value: Any, **kwargs: Any) -> str:
    """json.dumps(ensure_ascii=False) whose output holds no raw control character: C0 is escaped by
    json itself, C1/DEL/bidi/line separators here (they can only occur inside strings, so the JSON
    stays valid and equal)."""
    import json  # here: `keyprobe decode` without --json prints no JSON

    kwargs.setdefault("ensure_ascii", False)
    return _json_safe(json.dumps(masked_values(value), **kwargs))


def masked_values(value: Any) -> Any:
    """`value` with masked() applied to every string value in it (before json escapes them, so the masker reads
    each string as it is, and the JSON it makes stays valid whatever it replaces). Keys are the document's
    field names ("memo", "code"): a short memo that is also a field name must not rename the field."""
    if isinstance(value, str):
        return masked(value)
    if isinstance(value, dict):
        return {k: masked_values(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [masked_values(v) for v in value]
    return value


def _json_safe(text: str) -> str:
    if text.isascii():  # of the JSON table only DEL is ASCII: most JSON is, and skips compiling the class (~2 ms)
        return text.replace("\x7f", "\\u007f") if "\x7f" in text else text
    return text.translate(_table("json")) if _needs("json").search(text) else text


JSON_PIECE = 64 * 1024  # characters of a long string escaped and written at a time


class JsonText:
    """A JSON string value given as pieces of text, for dump() to write one piece at a time: a large body
    decoded as it is written, or a pre-image written as its head and then the payload it shares with the
    request. str() is the whole text (json.dumps(..., default=str) reads it as the same string)."""

    def __init__(self, pieces: Callable[[], Iterable[str]]) -> None:
        self.pieces = pieces

    def __str__(self) -> str:
        return "".join(self.pieces())


def dump(value: Any, file: Any, *, default: Callable[[Any], Any] | None = None) -> None:
    """Write dumps(value, default=default) to `file`, the same characters, without building it: dicts and
    lists are walked, strings longer than JSON_PIECE (and JsonText) are escaped a slice at a time, any other
    value is dumps()'d whole. Escaping is per character, so slices escape to the pieces of the whole."""
    for chunk in _chunks(value, default):
        file.write(chunk)


def _chunks(value: Any, default: Callable[[Any], Any] | None) -> Iterator[str]:
    import json
    from json.encoder import encode_basestring  # what json.dumps(ensure_ascii=False) quotes strings with

    if isinstance(value, JsonText) or (isinstance(value, str) and len(value) > JSON_PIECE):
        yield '"'
        for piece in (value.pieces() if isinstance(value, JsonText) else (value,)):
            for start in range(0, len(piece), JSON_PIECE):
                yield _json_safe(encode_basestring(masked(piece[start:start + JSON_PIECE]))[1:-1])
        yield '"'
    elif isinstance(value, dict):
        yield "{"
        for i, (key, item) in enumerate(value.items()):
            if not isinstance(key, str):
                if not (key is None or isinstance(key, (int, float))):
                    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")
                key = json.dumps(key)  # json's own spelling of such a key: 1, 1.5, true, null, Infinity
            yield (", " if i else "") + _json_safe(encode_basestring(key)) + ": "
            yield from _chunks(item, default)
        yield "}"
    elif isinstance(value, (list, tuple)):
        yield "["
        for i, item in enumerate(value):
            if i:
                yield ", "
            yield from _chunks(item, default)
        yield "]"
    else:
        yield _json_safe(json.dumps(masked_values(value), ensure_ascii=False, default=default))
