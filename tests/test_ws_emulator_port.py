"""The emulator's WebSocket streams on its own HTTP port (issue 24 phase 2): the upgrade handed over by the HTTP
server, REST before it on the same connection, paths that are not streams answered as HTTP, the links counted in
the fair connection table (the silent longest makes room, with 1013 and the reason), the URLs `keyprobe emulator`
prints, and a stop that closes every link."""

from __future__ import annotations

import asyncio
import socket
import struct
import zlib

import pytest
from http_client import answers, until_closed
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from keys.demo import demo_key
from tui.commands.emulator import ws_urls
from tui.emulator import Emulator
from tui.ws.client import Plan, run_session
from tui.ws.dialects import DIALECTS
from ws_support import login_frame, until, woo_emu, ws_emu  # noqa: F401 - fixtures

HANDSHAKE = (b"GET /spot/user?protocol=1.1 HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
             b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")


def client_frame(text: str) -> bytes:
    """A masked text frame (a zero mask: the payload goes as it is)."""
    data = text.encode()
    assert len(data) < 126
    return struct.pack("!BB", 0x81, 0x80 | len(data)) + b"\0\0\0\0" + data


def first_server_frame(data: bytes) -> tuple[int, bytes]:
    """(opcode, payload) of the first frame in `data`, a server's (unmasked, payload under 126 bytes)."""
    opcode, length = data[0] & 0x0F, data[1] & 0x7F
    assert length < 126, data[:8]
    return opcode, data[2:2 + length]


def test_rest_then_the_upgrade_on_one_connection_then_a_login(ws_emu):
    emu, streams = ws_emu
    with socket.create_connection(("127.0.0.1", emu.port), timeout=30) as s:
        s.sendall(b"GET /system/time HTTP/1.1\r\nHost: h\r\n\r\n" + HANDSHAKE)
        got, raw = answers(s, 2)
        assert [status for status, _ in got] == [200, 101]
        assert b"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" in raw  # RFC 6455's own example key and answer
        assert b"Sec-WebSocket-Extensions" not in raw  # nothing negotiated: the venue compresses its own frames
        s.sendall(client_frame("ping"))
        data = s.recv(65536)
        assert first_server_frame(data) == (0x1, b"pong")
    assert emu.streams.log[0].message == "ping" and emu.streams.log[1].message == "pong"


def test_an_upgrade_on_a_path_that_is_no_stream_is_answered_as_http(ws_emu):
    emu, _ = ws_emu
    with socket.create_connection(("127.0.0.1", emu.port), timeout=30) as s:
        s.sendall(HANDSHAKE.replace(b"/spot/user?protocol=1.1", b"/system/time") + b"GET /system/service HTTP/1.1\r\nHost: h\r\n\r\n")
        got, _ = answers(s, 2)
    assert [status for status, _ in got] == [200, 200]  # RFC 9110 7.8: an upgrade a server ignores


def test_wooxpro_has_no_spot_stream_and_says_so(woo_emu):
    emu, _ = woo_emu
    with socket.create_connection(("127.0.0.1", emu.port), timeout=30) as s:
        s.sendall(HANDSHAKE)
        raw = until_closed(s)
    assert raw.startswith(b"HTTP/1.1 404") and b"it serves /futures/api and /futures/user" in raw


def test_a_handshake_websockets_refuses_gets_its_answer(ws_emu):
    emu, _ = ws_emu
    with socket.create_connection(("127.0.0.1", emu.port), timeout=30) as s:
        s.sendall(HANDSHAKE.replace(b"Sec-WebSocket-Version: 13", b"Sec-WebSocket-Version: 8"))
        raw = until_closed(s)
    assert raw.startswith(b"HTTP/1.1 400") and b"Sec-WebSocket-Version" in raw


async def test_links_count_in_the_fair_table_and_the_silent_longest_makes_room():
    """At the server's cap a newcomer is served: the link heard from longest ago is closed with 1013 and why. An
    emulator of its own: the shared one may still hold a kept-alive connection of an earlier test, staler still."""
    emu = await asyncio.to_thread(Emulator().start)
    try:
        await links_make_room(emu)
    finally:
        await asyncio.to_thread(emu.stop)


async def links_make_room(emu: Emulator) -> None:
    streams = emu.streams
    table = emu._server.table
    url = streams.base_url + "/spot/api?protocol=1.1"
    async with connect(url, compression=None, proxy=None, ping_interval=None) as old, \
            connect(url, compression=None, proxy=None, ping_interval=None) as young:
        await young.send("ping")
        assert await young.recv() == "pong"  # heard since `old` was
        assert {link.phase.value for link in streams.links} == {"stream"} and len(table.open) == 2
        cap = table.max_total
        table.max_total = 2
        try:
            async with connect(url, compression=None, proxy=None) as newcomer:
                await newcomer.send("ping")
                assert await newcomer.recv() == "pong"
                with pytest.raises(ConnectionClosed):
                    await old.recv()
                await young.send("ping")
                assert await young.recv() == "pong"
        finally:
            table.max_total = cap
    assert old.close_code == 1013 and "closed to make room for a new connection" in old.close_reason
    assert old.close_reason.endswith("(stream)")


def test_the_urls_keyprobe_emulator_prints_serve_a_login(ws_emu):
    emu, _ = ws_emu
    urls = ws_urls(emu.ws_url, "bitmart")
    assert set(urls) == {"bitmart-spot", "bitmart-futures"}
    for dialect_id, pair in urls.items():
        dialect = DIALECTS[dialect_id]
        plan = Plan(dialect, pair["private"], pair["public"], demo_key().credentials, frozenset({"127.0.0.1"}), "Local emulator",
                    (dialect.default_private, dialect.default_public), timeout_s=10)
        report = asyncio.run(run_session(plan))
        assert report.exit_code == 0, report.verdict
    assert list(ws_urls("ws://h:1", "wooxpro")) == ["wooxpro"]


async def test_stopping_the_emulator_ends_its_links():
    emu = Emulator().start()
    try:
        async with connect(emu.ws_url + "/futures/api?protocol=1.1", compression=None, proxy=None) as ws:
            await ws.send('{"action":"ping"}')
            assert "pong" in await ws.recv()
            await asyncio.to_thread(emu.stop)
            with pytest.raises(ConnectionClosed):
                await asyncio.wait_for(ws.recv(), 10)  # the timeout only turns a hang into a failure
    finally:
        emu.stop()
    assert (ws.close_code, ws.close_reason) == (1001, "the emulator is stopping")


async def test_an_order_over_rest_reaches_the_private_stream_on_the_same_port(ws_emu):
    """The REST handler and the links share the server's loop: the account's listeners wake the link."""
    import httpx

    from tui.exchange import Draft
    from tui.signing_context import SigningContext
    from tui.transport.wire import Wire

    emu, streams = ws_emu
    async with connect(emu.ws_url + "/spot/user?protocol=1.1", compression=None, proxy=None) as ws:
        await ws.send(login_frame("bitmart-spot"))
        assert zlib.decompressobj(-zlib.MAX_WBITS).decompress(await ws.recv()) == b'{"event":"login"}'
        await ws.send('{"op":"subscribe","args":["spot/user/order:BTC_USDT"]}')
        await ws.recv()
        body = '{"symbol":"BTC_USDT","side":"buy","type":"limit","size":"0.001","price":"20000"}'
        async with Wire() as wire:
            exchange = await wire.send(Draft(emu.venue, "POST", "/spot/v2/submit_order", body=body),
                                       SigningContext.for_venue(emu.venue, demo_key().credentials))
        assert exchange.response.status == 200, exchange.response.body
        pushed = zlib.decompressobj(-zlib.MAX_WBITS).decompress(await asyncio.wait_for(ws.recv(), 10)).decode()
    order_id = httpx.Response(200, content=exchange.response.body).json()["data"]["order_id"]
    assert '"table":"spot/user/order"' in pushed and order_id in pushed
    await until(lambda: not streams.links)
