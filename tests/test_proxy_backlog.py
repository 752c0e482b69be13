"""What the proxy holds while its checks fall behind a bot that sends large bodies: bounded in bytes.

Before (fresh-eyes attack on 26ca1db): the observer's queue had no bound and `inspections` kept the last
1,000 exchanges whatever their size; 200 calls with 1 MiB bodies took the proxy from 43 MB to 670 MB, and
it kept growing with the calls. Now an exchange past the backlog's cap is relayed unexamined (counted, and
named on the next one examined), and the kept inspections are trimmed to KEEP_BYTES of bodies."""

from __future__ import annotations

import socket
import threading

from http_client import answers
from loopback_upstream import CaptureUpstream

from tui.proxy import Proxy, backlog, service
from tui.proxy.backlog import Backlog

BODY = b'{"pad":"' + b"x" * (100 * 1024) + b'"}'
REQUEST = b"POST /contract/private/submit-order HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(BODY), BODY)


def test_a_backlog_of_large_bodies_is_bounded_and_what_it_skips_is_named(tmp_path, monkeypatch):
    monkeypatch.setenv("KEYPROBE_HOME", str(tmp_path))
    monkeypatch.setattr(backlog, "MAX_BYTES", 5 * len(REQUEST))  # room for a few waiting exchanges
    monkeypatch.setattr(service, "KEEP_BYTES", 3 * len(BODY))
    held = threading.Event()
    first_seen = threading.Event()
    up = CaptureUpstream()
    try:
        with Proxy(up.url, port=0, history=False) as proxy:
            notes: list[str] = []

            def hold_the_observer(inspection, relayed) -> None:  # the checks fall behind: the observer waits here
                notes.extend(inspection.notes)
                first_seen.set()
                held.wait(30)

            proxy.listeners.append(hold_the_observer)
            with socket.create_connection(("127.0.0.1", proxy.port), timeout=30) as s:
                s.sendall(REQUEST)
                answers(s, 1)
                assert first_seen.wait(30)
                for _ in range(20):  # every call is still relayed and answered while the checks wait
                    s.sendall(REQUEST)
                    assert answers(s, 1)[0][0][0] == 200
            waiting = proxy._backlog.bytes
            held.set()
            assert proxy.wait_for(21)
        assert len(up.requests) == 21  # none was held back
        kept = sum(len(i.request.body) for i in proxy.inspections)
        assert kept <= 3 * len(BODY), f"{kept:,} bytes of bodies kept in {len(proxy.inspections)} inspections"
        assert waiting <= backlog.MAX_BYTES and proxy.unexamined > 0
        assert any("relayed but not examined" in n for n in notes), notes
    finally:
        held.set()
        up.close()


def test_stopping_skips_what_waits_instead_of_checking_it():
    class _Relayed:
        def __init__(self) -> None:
            self.raw_request, self.parts, self.answer = b"x" * 10, ("", "", (), b"y" * 10, ""), None

    waiting = Backlog(max_bytes=1000)
    assert all(waiting.put(_Relayed()) for _ in range(3)) and waiting.bytes == 60
    assert waiting.stop() == 3 and waiting.unexamined == 3 and waiting.bytes == 0
    assert waiting.get() is None  # the observer ends after the exchange it is on
    assert not waiting.put(_Relayed()) and waiting.unexamined == 4  # nothing is queued once stopping
