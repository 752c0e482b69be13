"""Issue 21's framing findings (1, 5, 6, 9), each against the emulator and through the proxy, on real sockets.

The proxy side runs with a real loopback upstream that records the raw bytes it receives (a socket capture):
a refused request must have sent it nothing, an accepted one exactly what the client sent, Host aside.
Every case here failed on a646a29, where framing was parsed by hand."""

from __future__ import annotations

import pytest
from http_client import answers, refused, send, status_of
from loopback_upstream import CaptureUpstream, ok

from tui.emulator import Emulator
from tui.proxy import Proxy

CHUNKED = b"POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"

# (what, request, status): requests whose framing or head RFC 9112 / 9110 say to refuse.
REFUSED = [
    ("chunk size -1 (finding 1)", CHUNKED + b"-1\r\n" + b"a" * 300 + b"\r\n0\r\n\r\n", 400),
    ("chunk size past 64 bits", CHUNKED + b"fffffffffffffffffff\r\nabc\r\n0\r\n\r\n", 400),
    ("chunk size 0x3 (finding 9)", CHUNKED + b"0x3\r\nabc\r\n0\r\n\r\n", 400),
    ("chunk size 1_0 (finding 9)", CHUNKED + b"1_0\r\n0123456789abcdef\r\n0\r\n\r\n", 400),
    ("Content-Length: \u00b2 (finding 9)", b"POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: \xb2\r\n\r\n{}", 400),  # latin-1 superscript two
    ("Content-Length: \u00b2 in UTF-8", "POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: \u00b2\r\n\r\n{}".encode(), 400),
    ("Host : evil (finding 9)", b"GET /x HTTP/1.1\r\nHost : evil\r\n\r\n", 400),
    ("bare LF lines (finding 9)", b"GET /x HTTP/1.1\nHost: h\n\n", 400),
    ("one bare LF line", b"GET /x HTTP/1.1\r\nHost: h\nX-A: 1\r\n\r\n", 400),
    ("Transfer-Encoding: xchunked (finding 9)", b"POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: xchunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", 400),
    ("two equal Content-Lengths (finding 9)", b"POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n{}", 400),
    ("two differing Content-Lengths", b"POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}x", 400),
    ("Content-Length: 2, 2", b"POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 2, 2\r\n\r\n{}", 400),
    ("Content-Length and Transfer-Encoding", b"POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", 400),
    ("obs-fold", b"GET /x HTTP/1.1\r\nHost: h\r\nX-A: b\r\n c\r\n\r\n", 400),
    ("last coding not chunked", b"POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, gzip\r\n\r\n3\r\nabc\r\n0\r\n\r\n", 400),
    ("a coding other than chunked before it", b"POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", 501),
    ("Transfer-Encoding on HTTP/1.0", b"POST /x HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", 400),
    ("two Host headers", b"GET /x HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
    ("HTTP/1.1 without Host", b"GET /x HTTP/1.1\r\n\r\n", 400),
    ("HTTP/2.0 in a request line", b"GET /x HTTP/2.0\r\nHost: h\r\n\r\n", 505),
    ("the asterisk with GET", b"GET * HTTP/1.1\r\nHost: h\r\n\r\n", 400),
    ("a target that is no path or URL", b"GET x/y HTTP/1.1\r\nHost: h\r\n\r\n", 400),
    ("an escape in a header value", b"GET /x HTTP/1.1\r\nHost: h\r\nX-A: \x1b]52;c;aGk=\x07\r\n\r\n", 400),
    # llhttp stops at an upgrade's head: its body was read as the next request, while a server declining the
    # switch reads it as the body (a request smuggled past the proxy; fresh-eyes attack on a78773c)
    ("an Upgrade with a Content-Length body", b"GET /x HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
     b"Content-Length: 35\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: h\r\n\r\n", 400),
    ("an Upgrade with a chunked body", b"POST /x HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n"
     b"Transfer-Encoding: chunked\r\n\r\n23\r\nGET /smuggled HTTP/1.1\r\nHost: h\r\n\r\n\r\n0\r\n\r\n", 400),
]


@pytest.fixture
def upstream():
    up = CaptureUpstream()
    yield up
    up.close()


@pytest.fixture
def proxy(upstream, tmp_path, monkeypatch):
    monkeypatch.setenv("KEYPROBE_HOME", str(tmp_path))
    with Proxy(upstream.url, port=0) as p:
        yield p


def forwarded_as(sent: bytes, upstream: CaptureUpstream) -> bytes:
    return sent.replace(b"Host: h\r\n", b"Host: 127.0.0.1:%d\r\n" % upstream.port)


@pytest.mark.parametrize("what,request_bytes,status", REFUSED, ids=[c[0] for c in REFUSED])
def test_the_proxy_refuses_ambiguous_requests_and_forwards_nothing(proxy, upstream, what, request_bytes, status):
    answer = refused(proxy.port, request_bytes)
    assert status_of(answer) == status, answer
    assert answer.rstrip().endswith(b".") and b"Traceback" not in answer and b"\x1b" not in answer
    assert upstream.all_bytes == b""
    sane = b"GET /after HTTP/1.1\r\nHost: h\r\n\r\n"  # the proxy still serves everyone else, exactly
    assert send(proxy.port, sane)[0] == [(200, b'{"code":1000,"message":"OK","data":{"request":0}}')]
    assert upstream.all_bytes == forwarded_as(sane, upstream)


@pytest.mark.parametrize("what,request_bytes,status", REFUSED, ids=[c[0] for c in REFUSED])
def test_the_emulator_refuses_ambiguous_requests_with_a_sentence(emu, what, request_bytes, status):
    request_bytes = request_bytes.replace(b" /x ", b" /system/time ")
    answer = refused(emu.port, request_bytes)
    assert status_of(answer) == status, answer
    assert answer.rstrip().endswith(b".") and b"Traceback" not in answer and b"\x1b" not in answer
    assert send(emu.port, b"GET /system/time HTTP/1.1\r\nHost: h\r\n\r\n")[0][0][0] == 200


# -- the request target (finding 5) ---------------------------------------------------------------------
@pytest.mark.parametrize("sent,expected", [
    # a :// inside the query is the query's business (a646a29 sent `GET /steal&a=1`)
    (b"GET /x?cb=https://evil.example/steal&a=1 HTTP/1.1\r\nHost: h\r\n\r\n", None),
    # Host in any case is the upstream's (a646a29 left `host:` as the client wrote it)
    (b"GET /x HTTP/1.1\r\nhost: h\r\nX-Other: 1\r\n\r\n", b"GET /x HTTP/1.1\r\nhost: 127.0.0.1:%d\r\nX-Other: 1\r\n\r\n"),
    (b"GET /x HTTP/1.1\r\nHOST: h\r\n\r\n", b"GET /x HTTP/1.1\r\nHOST: 127.0.0.1:%d\r\n\r\n"),
    # absolute form: the upstream is fixed, so it goes out in origin form (a646a29 forwarded it as sent)
    (b"GET http://evil.example/x?a=https://b/c HTTP/1.1\r\nHost: h\r\n\r\n", b"GET /x?a=https://b/c HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n"),
    (b"GET https://api-cloud-v2.bitmart.com HTTP/1.1\r\nHost: h\r\n\r\n", b"GET / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n"),
    # OPTIONS * asks about the server: forwarded as it is
    (b"OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n", None),
    # an HTTP/1.0 client may send no Host: the upstream's is added
    (b"GET /x HTTP/1.0\r\n\r\n", b"GET /x HTTP/1.0\r\nHost: 127.0.0.1:%d\r\n\r\n"),
    # llhttp lets two spaces separate the parts: an absolute target so was a 502 "(ValueError)" (fresh-eyes attack)
    (b"GET  http://evil.example/x  HTTP/1.1\r\nHost: h\r\n\r\n", b"GET /x HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n"),
], ids=["query-with-url", "lower-host", "upper-host", "absolute", "absolute-no-path", "asterisk", "http10-no-host",
        "absolute-two-spaces"])
def test_request_targets_are_forwarded_by_their_form(proxy, upstream, sent, expected):
    got, _ = send(proxy.port, sent)
    assert got[0][0] == 200
    want = forwarded_as(sent, upstream) if expected is None else expected % upstream.port
    assert upstream.all_bytes == want


def test_connect_is_refused_by_the_proxy(proxy, upstream):
    answer = refused(proxy.port, b"CONNECT api-cloud-v2.bitmart.com:443 HTTP/1.1\r\nHost: api-cloud-v2.bitmart.com:443\r\n\r\n")
    assert status_of(answer) == 405 and b"not a tunnel" in answer
    assert upstream.all_bytes == b""


def test_the_emulator_reads_an_absolute_target_as_its_path_and_answers_options_asterisk(emu):
    got, _ = send(emu.port, b"GET http://anything.example/system/time?x=https://y/z HTTP/1.1\r\nHost: h\r\n\r\n")
    assert got[0][0] == 200 and b'"code":1000' in got[0][1]
    got, raw = send(emu.port, b"OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n")
    assert got[0][0] == 200 and b"Allow: GET, HEAD, POST, DELETE, OPTIONS" in raw
    assert status_of(refused(emu.port, b"CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n")) == 405


# -- bytes in, bytes out --------------------------------------------------------------------------------
def test_pipelined_and_chunked_requests_reach_the_upstream_byte_for_byte(proxy, upstream):
    first = CHUNKED + b"5;ext=1\r\n{\"a\":\r\n3\r\n 1}\r\n0\r\nX-Trailer: t\r\n\r\n"
    second = b"POST /y HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\nhello\nworld"  # ends mid-line: by its length
    third = b"GET /z?q=a%20b HTTP/1.1\r\nHost: h\r\nX-Spaced:   v  \r\n\r\n"
    got, _ = send(proxy.port, first + second + third, count=3)  # one write: the proxy must find each end itself
    assert [status for status, _ in got] == [200, 200, 200]
    assert [body[-13:] for _, body in got] == [b'"request":0}}', b'"request":1}}', b'"request":2}}']
    assert upstream.all_bytes == forwarded_as(first + second + third, upstream)
    assert proxy.wait_for(3)
    assert [i.request.body for i in proxy.inspections] == [b'{"a": 1}', b"hello\nworld", b""]


def test_expect_100_continue_is_answered_and_the_request_forwarded_unchanged(proxy, upstream):
    import socket

    head = b"POST /x HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n"
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=30) as s:
        s.sendall(head)
        got, _ = answers(s, 1)  # the proxy reads the body before the upstream sees anything: it says continue
        assert got == [(100, b"")]
        s.sendall(b"{}")
        got, _ = answers(s, 1)
    assert got[0][0] == 200 and upstream.all_bytes == forwarded_as(head + b"{}", upstream)


