"""A response body laid out for display, a slice at a time, in bounded memory. Textual-free.

A 20 MB JSON body parsed into Python objects and dumped again with an indent took ~28 times its
size and seconds of CPU; a regex walking it character by character held the GIL for 100 ms a
slice. Here each slice of about SLICE_BYTES is split at its quotes (bytes.split: the pieces
outside strings alternate with the strings), the pieces outside strings are joined and broken
into lines with bytes.replace (after `,` `{` `[`, before `}` `]`, white space dropped), and the
strings are put back untouched: C calls of a few milliseconds each, a keypress never waits for
20 MB of them. Escaped quotes and backslashes are swapped for bytes the slice does not contain
first (same length, so every position holds) and swapped back after.

The laid-out text is kept once, as the pieces the slices made (a newline per line more than the
body), with a few numbers per block of lines; the indentation is worked out only for the lines on
screen, from the nesting depth. `laid_out` yields the text as it grows, so the first screen is
shown while the rest is still being laid out (Toolong's way with big files). Anything that does
not nest back to depth zero (and was not cut at the size cap) is shown line by line as it came.
Whether the body is a valid envelope is the diagnosis's job (tui.transport.envelope). Every line comes out
through tui.output.terminal_safe.shown: a control character a server put in it is shown escaped.
"""

from __future__ import annotations

import re
import time
from array import array
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from itertools import accumulate

from tui.output.terminal_safe import shown

SLICE_BYTES = 64 * 1024  # the most of the body one step lays out (longer only for a longer string)
BLOCK_BYTES = 16 * 1024  # a block of lines is about this many bytes, cut at a line end
CACHED_BLOCKS = 256  # blocks whose line offsets and depths are kept (what is on screen, and near it)
INDENT = "  "
MAX_INDENT = 40  # levels shown as indentation; deeper lines say their depth (a hostile body nests 100,000 deep)
MATCH_LIMIT = 100_000
GROWN_EVERY_S = 0.1  # while a big body is laid out, the view learns of its new lines this often
_SPACE = b" \t\n\r\x0b\x0c"  # what bytes regex \s matches: dropped between tokens
# Bytes a slice is unlikely to hold (control characters JSON forbids raw): the separator and the
# stand-ins for escaped backslashes and quotes are picked among those the slice does not contain.
_SPARE = [bytes([b]) for b in (*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F)]
_OPENS = (b"{", b"[")
_CLOSES = (b"}", b"]")


def _break_lines(outside: bytes) -> bytes:
    """Line breaks in JSON text outside strings."""
    out = outside.translate(None, _SPACE)
    out = out.replace(b",", b",\n").replace(b"{", b"{\n").replace(b"[", b"[\n")
    out = out.replace(b"}", b"\n}").replace(b"]", b"\n]")
    return out.replace(b"{\n\n}", b"{}").replace(b"[\n\n]", b"[]")


def _unescaped(chunk: bytes) -> tuple[bytes, list[tuple[bytes, bytes]]] | None:
    """`chunk` with `\\\\` and `\\"` swapped for two spare bytes each (quotes then pair up as strings),
    the swaps to undo, and a spare separator last; None when no spare bytes are left (hostile)."""
    needed = 3 if b"\\" in chunk else 1
    spare = [byte for byte in _SPARE if byte not in chunk][:needed]
    if len(spare) < needed:
        return None
    if needed == 1:
        return chunk, [(spare[0], b"")]
    backslash, quote = spare[0] * 2, spare[1] * 2
    chunk = chunk.replace(b"\\\\", backslash).replace(b'\\"', quote)
    return chunk, [(backslash, b"\\\\"), (quote, b'\\"'), (spare[2], b"")]


def _lay_out_slice(chunk: bytes) -> bytes:
    """One slice (starting outside any string) broken into lines, strings untouched."""
    found = _unescaped(chunk)
    if found is None:
        return chunk  # every spare byte is in it: shown as it came
    chunk, swaps = found
    separator = swaps.pop()[0]
    parts = chunk.split(b'"')  # even: outside strings; odd: a string's inside (the last may be unclosed)
    parts[0::2] = _break_lines(separator.join(parts[0::2])).split(separator)
    out = b'"'.join(parts)
    for stand_in, original in swaps:
        out = out.replace(stand_in, original)
    return out


