"""The proxy against a hostile client or a hanging upstream: refusals as sentences, bounded memory and time."""

from __future__ import annotations

import socket
import threading

import pytest
from seeds import drawn_seed

from tui.proxy import Proxy, relay


def answer_of(sock: socket.socket) -> bytes:
    """Everything the proxy sends until it closes the connection."""
    sock.settimeout(30)  # a hang fails the test instead of stalling the suite
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


class Upstream:
    """A loopback upstream that records each connection's bytes; `hang` accepts and never answers."""

    def __init__(self, hang: bool = False) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.received = bytearray()
        self.hang = hang
        self.conns: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            self.conns.append(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            while data := conn.recv(65536):
                self.received += data
                if not self.hang and b"\r\n\r\n" in self.received:
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")
        except OSError:
            pass

    def close(self) -> None:
        self.server.close()
        for conn in self.conns:
            conn.close()


@pytest.fixture
def upstream(monkeypatch, tmp_path):
    monkeypatch.setenv("KEYPROBE_HOME", str(tmp_path))
    up = Upstream()
    yield up
    up.close()


def exchange(proxy: Proxy, payload: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", proxy.port)) as s:
        s.sendall(payload)
        return answer_of(s)


def test_a_method_that_is_not_a_token_is_refused_not_forwarded(upstream):
    with Proxy(f"http://127.0.0.1:{upstream.port}", port=0) as proxy:
        answer = exchange(proxy, b"G\x1b]52;c;aGk=\x07ET /system/time HTTP/1.1\r\nHost: x\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 400 ") and b"Invalid method" in answer and b"\x1b" not in answer
    assert bytes(upstream.received) == b""


def test_an_absurd_content_length_is_refused_from_the_header_alone(upstream):
    with Proxy(f"http://127.0.0.1:{upstream.port}", port=0) as proxy:
        # 120 MiB announced, none sent: before the cap the proxy waited to buffer all of it
        answer = exchange(proxy, b"POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 125829120\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 413 ") and b"125,829,120 bytes is over the 1024 KiB" in answer
    assert bytes(upstream.received) == b""


def test_a_chunked_body_past_the_cap_is_refused(upstream):
    piece = b"%x\r\n%s\r\n" % (64 * 1024, b"a" * 64 * 1024)
    with Proxy(f"http://127.0.0.1:{upstream.port}", port=0) as proxy:
        with socket.create_connection(("127.0.0.1", proxy.port)) as s:
            s.sendall(b"POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
            try:
                for _ in range(40):  # 2.5 MiB offered; the proxy answers and closes after 1 MiB
                    s.sendall(piece)
            except OSError:
                pass
            answer = answer_of(s)
    assert answer.startswith(b"HTTP/1.1 413 ") and b"body is over the 1024 KiB" in answer
    assert bytes(upstream.received) == b""


def test_a_head_past_64_kib_is_refused(upstream):
    with Proxy(f"http://127.0.0.1:{upstream.port}", port=0) as proxy:
        answer = exchange(proxy, b"GET /x HTTP/1.1\r\nHost: x\r\n" + b"X-Pad: " + b"a" * 70_000 + b"\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 431 ") and b"64 KiB" in answer


def test_a_slow_head_is_let_go_at_the_deadline(upstream, monkeypatch):
    monkeypatch.setattr(relay, "HEAD_TIMEOUT_S", 0.2)
    with Proxy(f"http://127.0.0.1:{upstream.port}", port=0) as proxy:
        with socket.create_connection(("127.0.0.1", proxy.port)) as s:
            s.sendall(b"GET /x HTTP/1.1\r\nX-A: 1\r\n")  # and nothing more: the proxy must close it, not wait forever
            answer = answer_of(s)
    assert answer.startswith(b"HTTP/1.1 408 ") and b"head did not arrive within 0.2 s" in answer
    assert bytes(upstream.received) == b""


def test_at_the_cap_the_stalest_idle_connection_makes_room(upstream, monkeypatch):
    monkeypatch.setattr(relay, "MAX_CONNECTIONS", 2)
    with Proxy(f"http://127.0.0.1:{upstream.port}", port=0) as proxy:
        idle = [socket.create_connection(("127.0.0.1", proxy.port)) for _ in range(2)]
        try:
            for s in (idle[1], idle[0]):  # each served, so surely counted; then idle, idle[1] the longest
                s.sendall(b"GET /first HTTP/1.1\r\nHost: x\r\n\r\n")
                s.settimeout(30)
                assert s.recv(65536).startswith(b"HTTP/1.1 200 ")
            with socket.create_connection(("127.0.0.1", proxy.port)) as third:
                third.sendall(b"GET /third HTTP/1.1\r\nHost: x\r\n\r\n")
                third.settimeout(30)
                assert third.recv(65536).startswith(b"HTTP/1.1 200 ")  # before issue 21: 503 until one closed
            assert answer_of(idle[1]) == b""  # idle the longest: it made room, without a word (no request was open)
        finally:
            for s in idle:
                s.close()


def test_a_hanging_upstream_ends_in_502_naming_it_and_the_deadline(monkeypatch, tmp_path):
    monkeypatch.setenv("KEYPROBE_HOME", str(tmp_path))
    monkeypatch.setattr(relay, "UPSTREAM_TIMEOUT_S", 0.3)
    hung = Upstream(hang=True)
    try:
        with Proxy(f"http://127.0.0.1:{hung.port}", port=0) as proxy:
            answer = exchange(proxy, b"GET /system/time HTTP/1.1\r\nHost: x\r\n\r\n")
    finally:
        hung.close()
    assert answer.startswith(b"HTTP/1.1 502 ")
    assert f"127.0.0.1:{hung.port} did not answer within 0.3 s".encode() in answer


def pieces(value: str, size: int = 8) -> set[str]:
    return {value[i:i + size] for i in range(len(value) - size + 1)}


def test_key_material_the_bot_put_in_query_or_body_is_masked_everywhere(upstream, tmp_path):
    import random

    from keys.signing import Credentials
    from tui.inspect.render import lines, one_line
    from tui.output.terminal_safe import dumps

    seed = drawn_seed("KEYPROBE_PROXY_SEED")
    rng = random.Random(seed)
    key, secret = "%040x" % rng.getrandbits(160), "%064x" % rng.getrandbits(256)
    memo = "memo-" + "%08x" % rng.getrandbits(32)
    body = f'{{"secret":"{secret}","memo":"{memo}","key":"{key}"}}'.encode()
    shown: list[str] = []
    with Proxy(f"http://127.0.0.1:{upstream.port}", port=0, credentials=[Credentials.of(key, secret, memo)]) as proxy:
        proxy.listeners.append(lambda ins, _: shown.extend([one_line(ins), dumps(ins.to_dict()),
                                                            *(str(t) for t in lines(1, ins))]))
        request = (f"POST /x?k={key}&s={secret}&m={memo} HTTP/1.1\r\nHost: x\r\nX-BM-KEY: {key}\r\nX-BM-SIGN: ab\r\n"
                   f"X-BM-TIMESTAMP: 1\r\nX-Note: {memo}\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body
        with socket.create_connection(("127.0.0.1", proxy.port)) as s:
            s.sendall(request)
            s.settimeout(30)
            assert s.recv(65536).startswith(b"HTTP/1.1 200")
        assert proxy.wait_for(1)
    assert secret.encode() in bytes(upstream.received)  # forwarded unchanged: only what is shown is masked
    stored = "".join(p.read_text(errors="replace") for p in tmp_path.rglob("*.jsonl"))
    assert stored and shown
    for text in [*shown, stored]:
        leaked = {p for p in pieces(secret) | pieces(memo) | pieces(key) if p in text}
        assert not leaked, (leaked, text[:300])
