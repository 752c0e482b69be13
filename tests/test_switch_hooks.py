"""The 101 hand-over both servers offer for issue 24 (WebSocket), shown with a toy protocol that is not
WebSocket: the emulator's `Server.on_upgrade` and the proxy's `Relay.on_switch` get the connection(s) and
the bytes read past the head, exactly once, after every earlier request on the connection was answered."""

from __future__ import annotations

import asyncio
import socket
import threading

from http_client import answers, refused, status_of

from tui.emulator import Emulator
from tui.emulator.server import Handover
from tui.proxy import Proxy

SWITCHED = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: shout\r\nConnection: Upgrade\r\n\r\n"
UPGRADE = b"GET /shout HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: shout\r\n\r\n"


class Shout(asyncio.Protocol):
    """The toy protocol: every byte comes back upper-cased."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.transport.write(data.upper())


def read_exactly(s: socket.socket, size: int) -> bytes:
    s.settimeout(30)
    data = b""
    while len(data) < size and (chunk := s.recv(size - len(data))):
        data += chunk
    return data


def test_the_emulator_hands_an_upgrade_over_with_what_followed_its_head():
    taken: list[Handover] = []

    def on_upgrade(handover: Handover) -> asyncio.Protocol:
        taken.append(handover)
        handover.transport.write(SWITCHED)
        return Shout()

    with Emulator() as emu:
        emu._server.on_upgrade = on_upgrade
        with socket.create_connection(("127.0.0.1", emu.port), timeout=30) as s:
            s.sendall(b"GET /system/time HTTP/1.1\r\nHost: h\r\n\r\n" + UPGRADE + b"early bytes")
            got, raw = answers(s, 2)  # the request before it is answered first, then the switch
            assert [status for status, _ in got] == [200, 101]
            rest = raw.split(SWITCHED, 1)[1]
            assert rest + read_exactly(s, len(b"EARLY BYTES") - len(rest)) == b"EARLY BYTES"
            s.sendall(b"and more")
            assert read_exactly(s, 8) == b"AND MORE"
        assert [(h.request.target, h.leftover) for h in taken] == [("/shout", b"early bytes")]
        assert not emu._server.connections  # no longer the HTTP server's to count or time out


def test_without_a_hook_the_emulator_answers_an_upgrade_as_plain_http():
    with Emulator() as emu, socket.create_connection(("127.0.0.1", emu.port), timeout=30) as s:
        s.sendall(UPGRADE.replace(b"/shout", b"/system/time") + b"GET /system/service HTTP/1.1\r\nHost: h\r\n\r\n")
        got, _ = answers(s, 2)  # RFC 9110 7.8: a server may ignore Upgrade; what follows is read as HTTP again
    assert [status for status, _ in got] == [200, 200]


class ShoutingUpstream:
    """An upstream that switches to the toy protocol on any request, sending a few bytes of it at once."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.heads: list[bytes] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        try:
            conn, _ = self.server.accept()
        except OSError:
            return
        with conn:
            data = b""
            while b"\r\n\r\n" not in data:
                data += conn.recv(65536)
            self.heads.append(data)
            conn.sendall(SWITCHED + b"hello from upstream;")
            while chunk := conn.recv(65536):
                conn.sendall(chunk.upper())

    def close(self) -> None:
        self.server.close()


def test_the_proxy_hands_a_101_over_with_both_sides_leftovers(tmp_path, monkeypatch):
    monkeypatch.setenv("KEYPROBE_HOME", str(tmp_path))
    up = ShoutingUpstream()
    taken = []

    async def on_switch(handover) -> None:
        taken.append(handover)
        (client_reader, client_writer), (up_reader, up_writer) = handover.client, handover.upstream
        up_writer.write(handover.client_leftover)
        client_writer.write(handover.upstream_leftover)

        async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
            writer.close()

        await asyncio.gather(pipe(client_reader, up_writer), pipe(up_reader, client_writer))

    try:
        with Proxy(f"http://127.0.0.1:{up.port}", port=0) as proxy:
            proxy._relay.on_switch = on_switch
            with socket.create_connection(("127.0.0.1", proxy.port), timeout=30) as s:
                s.sendall(UPGRADE + b"client early;")
                got, raw = answers(s, 1)
                assert got == [(101, b"")]
                expected = b"hello from upstream;CLIENT EARLY;"
                rest = raw.split(SWITCHED, 1)[1]
                assert rest + read_exactly(s, len(expected) - len(rest)) == expected
                s.sendall(b"ping")
                assert read_exactly(s, 4) == b"PING"
            assert proxy.wait_for(1) and proxy.inspections[0].request.response.status == 101
        # the head went out as received (Host aside), the bytes after it only through the hook
        assert up.heads == [UPGRADE.replace(b"Host: h", b"Host: 127.0.0.1:%d" % up.port)]
        assert [(h.client_leftover, h.upstream_leftover) for h in taken] == [(b"client early;", b"hello from upstream;")]
    finally:
        up.close()


def test_without_a_hook_the_proxy_refuses_an_upgrade_and_forwards_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("KEYPROBE_HOME", str(tmp_path))
    up = ShoutingUpstream()
    try:
        with Proxy(f"http://127.0.0.1:{up.port}", port=0) as proxy:
            proxy._relay.on_switch = None  # the proxy's WebSocket side unplugged: the relay alone
            answer = refused(proxy.port, UPGRADE)
        assert status_of(answer) == 501 and b"does not relay protocol switches" in answer and up.heads == []
    finally:
        up.close()
