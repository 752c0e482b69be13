"""Raw HTTP text is read in one pass (fresh-eyes attack on a78773c): each request without an answer made the
reader scan, and copy, the whole rest of the input, so a 16 MiB log of 300,000 requests had 106 read when
the 10 s budget ran out. The work is counted, not timed: bytes the reader's patterns scan and bytes it copies."""

from __future__ import annotations

import re

from tui.inspect import rawhttp


class CountingBytes(bytes):
    """The input, counting the bytes every slice of it copies."""

    copied = 0

    def __getitem__(self, key):  # noqa: ANN001, ANN204 - bytes' own signature
        got = super().__getitem__(key)
        if isinstance(key, slice):
            CountingBytes.copied += len(got)
        return got


class CountingPattern:
    """A compiled pattern that counts the bytes each search runs over (to its match's end, or to the end of the
    range it was given) and each match takes (a match that fails stops at once)."""

    scanned = 0

    def __init__(self, pattern: re.Pattern[bytes]) -> None:
        self.pattern = pattern

    def _count(self, found, data, pos, endpos):  # noqa: ANN001, ANN202
        CountingPattern.scanned += (found.end() if found else min(endpos, len(data))) - pos
        return found

    def search(self, data, pos=0, endpos=None):  # noqa: ANN001, ANN201
        endpos = len(data) if endpos is None else endpos
        return self._count(self.pattern.search(data, pos, endpos), data, pos, endpos)

    def match(self, data, pos=0, endpos=None):  # noqa: ANN001, ANN201
        endpos = len(data) if endpos is None else endpos
        found = self.pattern.match(data, pos, endpos)
        return self._count(found, data, pos, endpos) if found else None


def test_requests_without_answers_are_read_in_one_pass(monkeypatch):
    for name, value in vars(rawhttp).copy().items():
        if isinstance(value, re.Pattern):
            monkeypatch.setattr(rawhttp, name, CountingPattern(value))
    data = CountingBytes(b"GET /spot/v1/ticker?n=1 HTTP/1.1\r\nHost: api-cloud.bitmart.com\r\n\r\n" * 2000)
    requests, unread = rawhttp.read(data)
    assert len(requests) == 2000 and unread is None and requests[-1].url == "https://api-cloud.bitmart.com/spot/v1/ticker?n=1"
    assert CountingPattern.scanned < 5 * len(data) and CountingBytes.copied < 2 * len(data), (CountingPattern.scanned, CountingBytes.copied)
