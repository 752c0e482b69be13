"""The measurement that chose keyprobe's HTTP/1.1 parser: h11 against httptools (llhttp), side by side.

Two parts, both on the messages keyprobe's emulator and proxy actually carry:
1. CPU per message: a signed POST as httpx sends it, and the emulator's answer to it, each parsed whole
   (h11 must first send a request to parse an answer: it is counted, as a client of h11 pays it too).
2. Strictness: the ambiguous framings RFC 9112 tells a server or a proxy to refuse, and whether each parser
   refuses them with its defaults. A proxy that forwards the bytes it received must refuse every one, or the
   upstream may read them differently (request smuggling).

Usage: .venv/bin/python benchmarks/http_parsers.py [--messages 20000]
"""

from __future__ import annotations

import argparse
import os
import time

import h11
import httptools

REQUEST = (b"POST /spot/v4/query/open-orders HTTP/1.1\r\nHost: 127.0.0.1:8640\r\nAccept: */*\r\nAccept-Encoding: gzip, deflate\r\n"
           b"Connection: keep-alive\r\nUser-Agent: python-httpx/0.28.1\r\nContent-Type: application/json\r\n"
           b"X-BM-KEY: 80618e45710812162b04892c7ee5ead4a3cc3e56\r\nX-BM-TIMESTAMP: 1764525600123\r\n"
           b"X-BM-SIGN: 0f4c0a1b8b3a2f9d6e3b9f3a9c1d2e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d\r\nContent-Length: 21\r\n\r\n"
           b'{"symbol":"BTC_USDT"}')
ANSWER = (b"HTTP/1.1 200 OK\r\nServer: keyprobe-emulator\r\nDate: Mon, 07 Dec 2026 16:00:00 GMT\r\nContent-Type: application/json\r\n"
          b"X-BM-RateLimit-Remaining: 1\r\nX-BM-RateLimit-Limit: 12\r\nX-BM-RateLimit-Reset: 2\r\nX-BM-RateLimit-Mode: UID\r\n"
          b"Content-Length: 86\r\n\r\n" + b'{"code":1000,"message":"OK","trace":"577d34f8e62843e4a6d5332ab04806bc.99.1","data":[]}')

CHUNKED = b"POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
AMBIGUOUS = {
    "Content-Length with Transfer-Encoding": b"POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
    "two equal Content-Lengths": b"POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n{}",
    "Content-Length: 2, 2": b"POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 2, 2\r\n\r\n{}",
    "two differing Content-Lengths": b"POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}x",
    "Content-Length: \u00b2": b"POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: \xb2\r\n\r\n{}",
    "chunk size -1": CHUNKED + b"-1\r\nabc\r\n0\r\n\r\n",
    "chunk size 0x3": CHUNKED + b"0x3\r\nabc\r\n0\r\n\r\n",
    "chunk size 1_0": CHUNKED + b"1_0\r\n0123456789abcdef\r\n0\r\n\r\n",
    "chunk size past 64 bits": CHUNKED + b"fffffffffffffffffff\r\nabc\r\n0\r\n\r\n",
    "Transfer-Encoding: xchunked": b"POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: xchunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
    "obs-fold": b"GET /x HTTP/1.1\r\nHost: h\r\nX-A: b\r\n c\r\n\r\n",
    "whitespace before the colon": b"GET /x HTTP/1.1\r\nHost : evil\r\n\r\n",
    "bare LF line ends": b"GET /x HTTP/1.1\nHost: h\n\n",
    "a control character in a value": b"GET /x HTTP/1.1\r\nHost: h\r\nX-A: \x1b]52\r\n\r\n",
}


class _Quiet:
    def on_message_complete(self) -> None:
        pass


def llhttp_refuses(data: bytes) -> bool:
    try:
        httptools.HttpRequestParser(_Quiet()).feed_data(data)
    except httptools.HttpParserError:
        return True
    return False


def h11_refuses(data: bytes) -> bool:
    conn = h11.Connection(h11.SERVER)
    conn.receive_data(data)
    try:
        while (event := conn.next_event()) not in (h11.NEED_DATA, h11.PAUSED) and not isinstance(event, h11.EndOfMessage):
            pass
    except h11.RemoteProtocolError:
        return True
    return False


class _Collect:
    __slots__ = ("headers", "body", "url", "done")

    def __init__(self) -> None:
        self.headers, self.body, self.done = [], [], False

    def on_url(self, url: bytes) -> None:
        self.url = url

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name, value))

    def on_body(self, data: bytes) -> None:
        self.body.append(data)

    def on_message_complete(self) -> None:
        self.done = True


def httptools_request() -> None:
    seen = _Collect()
    parser = httptools.HttpRequestParser(seen)
    parser.feed_data(REQUEST)
    assert seen.done and parser.get_method() == b"POST"


def h11_request() -> None:
    conn = h11.Connection(h11.SERVER)
    conn.receive_data(REQUEST)
    conn.next_event(), conn.next_event()
    assert type(conn.next_event()) is h11.EndOfMessage


def httptools_answer() -> None:
    seen = _Collect()
    parser = httptools.HttpResponseParser(seen)
    parser.feed_data(ANSWER)
    assert seen.done and parser.get_status_code() == 200


def h11_answer() -> None:
    conn = h11.Connection(h11.CLIENT)
    conn.send(h11.Request(method="POST", target="/", headers=[("Host", "x"), ("Content-Length", "0")]))
    conn.send(h11.EndOfMessage())
    conn.receive_data(ANSWER)
    conn.next_event(), conn.next_event()
    assert type(conn.next_event()) is h11.EndOfMessage


def per_message_us(parse, n: int) -> float:
    for _ in range(n // 10):
        parse()
    best = float("inf")
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(n):
            parse()
        best = min(best, (time.perf_counter() - t0) / n * 1e6)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20000)
    args = parser.parse_args()
    print(f"h11 {h11.__version__}, httptools {httptools.__version__}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"CPU per message, best of 5 runs of {args.messages}:")
    for what, fast, slow in (("a signed POST (request)", httptools_request, h11_request), ("the emulator's answer", httptools_answer, h11_answer)):
        a, b = per_message_us(fast, args.messages), per_message_us(slow, args.messages)
        print(f"  {what:26} httptools {a:6.2f} us   h11 {b:6.2f} us   h11 / httptools {b / a:5.1f}x")
    print("refused with the parser's defaults (a proxy forwarding raw bytes must refuse all):")
    for what, data in AMBIGUOUS.items():
        print(f"  {what:40} httptools {'refuses' if llhttp_refuses(data) else 'ACCEPTS':8} h11 {'refuses' if h11_refuses(data) else 'ACCEPTS'}")


if __name__ == "__main__":
    main()
