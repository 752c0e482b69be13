"""The emulator as a server (issue 11 item 9, issue 21): capped request heads and bodies, an absurd
Content-Length refused from its declaration, a bounded number of connections served by one thread whatever
the clients do (at the cap the stalest waiting one makes room), a stalled head let go with a sentence,
IPv6, and the warning when it listens beyond loopback. The framing cases are in test_http_framing.py."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest

from tui.emulator import Emulator, server

ROOT = Path(__file__).resolve().parents[1]


def raw(emu: Emulator, data: bytes, timeout: float = 10) -> bytes:
    """Send bytes on a fresh connection and read until the server closes it."""
    with socket.create_connection(("127.0.0.1", emu.port), timeout=timeout) as s:
        s.sendall(data)
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def status_of(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


def test_an_absurd_content_length_is_refused_from_its_declaration(emu):
    head = b"POST /contract/private/submit-order HTTP/1.1\r\nHost: x\r\nContent-Length: 1099511627776\r\n\r\n"
    answer = raw(emu, head)  # no body follows: the answer cannot have waited for one
    assert status_of(answer) == 413 and b"Connection: close" in answer
    assert b"1099511627776 bytes is over the emulator's 1024 KiB cap" in answer


def test_a_body_just_over_the_cap_is_413_and_at_the_cap_is_served(emu):
    over = server.MAX_BODY_BYTES + 1
    assert status_of(raw(emu, b"POST /system/time HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % over)) == 413
    body = b"{" + b" " * (server.MAX_BODY_BYTES - 2) + b"}"
    answer = raw(emu, b"POST /contract/private/submit-order HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
    assert status_of(answer) == 401  # read whole, then refused by the venue (no key): the cap is not lower than stated


def test_a_chunked_body_over_the_cap_is_413(emu):
    piece = b"%x\r\n%s\r\n" % (64 * 1024, b"a" * 64 * 1024)
    with socket.create_connection(("127.0.0.1", emu.port), timeout=30) as s:
        s.sendall(b"POST /system/time HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
        try:
            for _ in range(40):  # 2.5 MiB offered; the emulator answers and stops reading after 1 MiB
                s.sendall(piece)
        except OSError:
            pass
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk
    assert status_of(answer) == 413 and b"over the emulator's 1024 KiB cap" in answer


def test_a_head_over_the_cap_is_431(emu):
    filler = b"X-Filler: " + b"a" * (server.MAX_HEAD_BYTES + 10) + b"\r\n"
    assert status_of(raw(emu, b"GET /system/time HTTP/1.1\r\nHost: x\r\n" + filler + b"\r\n")) == 431
    many = b"".join(b"X-H%d: 1\r\n" % i for i in range(server.MAX_HEADERS + 1))
    assert status_of(raw(emu, b"GET /system/time HTTP/1.1\r\nHost: x\r\n" + many + b"\r\n")) == 431


@pytest.mark.parametrize("head", [
    b"GET /system/time HTTP/1.1\r\nHost: x\r\nContent-Length: ten\r\n\r\n",
    b"GARBAGE\r\n\r\n",
    b"GET /system/time HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n",
])
def test_broken_framing_is_400_with_a_sentence(emu, head):
    answer = raw(emu, head)
    assert status_of(answer) == 400 and answer.rstrip().endswith(b".")


def test_slow_clients_cost_sockets_not_threads(emu):
    threads = threading.active_count()
    stalled = [socket.create_connection(("127.0.0.1", emu.port)) for _ in range(200)]
    try:
        for s in stalled:
            s.sendall(b"GET /system/time HTTP/1.1\r\nX-Half: ")  # a head that never ends
        assert httpx.get(emu.base_url + "/system/time", timeout=10).json()["code"] == 1000
        assert threading.active_count() == threads
    finally:
        for s in stalled:
            s.close()


def test_at_the_bound_the_stalest_idle_connection_makes_room(monkeypatch):
    monkeypatch.setattr(server, "MAX_CONNECTIONS", 3)
    # An emulator of its own: the shared one may still hold kept-alive connections of earlier tests'
    # clients, which count against the bound.
    with Emulator() as emu:
        held = [socket.create_connection(("127.0.0.1", emu.port), timeout=30) for _ in range(3)]
        try:
            for s in held:  # each is served (an answer proves the server counted it), then idles in turn
                s.sendall(b"GET /system/time HTTP/1.1\r\nHost: x\r\n\r\n")
                assert s.recv(65536).startswith(b"HTTP/1.1 200")
            with socket.create_connection(("127.0.0.1", emu.port), timeout=30) as extra:
                extra.sendall(b"GET /system/time HTTP/1.1\r\nHost: x\r\n\r\n")
                assert extra.recv(65536).startswith(b"HTTP/1.1 200")  # before issue 21: closed on arrival
            assert held[0].recv(100) == b""  # the one idle longest was closed, without a word (no request was open)
            held[1].sendall(b"GET /system/time HTTP/1.1\r\nHost: x\r\n\r\n")
            assert held[1].recv(65536).startswith(b"HTTP/1.1 200")  # the others kept theirs
        finally:
            for s in held:
                s.close()


def test_a_stalled_head_is_let_go_at_its_deadline_with_a_sentence(monkeypatch):
    monkeypatch.setattr(server, "HEADER_TIMEOUT_S", 0.2)
    with Emulator() as emu, socket.create_connection(("127.0.0.1", emu.port), timeout=30) as s:
        s.sendall(b"GET /system/time HTTP/1.1\r\nX-Half: ")
        answer = b""
        while chunk := s.recv(65536):  # closed by the server, long before the client's 30 s
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 408 ") and b"head did not arrive within 0.2 s" in answer


@pytest.mark.parametrize("host,loopback", [("::1", True), ("::", False)])
def test_ipv6_hosts(host, loopback):
    with Emulator(host=host) as emu:
        assert emu.base_url.startswith("http://[::1]:") and emu.beyond_loopback is not loopback
        assert httpx.get(emu.base_url + "/system/time", timeout=10).json()["code"] == 1000


@pytest.mark.parametrize("host,warned", [("127.0.0.1", False), ("0.0.0.0", True), ("::", True)])
def test_the_command_warns_beyond_loopback(host, warned):
    proc = subprocess.Popen([sys.executable, "-m", "tui", "emulator", "--host", host, "--port", "0", "--json"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        base_url = json.loads(proc.stdout.readline())["base_url"]
        assert httpx.get(base_url + "/contract/public/details", timeout=10).json()["code"] == 1000
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0 and "Traceback" not in err
    assert ("WARNING: listening on" in err) is warned
    if host == "::":
        assert "not on IPv4" in err