def _slice_end(body: bytes, start: int) -> int:
    """Where the slice from `start` (outside any string) ends: just after a comma outside any
    string, about SLICE_BYTES on; further only when no such comma is that near (a long string)."""
    span, size = SLICE_BYTES, len(body)
    while start + span < size:
        window = body[start:start + span]
        found = _unescaped(window)
        if found is None:
            return start + span  # hostile bytes: this slice is shown as it came anyway
        window = found[0]
        comma = window.rfind(b",")
        while comma >= 0 and window.count(b'"', 0, comma) % 2:  # inside the string the last quote opened
            comma = window.rfind(b",", 0, window.rfind(b'"', 0, comma))
        if comma >= 0:
            return start + comma + 1
        span *= 2
    return size


def json_pieces(body: bytes) -> Iterator[bytes]:
    """The body broken into lines, one JSON token (or key: value) per line, no indentation, a
    slice at a time; each piece ends at a line end."""
    position, size = 0, len(body)
    while position < size:
        end = _slice_end(body, position)
        yield _lay_out_slice(body[position:end])
        position = end


class BodyText:
    """The display lines of a body, kept as the pieces of bytes they were laid out in, in blocks;
    `line(i)` is the i-th display line. It grows at the end (`add`, on the layout's thread) while
    the view reads the lines it was told of: lists only appended to, `count` raised last."""

    def __init__(self, indented: bool) -> None:
        self.indented = indented
        self.block_data: list[bytes] = []  # the piece each block is in (shared, not copied)
        self.block_span: list[tuple[int, int]] = []  # each block's bytes in its piece
        self.block_depth: list[int] = []  # the nesting depth where each block starts
        self.block_first: list[int] = []  # the first line number of each block
        self.count = 0
        self.widest = 0
        self.depth = 0  # at the end: 0 for JSON that nests back
        self._cache: OrderedDict[int, tuple[array, array]] = OrderedDict()

    def add(self, data: bytes, start: int = 0, end: int | None = None) -> None:
        """Append the lines of data[start:end] (a piece ending at a line end, except the last)."""
        end = len(data) if end is None else end
        while start < end:
            cut = data.find(b"\n", min(start + BLOCK_BYTES, end - 1), end)
            stop = end if cut < 0 else cut + 1
            ends_line = data[stop - 1:stop] == b"\n"
            lines = data.count(b"\n", start, stop) + (0 if ends_line else 1)
            depth = self.depth
            if self.indented:
                opened = data.count(b"{\n", start, stop) + data.count(b"[\n", start, stop)
                tail = stop - 1 if ends_line else stop  # a "\n}" across the cut is the next block's
                closed = data.count(b"\n}", start, tail) + data.count(b"\n]", start, tail)
                closed += data[start:start + 1] in _CLOSES
                self.depth += opened - closed
            self.block_data.append(data)
            self.block_span.append((start, stop))
            self.block_depth.append(depth)
            self.block_first.append(self.count)
            self.count += lines
            start = stop

    def _block(self, number: int) -> tuple[array, array]:
        """(line starts, indentation depths) of one block, worked out the first time it is shown
        (on the UI's thread: a block is small, so this is a fraction of a millisecond)."""
        found = self._cache.get(number)
        if found is not None:
            self._cache.move_to_end(number)
            return found
        data, (start, end) = self.block_data[number], self.block_span[number]
        lines = data[start:end].split(b"\n")
        if len(lines) > 1 and not lines[-1]:
            lines.pop()  # the newline that ends the block's last line
        starts = array("I", accumulate(map((1).__add__, map(len, lines)), initial=start))
        self.widest = max(self.widest, max(map(len, lines)))
        depths = array("I")
        if self.indented:
            depth = max(self.block_depth[number], 0)  # a body that closes more than it opened is shown, not refused
            for line in lines:
                if line[:1] in _CLOSES:
                    depth = max(depth - 1, 0)
                depths.append(depth)
                if line[-1:] in _OPENS:
                    depth += 1
        self._cache[number] = (starts, depths)
        if len(self._cache) > CACHED_BLOCKS:
            self._cache.popitem(last=False)
        return starts, depths

    def line(self, index: int) -> str:
        number = bisect_right(self.block_first, index) - 1
        starts, depths = self._block(number)
        k = index - self.block_first[number]
        text = self.block_data[number][starts[k]:starts[k + 1] - 1].decode("utf-8", "replace")
        if self.indented:
            depth = depths[k]
            if depth > MAX_INDENT:
                return f"{INDENT * MAX_INDENT}[depth {depth}] {shown(text)}"
            return INDENT * depth + shown(text)
        return shown(text.rstrip("\r"), multiline=True)  # ESC, OSC 52, BEL from a server: shown, never obeyed

    def find(self, term: str, limit: int = MATCH_LIMIT) -> list[int]:
        """Numbers of the lines containing `term`, case-insensitively (ASCII letters fold), at most
        `limit`, among the lines laid out so far. In JSON a term is looked for within one line."""
        if not term:
            return []
        needle = re.compile(re.escape(term.encode("utf-8")), re.IGNORECASE)
        found: list[int] = []
        for number in range(len(self.block_first)):
            data, (start, end) = self.block_data[number], self.block_span[number]
            line = self.block_first[number]
            position = start
            for match in needle.finditer(data, start, end):
                line += data.count(b"\n", position, match.start())
                position = match.start()
                if not found or found[-1] != line:
                    found.append(line)
                    if len(found) >= limit:
                        return found
        return found


