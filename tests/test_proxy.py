"""`keyprobe proxy`: bytes in == bytes out (Host aside), answers streamed unchanged, the transport policy,
an unreachable upstream as a sentence, and the CLI's JSON lines."""

from __future__ import annotations

import json
import os
import re
import socket
import socketserver
import subprocess
import sys
import threading

import httpx
import pytest

from tui.proxy import Proxy, UpstreamRefused
from tui.proxy.upstream import resolve

ANSWER_BODY = b'{"code":1000,"message":"OK","data":{"pad":"' + b"x" * 300_000 + b'"}}'


class Recorder(socketserver.ThreadingTCPServer):
    """A loopback upstream that keeps every byte it receives and answers each request with ANSWER_BODY."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        self.received = bytearray()
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), RecorderHandler)


class RecorderHandler(socketserver.BaseRequestHandler):
    def handle(self):
        buf = b""
        while True:
            while b"\r\n\r\n" not in buf:
                data = self.request.recv(65536)
                if not data:
                    return
                buf += data
            head, _, rest = buf.partition(b"\r\n\r\n")
            length = 0
            chunked = b"transfer-encoding: chunked" in head.lower()
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            while (chunked and not rest.endswith(b"0\r\n\r\n")) or (not chunked and len(rest) < length):
                rest += self.request.recv(65536)
            body = rest if chunked else rest[:length]
            buf = b"" if chunked else rest[length:]
            with self.server.lock:
                self.server.received += head + b"\r\n\r\n" + body
            self.request.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Odd:  two  spaces\r\n"
                                 b"Content-Length: " + str(len(ANSWER_BODY)).encode() + b"\r\n\r\n" + ANSWER_BODY)


@pytest.fixture
def recorder():
    server = Recorder()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def raw_exchange(port: int, payload: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.settimeout(30)  # a hang fails the test instead of stalling the suite
        s.sendall(payload)
        data = b""
        while not data.endswith(ANSWER_BODY):
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    return data


BODY = b'{"symbol": "BTC", "n": "\xc3\xa9"}'
REQUESTS = [
    (b"POST /contract/private/submit-order?a=b%20c&z=1,2 HTTP/1.1\r\nHost: 127.0.0.1:1\r\nX-BM-KEY:  spaced \r\n"
     b"x-bm-timestamp: 1764525600123\r\nContent-Type: application/json\r\nContent-Length: 28\r\n\r\n" + BODY),
    (b"POST /p HTTP/1.1\r\nHost: 127.0.0.1:1\r\nTransfer-Encoding: chunked\r\n\r\n"
     b"5\r\n{\"a\":\r\n3\r\n 1}\r\n0\r\n\r\n"),
]


def test_request_bytes_reach_the_upstream_unchanged_except_host(recorder, tmp_path, monkeypatch):
    monkeypatch.setenv("KEYPROBE_HOME", str(tmp_path))
    upstream = f"http://127.0.0.1:{recorder.server_address[1]}"
    with Proxy(upstream, port=0) as proxy:
        answers = [raw_exchange(proxy.port, raw) for raw in REQUESTS]
        assert proxy.wait_for(2)
    host = f"Host: 127.0.0.1:{recorder.server_address[1]}".encode()
    expected = b"".join(raw.replace(b"Host: 127.0.0.1:1", host) for raw in REQUESTS)
    assert bytes(recorder.received) == expected
    for answer in answers:
        assert answer.endswith(ANSWER_BODY) and b"X-Odd:  two  spaces" in answer  # streamed back as sent
    first, second = proxy.inspections
    assert first.request.query == "a=b%20c&z=1,2" and second.request.body == b'{"a": 1}'
    assert "key-whitespace" not in {f.id for f in first.findings}  # header values are read trimmed, as HTTP does
    assert first.diagnosis.code == 1000


def test_upstream_policy():
    assert resolve("bitmart").base_url == "https://api-cloud-v2.bitmart.com"
    assert resolve("wooxpro").host == "cloud-api.wooxpro.com"
    assert resolve("http://127.0.0.1:8640").loopback
    for bad, words in [("http://api-cloud-v2.bitmart.com", "https"), ("https://evil.example", "not a host"),
                       ("ftp://x", "http(s) URL"), ("https://api-cloud-v2.bitmart.com/path", "scheme, host and port")]:
        with pytest.raises(UpstreamRefused, match=re.escape(words)):
            resolve(bad)
    with pytest.raises(UpstreamRefused, match="profile's venue"):
        resolve("wooxpro", frozenset({"api-cloud-v2.bitmart.com"}))


def test_unreachable_upstream_answers_502_with_a_sentence_and_is_recorded(tmp_path, monkeypatch):
    monkeypatch.setenv("KEYPROBE_HOME", str(tmp_path))
    free = socket.socket()
    free.bind(("127.0.0.1", 0))
    port = free.getsockname()[1]
    free.close()  # nothing listens there now
    with Proxy(f"http://127.0.0.1:{port}", port=0) as proxy:
        answer = httpx.get(proxy.base_url + "/system/time")
        assert proxy.wait_for(1)
    assert answer.status_code == 502 and "cannot reach" in answer.text
    from tui.records import history

    entry = history.read().entries[-1]
    assert entry["source"] == "proxy" and entry["failure"] == "other" and entry["path"] == "/system/time"


def test_cli_proxy_prints_one_json_line_per_exchange(tmp_path):
    env = {**os.environ, "KEYPROBE_HOME": str(tmp_path)}
    proc = subprocess.Popen([sys.executable, "-m", "tui", "proxy", "--upstream", "emulator", "--port", "0", "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        banner = proc.stderr.readline()
        base = banner.split("listening on ", 1)[1].split()[0]
        assert httpx.get(base + "/contract/public/details").json()["code"] == 1000
        line = json.loads(proc.stdout.readline())
        assert (line["method"], line["diagnosis"]["code"], line["signature"]["status"]) == ("GET", 1000, "unchecked")
    finally:
        proc.terminate()
        proc.wait(10)
    assert proc.returncode == 0


def test_cli_refuses_an_upstream_outside_the_policy(tmp_path, capsys):
    from tui.cli import main

    assert main(["proxy", "--upstream", "https://evil.example", "--port", "0"]) == 2
    assert "not a host of BitMart or WOO X Pro" in capsys.readouterr().err


def test_a_compressed_answer_is_relayed_as_sent_and_read_decompressed():
    import gzip
    import zlib

    from tui.proxy.relay import KEEP_BODY
    from tui.proxy.relay import readable_body as decoded

    body = b'{"code":30005,"message":"Header X-BM-SIGN is wrong"}'
    assert decoded(gzip.compress(body), "gzip") == body
    assert decoded(zlib.compress(body), "deflate") == body
    raw = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    assert decoded(raw.compress(body) + raw.flush(), "deflate") == body
    assert decoded(b"not gzip", "gzip") == b"not gzip"
    bomb = gzip.compress(b"0" * (50 * KEEP_BODY))
    assert len(decoded(bomb, "gzip")) == KEEP_BODY


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a thread's own priority is Linux's (setpriority on a thread id)")
def test_the_observer_thread_yields_the_cores_to_the_relay(tmp_path, monkeypatch):
    """The inspection of one exchange must not hold up the relay forwarding the next (benchmarks/proxy_overhead.py):
    the observer thread runs at nice 5 (or the process's own, if that is lower priority already)."""
    monkeypatch.setenv("KEYPROBE_HOME", str(tmp_path))
    with Proxy("http://127.0.0.1:9", port=0, history=False) as proxy:
        httpx.get(proxy.base_url + "/system/time", trust_env=False)  # unreachable upstream: a 502, still observed
        assert proxy.wait_for(1)  # the observer has run: it lowers its priority before its first exchange
        observer = next(t for t in proxy._threads if t.name == "proxy-observer")
        relay = next(t for t in proxy._threads if t.name == "proxy-relay")
        own = os.getpriority(os.PRIO_PROCESS, 0)
        assert os.getpriority(os.PRIO_PROCESS, observer.native_id) == max(5, own)
        assert os.getpriority(os.PRIO_PROCESS, relay.native_id) == own


def test_a_history_that_cannot_be_written_is_one_problem_however_many_batches_fail(tmp_path, monkeypatch):
    """A full disk failed every batch (5 a second) and each failure was kept until the proxy stopped: kept once."""
    monkeypatch.setenv("KEYPROBE_HOME", str(tmp_path))
    from tui import paths

    paths.history_path().mkdir(parents=True)  # a folder where the file should be: every append fails
    free = socket.socket()
    free.bind(("127.0.0.1", 0))
    port = free.getsockname()[1]
    free.close()
    with Proxy(f"http://127.0.0.1:{port}", port=0) as proxy, httpx.Client() as client:
        for count in range(1, 21):
            client.get(proxy.base_url + "/system/time")
            proxy.wait_for(count)  # flushes: each exchange is its own failed batch
        assert len(proxy.history_problems) == 1 and "Could not write the history" in proxy.history_problems[0]
