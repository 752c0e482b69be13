"""tui.http1.reader: llhttp's message ends, found to the byte however the stream is cut into reads.

A stream of pipelined messages (chunked with extensions, trailers and line feeds in its data, a Content-Length
body ending mid-line, no body, empty lines before a request line) is cut at random places into reads; the
reader must hand back each message's exact bytes, whatever the cuts. Seeded and replayable (tests/seeds.py)."""

from __future__ import annotations

import random

import pytest
from seeds import drawn_seed

from tui.http1.reader import MessageReader
from tui.http1.rules import Refusal

REQUESTS = [
    b"POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\nhello\nworld",
    b"GET /b HTTP/1.1\r\nHost: a\r\n\r\n",
    b"POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab\ncd\r\n3;x=y\r\n\n\r\n\r\n0\r\nT: 1\r\n\r\n",
    b"POST /d HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n",
    b"\r\nGET /e HTTP/1.1\r\nHost: a\r\nX-Empty:\r\n\r\n",  # an empty line before the request line is the message's
    b"POST /f HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nxyz",
    b"POST /g HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\n\r\na\r\n\r\nb",  # an empty line inside a body
    b"POST /h HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n\r\n\r\n\r\n0\r\n\r\n",
]
ANSWERS = [
    b"HTTP/1.1 100 Continue\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n{}\r\n",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n\n\n\r\n0\r\n\r\n",
    b"HTTP/1.1 204 No Content\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
]


def read_all(kind: str, reads: list[bytes]) -> list[bytes]:
    got, current = [], bytearray()
    reader = MessageReader(kind, max_head=65536, max_headers=100)
    pending = list(reads)
    while pending:
        data = pending.pop(0)
        end = reader.feed(data)
        if end is None:
            current += data
            continue
        current += data[:end]
        got.append(bytes(current))
        current, reader = bytearray(), MessageReader(kind, max_head=65536, max_headers=100)
        if data[end:]:
            pending.insert(0, data[end:])
    return got


@pytest.mark.parametrize("kind,messages", [("request", REQUESTS), ("response", ANSWERS)])
def test_each_message_is_found_to_the_byte_however_the_reads_are_cut(kind, messages):
    rng = random.Random(drawn_seed("KEYPROBE_READER_SEED"))
    stream = b"".join(messages)
    for _ in range(300):
        cuts = sorted(rng.sample(range(1, len(stream)), rng.randint(0, 15)))
        reads = [stream[a:b] for a, b in zip([0, *cuts], [*cuts, len(stream)])]
        assert read_all(kind, reads) == messages, cuts
    for cut in range(1, len(stream)):  # every place one cut can fall
        assert read_all(kind, [stream[:cut], stream[cut:]]) == messages, cut
    assert read_all(kind, [bytes([b]) for b in stream]) == messages  # a byte at a time
    assert read_all(kind, [stream]) == messages  # all at once


def test_a_head_only_answer_ends_at_its_head_whatever_its_length_says():
    reader = MessageReader("response", max_head=65536, max_headers=100, head_only=True)
    data = b"HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\nHTTP/1.1 200 OK"
    assert reader.feed(data) == data.index(b"\r\n\r\n") + 4


@pytest.mark.parametrize("data,status,words", [
    (b"GET / HTTP/1.1\r\nHost: a\r\nX: " + b"a" * 70_000, 431, "head is over 64 KiB"),
    (b"GET / HTTP/1.1\r\nHost: a\r\nX: " + b"a" * 70_000 + b"\r\n\r\n", 431, "head is over 64 KiB"),
    (b"GET / HTTP/1.1\r\n" + b"X: 1\r\n" * 101 + b"\r\n", 431, "more than 100 header lines"),
    (b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1048577\r\n\r\n", 413, "1,048,577 bytes is over the 1024 KiB"),
    (b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n100001\r\n" + b"a" * 1048577, 413, "body is over the 1024 KiB"),
    # framing without end, which no body cap sees (fresh-eyes attack on a78773c: the proxy grew 2 GB in 6 s)
    (b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1;" + b"a" * 70_000, 400, "chunk framing"),
    (b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: " + b"a" * 70_000, 400, "chunk framing"),
    (b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n" + b"X: 1\r\n" * 101 + b"\r\n", 431, "100 trailer lines"),
])
def test_caps_are_refused_with_their_status(data, status, words):
    reader = MessageReader("request", max_head=64 * 1024, max_headers=100, max_body=1024 * 1024)
    with pytest.raises(Refusal) as refused:
        reader.feed(data)
    assert refused.value.status == status and words in refused.value.sentence


def test_an_answer_in_tiny_chunks_is_read_and_a_trailer_without_end_is_not():
    # An answer is relayed, not kept: tiny chunks cost nothing, but a trailer value is gathered by concatenation
    # in httptools, so a hostile upstream's endless one would hold the relay's loop, however big the body before it.
    tiny = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + b"1\r\na\r\n" * 50_000 + b"0\r\n\r\n"
    reader = MessageReader("response", max_head=65536, max_headers=100)
    assert reader.feed(tiny) == len(tiny) and reader.body_size == 50_000
    big = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n30000\r\n" + b"b" * 0x30000 + b"\r\n0\r\nX-T: "
    reader = MessageReader("response", max_head=65536, max_headers=100)
    assert reader.feed(big) is None
    with pytest.raises(Refusal, match="chunk framing"):
        for _ in range(3):
            reader.feed(b"t" * 30_000)


def test_trailer_fields_are_not_taken_for_headers():
    data = b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\nX-BM-KEY: k\r\nHost: b\r\n\r\n"
    reader = MessageReader("request", max_head=65536, max_headers=100)
    assert reader.feed(data) == len(data)
    assert reader.head.headers == [("Host", "a"), ("Transfer-Encoding", "chunked")] and reader.body_size == 2


def test_a_head_whose_empty_line_straddles_two_reads_ends_there_not_at_an_empty_line_in_the_body():
    first, second = b"POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\n\r", b"\na\r\n\r\nbGET /b HTTP/1.1\r\n\r\n"
    reader = MessageReader("request", max_head=65536, max_headers=100)
    assert reader.feed(first) is None
    assert second[: reader.feed(second)] == b"\na\r\n\r\nb" and reader.head_end == len(first) + 1


def test_an_error_in_the_next_message_does_not_spoil_this_one():
    data = b"POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\n{}G\x1bT /b HTTP/1.1\r\n\r\n"  # same line
    reader = MessageReader("request", max_head=65536, max_headers=100)
    end = reader.feed(data)
    assert data[end:].startswith(b"G\x1bT") and reader.head.target == "/a" and reader.body_size == 2
    with pytest.raises(Refusal, match="Invalid method"):
        MessageReader("request", max_head=65536, max_headers=100).feed(data[end:])
