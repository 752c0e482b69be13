"""A response body laid out for display, in bounded memory and at C speed. Textual-free.

A 20 MB JSON body parsed into Python objects and dumped again with an indent took ~28 times its
size and a second and a half of CPU on the UI's side. Here the body's own bytes are broken into
lines with bytes.replace (after `,` `{` `[`, before `}` `]`), strings, numbers and keys staying
exactly as the venue sent them; the indentation is worked out only for the lines on screen, from
the nesting depth, one block of lines at a time. What is kept is the body once more (plus a
newline per line) and a few numbers per block: no Python object per line.

Strings that hold a bracket, a comma or white space are copied through untouched (they are found
with one regex pass); white space between tokens is dropped. Anything that does not nest back to
depth zero (and was not cut at the size cap) is shown line by line as it came. This lays the body
out; whether it is a valid envelope is the diagnosis's job (tui.envelope). Every line comes out
through tui.terminal_safe.shown: a control character a server put in it is shown escaped, never obeyed.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_right
from collections import OrderedDict

from tui.terminal_safe import shown

BLOCK_BYTES = 64 * 1024  # a block is this many bytes of laid-out text, cut at a line end
SLICE_BYTES = 512 * 1024  # the most of the body one C call works on (see json_layout)
CACHED_BLOCKS = 64  # blocks whose line offsets and depths are kept (what is on screen, and near it)
INDENT = "  "
MAX_INDENT = 40  # levels shown as indentation; deeper lines say their depth (a hostile body nests 100,000 deep)
MATCH_LIMIT = 100_000
_STRING = rb'"(?:[^"\\]|\\.)*+"'
# Clean text (strings without a structural character or white space, anything outside strings),
# then one string that has one: those strings are copied through as they are.
_UNTIL_ODD_STRING = re.compile(rb'(?:"(?:[^"\\{}\[\],\s]|\\.)*+"|[^"])*+(' + _STRING + rb")?")
_SPACE = re.compile(rb"\s+")
_OPENS = (b"{", b"[")
_CLOSES = (b"}", b"]")


def _break_lines(clean: bytes) -> bytes:
    """Line breaks in text with no string that holds a structural character or white space."""
    out = _SPACE.sub(b"", clean)
    out = out.replace(b",", b",\n").replace(b"{", b"{\n").replace(b"[", b"[\n")
    out = out.replace(b"}", b"\n}").replace(b"]", b"\n]")
    return out.replace(b"{\n\n}", b"{}").replace(b"[\n\n]", b"[]")


def json_layout(body: bytes) -> bytes:
    """The body broken into lines, one JSON token (or key: value) per line, no indentation.

    Worked through in pieces of about SLICE_BYTES: a regex or bytes.replace call holds the GIL
    for as long as it runs, and a keypress on the UI's thread must not wait for 20 MB of it. A
    piece ends after a comma outside any string (a clean piece's strings hold none)."""
    pieces: list[bytes] = []
    position, size = 0, len(body)
    while position < size:
        window = min(position + SLICE_BYTES, size)
        match = _UNTIL_ODD_STRING.match(body, position, window)
        stop = match.end() if match is not None else position
        if match is not None and match.group(1) is not None:  # clean text, then an odd string
            start, stop = match.span(1)
            pieces += [_break_lines(body[position:start]), body[start:stop]]
        elif stop == position:  # a string longer than the window (or never closed): take the rest
            match = _UNTIL_ODD_STRING.match(body, position)
            if match is None or match.group(1) is None:
                pieces.append(_break_lines(body[position:]))
                break
            start, stop = match.span(1)
            pieces += [_break_lines(body[position:start]), body[start:stop]]
        else:  # clean up to `stop`: cut after its last comma, so no `{` `}` pair is split
            if stop < size:
                comma = body.rfind(b",", position, stop)
                stop = comma + 1 if comma >= position else stop
            pieces.append(_break_lines(body[position:stop]))
        position = stop
    if len(pieces) == 1:
        return pieces[0].strip(b"\n")
    out = b"".join(pieces)  # an empty {} or [] cut between two pieces is put back together
    return out.replace(b"{\n\n}", b"{}").replace(b"[\n\n]", b"[]").strip(b"\n")


class BodyText:
    """The lines of a body as one bytes object, in blocks; `line(i)` is the i-th display line."""

    def __init__(self, data: bytes, indented: bool) -> None:
        self.data = data
        self.indented = indented
        self.block_first: list[int] = []  # the first line number of each block
        self.block_span: list[tuple[int, int]] = []  # each block's bytes
        self.block_depth: list[int] = []  # the nesting depth where each block starts
        self.count = 0
        self.widest = 0
        self.depth = 0  # at the end: 0 for JSON that nests back
        self._cache: OrderedDict[int, tuple[array, array]] = OrderedDict()
        start, size = 0, len(data)
        while start < size:
            cut = data.find(b"\n", min(start + BLOCK_BYTES, size - 1))
            end = size if cut < 0 else cut + 1
            lines = data.count(b"\n", start, end) + (0 if data[end - 1:end] == b"\n" else 1)
            self.block_first.append(self.count)
            self.block_span.append((start, end))
            self.block_depth.append(self.depth)
            self.count += lines
            if indented:
                opened = data.count(b"{\n", start, end) + data.count(b"[\n", start, end)
                tail = end - 1 if data[end - 1:end] == b"\n" else end  # a "\n}" across the cut is the next block's
                closed = data.count(b"\n}", start, tail) + data.count(b"\n]", start, tail)
                closed += data[start:start + 1] in _CLOSES
                self.depth += opened - closed
            start = end

    def _block(self, number: int) -> tuple[array, array]:
        """(line starts, indentation depths) of one block, worked out the first time it is shown."""
        found = self._cache.get(number)
        if found is not None:
            self._cache.move_to_end(number)
            return found
        data, (start, end) = self.data, self.block_span[number]
        starts, depths = array("I", [start]), array("I")
        depth = self.block_depth[number]
        position = start
        while True:
            newline = data.find(b"\n", position, end)
            stop = end if newline < 0 else newline
            if self.indented:
                if data[position:position + 1] in _CLOSES:
                    depth = max(depth - 1, 0)
                depths.append(depth)
                if data[stop - 1:stop] in _OPENS:
                    depth += 1
            starts.append(stop + 1)
            self.widest = max(self.widest, stop - position)
            if newline < 0 or newline + 1 >= end:
                break
            position = newline + 1
        self._cache[number] = (starts, depths)
        if len(self._cache) > CACHED_BLOCKS:
            self._cache.popitem(last=False)
        return starts, depths

    def line(self, index: int) -> str:
        number = bisect_right(self.block_first, index) - 1
        starts, depths = self._block(number)
        k = index - self.block_first[number]
        text = self.data[starts[k]:starts[k + 1] - 1].decode("utf-8", "replace")
        if self.indented:
            depth = depths[k]
            if depth > MAX_INDENT:
                return f"{INDENT * MAX_INDENT}[depth {depth}] {shown(text)}"
            return INDENT * depth + shown(text)
        return shown(text.rstrip("\r"), multiline=True)  # ESC, OSC 52, BEL from a server: shown, never obeyed

    def find(self, term: str, limit: int = MATCH_LIMIT) -> list[int]:
        """Numbers of the lines containing `term`, case-insensitively (ASCII letters fold), at most
        `limit`. In JSON a term is looked for within one token (or key: value) line."""
        if not term:
            return []
        needle = re.compile(re.escape(term.encode("utf-8")), re.IGNORECASE)
        found: list[int] = []
        data = self.data
        for number, (start, end) in enumerate(self.block_span):
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


def lay_out(body: bytes, content_type: str | None = None, truncated: bool = False) -> tuple[BodyText, str]:
    """(the body's display lines, a note). JSON is laid out one token per line; anything else, or
    JSON that does not nest back (a body cut at the cap is laid out anyway), is shown as it came."""
    if not body:
        return BodyText(b"", False), "empty body"
    if body.lstrip()[:1] in (b"{", b"["):
        text = BodyText(json_layout(body), indented=True)
        if text.depth == 0 or truncated:
            return text, f"JSON, {text.count:,} lines"
    kind = "HTML" if b"<html" in body[:2000].lower() else "not JSON"
    text = BodyText(body, indented=False)
    return text, f"{kind}{f' ({content_type})' if content_type else ''}, {text.count:,} lines"
