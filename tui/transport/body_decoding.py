"""A response body undone from its Content-Encoding one bounded piece at a time.

httpx inflates each network read whole: 64 KiB of a gzip bomb came out as 64 MiB in one piece, and a body
gzipped twice (`Content-Encoding: gzip, gzip`, 16 KB on the wire) grew to gigabytes before the body cap was
ever checked (3.7 GB RSS, 35 s past a 10 s deadline). Here every zlib call is capped (max_length), so
memory stays at a piece whatever the ratio, and the reader can stop at its cap between pieces.

gzip, x-gzip and deflate (zlib-wrapped or raw, as httpx reads it) are undone; any other coding (identity, br,
zstd, unknown) is skipped, as httpx skips a coding it has no decoder for.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator

import httpx

PIECE = 1024 * 1024  # the most one zlib call may produce
ACCEPT_ENCODING = "gzip, deflate"  # what a request asks for: the codings undone here
STACK_LIMIT = 3  # codings applied one over another; more is an attack, not an API


class _Inflater:
    """One coding: gzip or zlib by its header; for deflate, raw deflate when the first bytes are not zlib."""

    def __init__(self, coding: str) -> None:
        self.coding = coding
        self.z = zlib.decompressobj(zlib.MAX_WBITS | 32)  # 32: a gzip or a zlib header, detected
        self.started = False  # zlib has accepted the header: too late to fall back to raw deflate
        self.head = b""  # deflate's first bytes, held until the two of the zlib header are here

    def pieces(self, data: bytes) -> Iterator[bytes]:
        if self.coding == "deflate" and not self.started:
            # zlib takes one byte of its two-byte header without a word and refuses the second, so a
            # first read of one byte would tell nothing and the raw-deflate fallback would come too late.
            self.head += data
            if len(self.head) < 2:
                return
            data, self.head = self.head, b""
        yield from self._inflate(data)

    def _inflate(self, data: bytes) -> Iterator[bytes]:
        while data and not self.z.eof:
            try:
                out = self.z.decompress(data, PIECE)
            except zlib.error as exc:
                if self.coding == "deflate" and not self.started:  # some servers send raw deflate
                    self.z, self.started = zlib.decompressobj(-zlib.MAX_WBITS), True
                    continue
                raise httpx.DecodingError(f"Error while decompressing the {self.coding} body: {exc}") from None
            self.started = True
            data = self.z.unconsumed_tail
            if out:
                yield out

    def rest(self) -> Iterator[bytes]:
        head, self.head = self.head, b""
        yield from self._inflate(head)  # a one-byte deflate body: whatever zlib makes of it
        if not self.z.eof:
            try:
                tail = self.z.flush()
            except zlib.error as exc:
                raise httpx.DecodingError(f"Error while decompressing the {self.coding} body: {exc}") from None
            if tail:
                yield tail


class BoundedDecoder:
    """feed() the raw bytes as they arrive, then finish(); each yields decoded pieces of at most PIECE bytes."""

    def __init__(self, content_encoding: str | None) -> None:
        codings = [c.strip().lower() for c in (content_encoding or "").split(",")]
        codings = [c for c in codings if c in ("gzip", "x-gzip", "deflate")]
        if len(codings) > STACK_LIMIT:
            raise httpx.DecodingError(f"The body is encoded {len(codings)} times over ({content_encoding}); keyprobe undoes at most "
                                      f"{STACK_LIMIT}.")
        # applied in the order listed, so undone from the last
        self._stages = [_Inflater(c) for c in reversed(codings)]

    def feed(self, data: bytes) -> Iterator[bytes]:
        yield from self._through(0, data)

    def finish(self) -> Iterator[bytes]:
        for i, stage in enumerate(self._stages):
            for piece in stage.rest():
                yield from self._through(i + 1, piece)

    def _through(self, stage: int, data: bytes) -> Iterator[bytes]:
        if stage == len(self._stages):
            if data:
                yield data
            return
        for piece in self._stages[stage].pieces(data):
            yield from self._through(stage + 1, piece)


def decoded_prefix(body: bytes, content_encoding: str | None, limit: int) -> bytes:
    """At most `limit` bytes of `body` undone from its coding (the proxy's view of a relayed answer);
    a body that does not decode is returned as it came."""
    kept: list[bytes] = []
    size = 0
    try:
        decoder = BoundedDecoder(content_encoding)
        for source in (decoder.feed(body), decoder.finish()):
            for piece in source:
                kept.append(piece[: limit - size])
                size += len(kept[-1])
                if size >= limit:
                    return b"".join(kept)
    except httpx.DecodingError:
        return body
    return b"".join(kept)