def _raw_pieces(body: bytes) -> Iterator[tuple[int, int]]:
    """(start, end) of slices of the body as it came, each cut after a newline when there is one."""
    position, size = 0, len(body)
    while position < size:
        cut = body.find(b"\n", min(position + SLICE_BYTES, size - 1))
        end = size if cut < 0 else cut + 1
        yield position, end
        position = end


def _as_it_came(body: bytes, content_type: str | None) -> Iterator[tuple[BodyText, str | None]]:
    text = BodyText(indented=False)
    for start, end in _raw_pieces(body):
        text.add(body, start, end)  # the body's own bytes: no copy
        yield text, None
    kind = "HTML" if b"<html" in body[:2000].lower() else "not JSON"
    yield text, f"{kind}{f' ({content_type})' if content_type else ''}, {text.count:,} lines"


def laid_out(body: bytes, content_type: str | None = None, truncated: bool = False) -> Iterator[tuple[BodyText, str | None]]:
    """The body's display lines as they are laid out: (the text so far, None) after each slice,
    then (the text, a note) once at the end. JSON is laid out one token per line; anything else
    is shown as it came. JSON that does not nest back (unless cut at the cap) is shown as it came
    too, found only at its end: the last text is then another object."""
    if not body:
        yield BodyText(indented=False), "empty body"
        return
    if body[:4096].lstrip()[:1] not in _OPENS:
        yield from _as_it_came(body, content_type)
        return
    text = BodyText(indented=True)
    for piece in json_pieces(body):
        text.add(piece)
        yield text, None
    if text.depth == 0 or truncated:
        yield text, f"JSON, {text.count:,} lines"
    else:
        yield from _as_it_came(body, content_type)


def paced(steps: Iterable[tuple[BodyText, str | None]], every_s: float = GROWN_EVERY_S) -> Iterator[tuple[BodyText, str | None]]:
    """The steps of `laid_out` worth showing: the first, then one every `every_s` at most, and the last."""
    shown_at = None
    for text, note in steps:
        if note is not None or shown_at is None or time.monotonic() - shown_at >= every_s:
            yield text, note
            shown_at = time.monotonic()


def lay_out(body: bytes, content_type: str | None = None, truncated: bool = False) -> tuple[BodyText, str]:
    """(the body's display lines, a note), laid out whole (see `laid_out`)."""
    for text, note in laid_out(body, content_type, truncated):
        if note is not None:
            return text, note
    raise AssertionError("laid_out always ends with a note")
