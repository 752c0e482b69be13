"""A flood of connections from one peer must not reset a bot whose request is already sent (fresh-eyes attack on
a78773c: under ~1,000 connects a second, 1-2% of another client's requests were reset). asyncio accepted up to
100 connections per turn of the loop, more than the 64 the fair table holds, so one burst of newcomers evicted
a connection admitted in the same burst before its request was read. The loop is held while the bot and the
flood connect, so the whole flood waits in the listen queue as one burst."""

from __future__ import annotations

import socket
import threading

from http_client import answers
from loopback_upstream import CaptureUpstream

from tui.proxy import Proxy, relay


def test_a_request_sent_before_a_burst_of_connections_is_answered(tmp_path, monkeypatch):
    monkeypatch.setenv("KEYPROBE_HOME", str(tmp_path))
    upstream = CaptureUpstream()
    flood: list[socket.socket] = []
    try:
        with Proxy(upstream.url, port=0, history=False) as proxy:
            held, holding = threading.Event(), threading.Event()
            proxy._loop.call_soon_threadsafe(lambda: (holding.set(), held.wait(30)))
            assert holding.wait(30)
            bot = socket.create_connection(("127.0.0.1", proxy.port), timeout=30)
            bot.sendall(b"GET /mine HTTP/1.1\r\nHost: h\r\n\r\n")
            for _ in range(2 * relay.MAX_CONNECTIONS + 20):  # more than a turn of the loop may take, idle
                s = socket.socket()
                s.setblocking(False)
                s.connect_ex(("127.0.0.1", proxy.port))
                flood.append(s)
            held.set()
            got, raw = answers(bot, 1)
            assert got and got[0][0] == 200, raw
            bot.close()
    finally:
        for s in flood:
            s.close()
        upstream.close()
