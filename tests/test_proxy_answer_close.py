"""An answer whose body runs until the upstream closes (no Content-Length, not chunked: an HTTP/1.0 server, a
load balancer's error page) ends only when the client's connection closes too.

Before: the proxy relayed such an answer and kept the bot's connection open, so the bot waited for the rest
of the body until the proxy's idle deadline (30 s), and the answer to a request it had pipelined was appended
to that body (a second answer read as the first one's bytes)."""

from __future__ import annotations

import socket

from http_client import until_closed
from loopback_upstream import CaptureUpstream, ok

from tui.proxy import Proxy

UNTIL_CLOSE = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nthe body runs until the upstream closes"


def test_an_answer_that_ends_at_close_closes_the_clients_connection_and_nothing_follows_it(tmp_path, monkeypatch):
    monkeypatch.setenv("KEYPROBE_HOME", str(tmp_path))
    up = CaptureUpstream(lambda index, raw: (UNTIL_CLOSE, "close") if index == 0 else ok(index, raw))
    try:
        with Proxy(up.url, port=0) as proxy:
            with socket.create_connection(("127.0.0.1", proxy.port), timeout=30) as s:
                s.sendall(b"GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n")  # pipelined
                got = until_closed(s)
            assert got == UNTIL_CLOSE  # the whole answer, then the close: no second answer inside its body
            assert proxy.wait_for(1) and proxy.inspections[0].request.response.status == 200
            with socket.create_connection(("127.0.0.1", proxy.port), timeout=30) as s:  # the next call is fine
                s.sendall(b"GET /c HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
                assert until_closed(s).startswith(b"HTTP/1.1 200 OK")
    finally:
        up.close()
