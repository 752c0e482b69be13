"""Issue 21 finding 11: a flood of slow-body connections must not lock anyone else out, in either server.

On loopback every client is 127.0.0.1, so a cap per address cannot tell the flood from a bot: at the cap the
connection that has waited longest makes room. Real sockets; the test waits on the servers' own connection
counts, never on time. On a646a29 the proxy answered every newcomer 503 and the emulator closed it."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable

import httpx
import pytest
from loopback_upstream import CaptureUpstream

from tui.emulator import Emulator, server
from tui.proxy import Proxy, relay

SLOW = b"POST /system/time HTTP/1.1\r\nHost: h\r\nContent-Length: 1000\r\n\r\n" + b"x" * 10  # 990 bytes never come


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 30) -> None:
    """Poll a condition of the server's own state; the timeout only turns a hang into a failure."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.005)


def _phase(conn) -> str:
    """A connection's phase in the fairness table ("body" where a server keeps none, as a646a29's did)."""
    return getattr(getattr(conn, "phase", None), "value", "body")


def flood(port: int, count: int) -> list[socket.socket]:
    socks = []
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", port), timeout=30)
        s.sendall(SLOW)
        socks.append(s)
    return socks


def let_go(s: socket.socket) -> bool:
    """The server has answered (503, to make room) or closed this connection: something is there to read."""
    s.settimeout(0)
    try:
        s.recv(65536)
    except BlockingIOError:
        return False  # nothing yet: still held open
    except OSError:
        pass  # reset
    return True


@pytest.fixture
def upstream():
    up = CaptureUpstream()
    yield up
    up.close()


def test_slow_bodies_at_the_proxy_cap_do_not_lock_a_bot_out(upstream, tmp_path, monkeypatch):
    monkeypatch.setenv("KEYPROBE_HOME", str(tmp_path))
    cap = relay.MAX_CONNECTIONS
    assert cap == 64  # the finding's figure: the default cap itself
    with Proxy(upstream.url, port=0) as proxy:
        held = flood(proxy.port, cap)
        try:
            wait_until(lambda: proxy._relay.open == cap and all(
                _phase(c) == "body" for c in list(getattr(proxy._relay, "table", None) and proxy._relay.table.open or ())),
                f"{cap} slow bodies read by the proxy")
            with httpx.Client(base_url=proxy.base_url, timeout=30) as bot:
                assert bot.get("/bot/1").status_code == 200  # a646a29: 503, for the whole 60 s body timeout
                held[0].sendall(b"x" * 100)  # it goes on sending, as a slow client does: it must still read why it went
                held[0].settimeout(30)
                assert b"503" in held[0].recv(65536)  # the stalest slow body made room, and was told so
                # the flood reconnects as it is let go, and keeps the proxy at its cap: the bot is still served
                held += flood(proxy.port, cap)
                wait_until(lambda: proxy._relay.open == cap, "the proxy back at its cap")
                assert bot.get("/bot/2").status_code == 200
            evicted = [s for s in held if let_go(s)]
            assert len(evicted) >= cap  # each newcomer made room by closing the stalest slow body
        finally:
            for s in held:
                s.close()
    assert b"/bot/1" in upstream.all_bytes and b"/bot/2" in upstream.all_bytes and b"/system/time" not in upstream.all_bytes


def test_slow_bodies_at_the_emulator_cap_do_not_lock_a_client_out(monkeypatch):
    monkeypatch.setattr(server, "MAX_CONNECTIONS", 64)
    with Emulator() as emu:
        held = flood(emu.port, 64)
        try:
            wait_until(lambda: len(emu._server.connections) == 64 and all(
                _phase(c) == "body" for c in list(emu._server.connections)), "64 slow bodies read by the emulator")
            held += flood(emu.port, 16)  # past the cap: each one makes room too
            answer = httpx.get(emu.base_url + "/system/time", timeout=30)  # a646a29: closed on arrival
            assert answer.json()["code"] == 1000
            first = held[0]
            first.settimeout(30)
            assert first.recv(65536).startswith(b"HTTP/1.1 503 ")  # the stalest slow body was told why it went
        finally:
            for s in held:
                s.close()