def test_the_emulator_says_continue_and_answers_pipelined_requests_in_order(emu):
    import socket

    with socket.create_connection(("127.0.0.1", emu.port), timeout=30) as s:
        s.sendall(b"GET /system/time HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n")
        assert answers(s, 1)[0] == [(100, b"")]
        s.sendall(b"{}" + b"GET /system/service HTTP/1.1\r\nHost: h\r\n\r\nGET /nowhere HTTP/1.1\r\nHost: h\r\n\r\n")
        got, _ = answers(s, 3)
    assert [status for status, _ in got] == [200, 200, 404] and b"server_time" in got[0][1]


# -- a hostile upstream -----------------------------------------------------------------------------------
def hostile(first_answer: bytes):
    """An upstream whose first answer is `first_answer`; every later one is a plain 200."""
    return lambda index, raw: first_answer if index == 0 else ok(index, raw)


@pytest.mark.parametrize("first,sentence", [
    (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n" + b"x" * 1000, b"Invalid character in chunk size"),
    (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffffffff\r\nxx", b"Chunk size overflow"),
    (b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc", b"Duplicate Content-Length"),
    (b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n", b"Transfer-Encoding can't be present"),
    (b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n", b"101 Switching Protocols to a request"),
    (b"HTTP/1.1 102 Processing\r\n\r\n" * 17, b"more than 16 1xx answers"),
], ids=["negative-chunk", "huge-chunk", "two-lengths", "length-and-chunked", "unasked-101", "endless-1xx"])
def test_a_hostile_upstream_answer_becomes_a_502_sentence(tmp_path, monkeypatch, first, sentence):
    monkeypatch.setenv("KEYPROBE_HOME", str(tmp_path))
    up = CaptureUpstream(hostile(first))
    try:
        with Proxy(up.url, port=0) as proxy:
            answer = refused(proxy.port, b"GET /x HTTP/1.1\r\nHost: h\r\n\r\n")
            answer = answer[answer.rfind(b"HTTP/1.1 5"):] if b"102 Processing" in answer else answer  # 1xx relayed first
            assert status_of(answer) == 502 and sentence in answer, answer
            got, _ = send(proxy.port, b"GET /y HTTP/1.1\r\nHost: h\r\n\r\n")  # the next bot call is fine
            assert got == [(200, b'{"code":1000,"message":"OK","data":{"request":1}}')]
            assert proxy.wait_for(2)
            assert sentence.decode() in proxy.inspections[0].notes[-1]
    finally:
        up.close()


def test_a_100_continue_from_the_upstream_shifts_no_answer(tmp_path, monkeypatch):
    """Finding 6: a646a29 took the 100 for the answer, and every later answer went to the request after."""
    monkeypatch.setenv("KEYPROBE_HOME", str(tmp_path))
    up = CaptureUpstream(lambda index, raw: (b"HTTP/1.1 100 Continue\r\n\r\n" if index == 0 else b"") + ok(index, raw))
    try:
        with Proxy(up.url, port=0) as proxy:
            import socket

            with socket.create_connection(("127.0.0.1", proxy.port), timeout=30) as s:
                seen = []
                for path in (b"/a", b"/b", b"/c"):
                    s.sendall(b"GET %s HTTP/1.1\r\nHost: h\r\n\r\n" % path)
                    got, _ = answers(s, 2 if path == b"/a" else 1)
                    seen += got
            assert seen == [(100, b""), (200, b'{"code":1000,"message":"OK","data":{"request":0}}'),
                            (200, b'{"code":1000,"message":"OK","data":{"request":1}}'),
                            (200, b'{"code":1000,"message":"OK","data":{"request":2}}')]
            assert proxy.wait_for(3) and [i.request.response.status for i in proxy.inspections] == [200, 200, 200]
    finally:
        up.close()


def test_bytes_an_upstream_sends_past_its_answer_never_reach_the_client(tmp_path, monkeypatch):
    """A length that lies short: what follows it looks like the next answer, and must not become it."""
    monkeypatch.setenv("KEYPROBE_HOME", str(tmp_path))
    smuggled = b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nsmuggled!"
    up = CaptureUpstream(lambda index, raw: (b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}" + smuggled) if index == 0 else ok(index, raw))
    try:
        with Proxy(up.url, port=0) as proxy:
            import socket

            with socket.create_connection(("127.0.0.1", proxy.port), timeout=30) as s:
                s.sendall(b"GET /a HTTP/1.1\r\nHost: h\r\n\r\n")
                first, raw_first = answers(s, 1)
                s.sendall(b"GET /b HTTP/1.1\r\nHost: h\r\n\r\n")
                second, raw_second = answers(s, 1)
            assert first == [(200, b"{}")] and b"smuggled" not in raw_first + raw_second
            assert second == [(200, b'{"code":1000,"message":"OK","data":{"request":1}}')]
            assert len(up.received) == 2  # the connection that sent the extra bytes was dropped
    finally:
        up.close()


def test_a_length_that_lies_long_cuts_the_client_connection_instead_of_completing_it(tmp_path, monkeypatch):
    monkeypatch.setenv("KEYPROBE_HOME", str(tmp_path))
    partial = b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"code\":"
    up = CaptureUpstream(lambda index, raw: (partial, "close") if index == 0 else ok(index, raw))
    try:
        with Proxy(up.url, port=0) as proxy:
            got = refused(proxy.port, b"GET /a HTTP/1.1\r\nHost: h\r\n\r\n")
            assert got in (b"", partial)  # relayed as far as the upstream went, then cut: never a whole answer
            assert proxy.wait_for(1)
            assert "closed the connection before the answer was complete" in proxy.inspections[0].notes[-1]
            assert send(proxy.port, b"GET /b HTTP/1.1\r\nHost: h\r\n\r\n")[0][0][0] == 200
    finally:
        up.close()