def test_a_body_trickled_a_byte_at_a_time_is_let_go_at_the_body_deadline(monkeypatch):
    """The deadline is for the whole body, not for each read: trickling buys nothing."""
    monkeypatch.setattr(server, "BODY_TIMEOUT_S", 0.3)
    with Emulator() as emu, socket.create_connection(("127.0.0.1", emu.port), timeout=30) as s:
        s.sendall(SLOW)
        s.settimeout(0.05)
        answer = b""
        for _ in range(2000):  # a byte every 50 ms at most: each read comes far inside any per-read timeout
            try:
                answer += s.recv(65536)
                break
            except TimeoutError:
                s.sendall(b"x")
        s.settimeout(30)
        while chunk := s.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 408 ") and b"body did not arrive within 0.3 s" in answer


def test_a_client_that_never_reads_its_answers_is_let_go(monkeypatch):
    """Pipelining without reading fills the server's buffers; it stops reading, and lets go at the deadline."""
    monkeypatch.setattr(server, "SEND_TIMEOUT_S", 0.3)
    for other in ("IDLE_TIMEOUT_S", "HEADER_TIMEOUT_S", "BODY_TIMEOUT_S"):  # only the stalled answer's deadline may act
        monkeypatch.setattr(server, other, 600.0)
    with Emulator() as emu, socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # a small window: the answers back up soon
        s.connect(("127.0.0.1", emu.port))
        s.setblocking(False)
        request = b"GET /system/time HTTP/1.1\r\nHost: h\r\n\r\n"
        try:
            for _ in range(50_000):  # until the server stops reading us (bounded either way)
                s.send(request)
        except BlockingIOError:
            pass
        wait_until(lambda: not emu._server.connections, "the emulator to let the non-reader go")  # a646a29: never


def test_a_client_that_never_reads_its_answer_is_let_go_by_the_proxy(tmp_path, monkeypatch):
    from tui.proxy import answer

    monkeypatch.setenv("KEYPROBE_HOME", str(tmp_path))
    monkeypatch.setattr(answer, "SEND_TIMEOUT_S", 0.3)
    big = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % (16 << 20) + b"x" * (16 << 20)  # more than any socket buffer
    up = CaptureUpstream(lambda index, raw: big)
    try:
        with Proxy(up.url, port=0) as proxy, socket.socket() as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            s.connect(("127.0.0.1", proxy.port))
            s.sendall(b"GET /big HTTP/1.1\r\nHost: h\r\n\r\n")  # and never reads
            wait_until(lambda: proxy.wait_for(1, timeout=0) and proxy._relay.open == 0, "the proxy to let the non-reader go")
            assert proxy.inspections[0].notes[-1] == "Not answered: the client did not read its answer for 0.3 s."
    finally:
        up.close()


def test_clients_that_stop_reading_their_answers_do_not_lock_a_bot_out_of_the_proxy(tmp_path, monkeypatch):
    """Fresh-eyes attack on 26ca1db: a connection being answered was never evicted, so clients that asked for
    large answers and stopped reading them held every slot for 30 s (answer.SEND_TIMEOUT_S), and kept doing so
    by reconnecting. Waiting on a client that does not read is waiting like any other: it makes room."""
    monkeypatch.setenv("KEYPROBE_HOME", str(tmp_path))
    monkeypatch.setattr(relay, "MAX_CONNECTIONS", 2)
    big = b"x" * (8 * 1024 * 1024)  # far past every buffer between the upstream and a client that reads nothing
    up = CaptureUpstream(lambda index, raw: b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(big), big)
                         if b"/big" in raw else b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")
    try:
        with Proxy(up.url, port=0, history=False) as proxy:
            stalled = []
            for _ in range(2):
                s = socket.socket()
                s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
                s.connect(("127.0.0.1", proxy.port))
                s.sendall(b"GET /big HTTP/1.1\r\nHost: h\r\n\r\n")  # and never reads
                stalled.append(s)
            try:
                wait_until(lambda: proxy._relay.open == 2 and all(
                    _phase(c) == "stalled" for c in list(proxy._relay.table.open)), "both readers stalled")
                with httpx.Client(base_url=proxy.base_url, timeout=30) as bot:
                    assert bot.get("/bot").status_code == 200  # before: 503 "all 2 connections are being answered"
            finally:
                for s in stalled:
                    s.close()
    finally:
        up.close()
