"""The WebSocket attack run, both ways, over real loopback sockets: huge frames, floods, slow and silent peers,
text that is not UTF-8, compression bombs, half-open upgrades and a 101 followed by garbage, against the emulator's
own port (the proxy's side is tests/test_ws_proxy.py). The emulator's side answers with a close and a reason and keeps serving
others; `keyprobe ws` ends in a sentence with the right exit code. Memory stays bounded whatever the attack's size
(tracemalloc's peak, measured in this process, which holds the server and the client alike)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
import tracemalloc
import zlib

import pytest
from websockets.asyncio.client import connect
from websockets.asyncio.server import serve
from websockets.client import ClientProtocol
from websockets.exceptions import ConnectionClosed
from websockets.uri import parse_uri

from keys.demo import EXAMPLE_KEY, EXAMPLE_MEMO, EXAMPLE_SECRET
from keys.signing import Credentials
from tui.emulator.ws.limits import WsLimits
from tui.ws.client import Plan, run_session
from tui.ws.dialects import DIALECTS
from tui.ws.frames import MAX_KEPT
from ws_support import fresh_streams, login_frame, until

MiB = 1024 * 1024
DEMO = Credentials.of(EXAMPLE_KEY, EXAMPLE_SECRET, EXAMPLE_MEMO)
SPOT_USER = "/spot/user?protocol=1.1"


@pytest.fixture
def adapter(emu):  # noqa: ANN001, ANN201
    """The emulator's streams on its own port (one emulator per worker), with short clocks and a small per-address cap."""
    limits = WsLimits(idle_s=0.3, lifeless_s=0.3, max_connections_per_ip=3, send_timeout_s=0.3, max_messages_per_s=20)
    yield fresh_streams(emu, limits)
    emu.streams.limits = WsLimits()


def raw_link(url: str, rcvbuf: int | None = None) -> socket.socket:
    """A socket that completed the WebSocket handshake (websockets' sans-I/O client wrote and read it): the test then
    writes the bytes no library would."""
    uri = parse_uri(url)
    protocol = ClientProtocol(uri)
    protocol.send_request(protocol.connect())
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)  # before connecting: the window stays small
    sock.settimeout(10)
    sock.connect((uri.host, uri.port))
    sock.sendall(b"".join(protocol.data_to_send()))
    while not protocol.events_received():
        protocol.receive_data(sock.recv(4096))
    return sock


def masked_header(opcode: int, length: int, rsv1: bool = False) -> bytes:
    """A client frame's header claiming `length` bytes of payload (a zero mask: the payload goes as it is)."""
    first = 0x80 | (0x40 if rsv1 else 0) | opcode
    if length < 126:
        return struct.pack("!BB", first, 0x80 | length) + b"\0\0\0\0"
    return struct.pack("!BBQ", first, 0x80 | 127, length) + b"\0\0\0\0"


def close_code(sock: socket.socket) -> int | None:
    """The close code of the first frame the server sent back, or None if it only dropped the connection."""
    data = b""
    with contextlib.suppress(OSError):
        while len(data) < 4:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
    return struct.unpack("!H", data[2:4])[0] if len(data) >= 4 and data[0] & 0x0F == 8 else None


async def still_serves(adapter) -> None:  # noqa: ANN001
    async with connect(adapter.base_url + SPOT_USER, compression=None, proxy=None) as ws:
        await ws.send(login_frame("bitmart-spot"))
        assert zlib.decompressobj(-zlib.MAX_WBITS).decompress(await ws.recv()) == b'{"event":"login"}'


# -- hostile clients against the emulator --------------------------------------------------------------------------
async def test_a_huge_frame_is_refused_from_its_header_without_buffering_it(adapter):
    sock = raw_link(adapter.base_url + SPOT_USER)
    tracemalloc.start()
    try:
        sock.sendall(masked_header(0x1, 1 << 40))  # a terabyte announced
        chunk = b"x" * MiB
        with contextlib.suppress(OSError):
            for _ in range(16):  # 16 MiB actually streamed after it
                sock.sendall(chunk)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert close_code(sock) in (1009, None)
    sock.close()
    assert peak < 4 * MiB, f"peak {peak / MiB:.1f} MiB while 16 MiB were streamed"
    async with connect(adapter.base_url + SPOT_USER, compression=None, proxy=None, max_size=None) as ws:
        await ws.send("x" * 5000)
        with pytest.raises(ConnectionClosed) as closed:
            await ws.recv()
    assert closed.value.rcvd.code == 1009 and "exceeds limit of 4096 bytes" in closed.value.rcvd.reason
    await still_serves(adapter)


async def test_a_flood_is_answered_90007_then_closed(adapter):
    async with connect(adapter.base_url + SPOT_USER, compression=None, proxy=None) as ws:
        for _ in range(30):
            with contextlib.suppress(ConnectionClosed):
                await ws.send("ping")
        answers = []
        with contextlib.suppress(ConnectionClosed):
            while True:
                got = await ws.recv()
                answers.append(got if isinstance(got, str) else zlib.decompressobj(-zlib.MAX_WBITS).decompress(got).decode())
    assert answers[:20] == ["pong"] * 20 and all("90007" in a for a in answers[20:23]) and len(answers) == 23
    assert ws.close_code == 1008 and ws.close_reason == "more than 20 messages a second"
    await still_serves(adapter)


async def test_past_the_links_one_address_may_hold_its_link_silent_longest_gets_94002_and_the_newcomer_is_served(emu):
    """WOO X Pro's limit (94002 past the links one address may hold), told to the link whose client was heard least
    recently: on loopback every client is one address, and refusing the newcomer let one peer holding every link (kept
    alive with pings) shut every other client out. (The venue's idle clocks: no link is closed for silence meanwhile.)"""
    adapter = fresh_streams(emu, WsLimits(max_connections_per_ip=3))
    # Links an earlier test left closing are of the same address: one heard after these would be kept over them
    # and count against the three (a flake in one run of five under -n 2). Start from none.
    await until(lambda: not any(link.open for link in list(adapter.links)))
    async with contextlib.AsyncExitStack() as stack:
        stack.callback(setattr, emu.streams, "limits", WsLimits())
        links = [await stack.enter_async_context(connect(adapter.base_url + "/spot/api?protocol=1.1", compression=None,
                                                         proxy=None)) for _ in range(3)]
        for ws in links:  # the first speaks first: its client is the one silent longest
            await ws.send("ping")
            assert await ws.recv() == "pong"
        async with connect(adapter.base_url + "/spot/api?protocol=1.1", compression=None, proxy=None) as fourth:
            refusal = zlib.decompressobj(-zlib.MAX_WBITS).decompress(await links[0].recv()).decode()
            with pytest.raises(ConnectionClosed):
                await links[0].recv()
            await fourth.send("ping")
            assert await fourth.recv() == "pong"  # served
            await links[1].send("ping")
            assert await links[1].recv() == "pong"  # the others untouched
    assert '"errorCode":"94002"' in refusal, refusal
    assert links[0].close_reason == "too many links from this address"


async def test_silent_and_slow_pinging_clients_are_closed_with_a_reason(adapter):
    async with connect(adapter.base_url + SPOT_USER, compression=None, proxy=None, ping_interval=None) as silent:
        with pytest.raises(ConnectionClosed):
            await silent.recv()
    assert silent.close_reason == "no request within 0.3 s"
    async with connect(adapter.base_url + SPOT_USER, compression=None, proxy=None, ping_interval=None) as slow:
        await slow.send("ping")
        assert await slow.recv() == "pong"
        with pytest.raises(ConnectionClosed):
            await slow.recv()  # no second ping within the idle window
    assert slow.close_reason == "nothing from the client for 0.3 s"


async def test_a_client_that_stops_reading_is_dropped_and_its_memory_bounded(adapter):
    sock = raw_link(adapter.base_url + "/futures/api?protocol=1.1", rcvbuf=4096)  # futures: uncompressed, fills sooner
    topics = ",".join(f'"futures/depth50:{s}"' for s in ("BTCUSDT", "ETHUSDT"))
    payload = f'{{"action":"subscribe","args":[{topics}]}}'.encode()
    sock.sendall(masked_header(0x1, len(payload)) + payload)
    await until(lambda: any(s.topics for s in adapter.sessions))  # subscribed (a session exists from the handshake)
    tracemalloc.start()
    try:
        for s in adapter.sessions:
            s.limits, s.next_push = WsLimits(push_interval_s=0.001, send_timeout_s=0.3, idle_s=60), 0.0  # as fast as it can
        await until(lambda: not adapter.sessions, timeout=20)  # dropped once a send blocked past send_timeout_s
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    sock.close()
    assert peak < 4 * MiB, f"peak {peak / MiB:.1f} MiB"  # what waits is the kernel's buffer and websockets' 32 KiB
    await still_serves(adapter)


async def test_text_that_is_not_utf8_closes_with_1007(adapter):
    async with connect(adapter.base_url + SPOT_USER, compression=None, proxy=None) as ws:
        await ws.send(b'{"op":"login","args":["\xff\xfe"]}', text=True)
        with pytest.raises(ConnectionClosed):
            await ws.recv()
    assert ws.close_code == 1007
    await still_serves(adapter)


async def test_a_compressed_frame_from_a_client_is_a_protocol_error(adapter):
    """No permessage-deflate is negotiated (a client that offers it is answered without it), so a frame with RSV1 set,
    a compression bomb or not, is refused unread."""
    async with connect(adapter.base_url + SPOT_USER, proxy=None) as offered:  # compression="deflate": offered
        assert offered.response.headers.get("Sec-WebSocket-Extensions") is None
    bomb = zlib.compress(b"\0" * MiB)[2:-4]  # 1 MiB of zeros in about 1 KB, raw deflate
    sock = raw_link(adapter.base_url + SPOT_USER)
    sock.sendall(masked_header(0x1, len(bomb), rsv1=True) + bomb)
    assert close_code(sock) in (1002, None)
    sock.close()
    await still_serves(adapter)


# -- a hostile server against `keyprobe ws` ----------------------------------------------------------------------------
@contextlib.asynccontextmanager
async def hostile(behaviour):  # noqa: ANN001, ANN201
    """A websockets server on loopback whose handler misbehaves; yields its base URL, and waits for it to close."""
    server = await serve(behaviour, "127.0.0.1", 0, compression=None, max_size=MiB)
    try:
        yield f"ws://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    finally:
        server.close()
        await server.wait_closed()


def plan(base: str, dialect: str = "bitmart-spot", timeout: float = 5.0) -> Plan:
    return Plan(DIALECTS[dialect], f"{base}/user", None, DEMO, frozenset({"127.0.0.1"}), "Local emulator",
                (DIALECTS[dialect].default_private,), "demo", timeout_s=timeout)


async def after_login(ws) -> None:  # noqa: ANN001
    await ws.recv()


async def test_a_huge_frame_from_the_server_is_refused_at_its_header(capsys):
    async def huge(ws):  # noqa: ANN001
        await after_login(ws)
        ws.transport.write(struct.pack("!BBQ", 0x81, 127, 1 << 40))  # a terabyte announced, unmasked as a server's
        with contextlib.suppress(Exception):
            for _ in range(16):
                ws.transport.write(b"x" * MiB)
                await asyncio.sleep(0)
        await ws.wait_closed()
    tracemalloc.start()
    try:
        async with hostile(huge) as base:
            report = await run_session(plan(base))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    (login,) = [s for s in report.steps if s.name == "login"]
    assert login.ok is False and "over keyprobe's cap; keyprobe closed the link (code 1009" in login.detail
    assert report.exit_code == 3 and peak < 24 * MiB


async def test_a_flooding_server_leaves_a_bounded_log():
    async def flood(ws):  # noqa: ANN001
        await after_login(ws)
        for i in range(5000):
            await ws.send('{"table":"spot/ticker","data":[{"n":%d}]}' % i)
        await ws.send('{"event":"login"}')
        await ws.recv()
    async with hostile(flood) as base:
        report = await run_session(plan(base, timeout=10))
    assert [s.ok for s in report.steps if s.name == "login"] == [True]
    assert len(report.frames) == MAX_KEPT and report.frames_dropped > 4800


async def test_a_silent_server_is_a_sentence_and_exit_3():
    async def silent(ws):  # noqa: ANN001
        await after_login(ws)
        await ws.wait_closed()
    async with hostile(silent) as base:
        report = await run_session(plan(base, timeout=0.3))
    (login,) = [s for s in report.steps if s.name == "login"]
    assert "neither answered the login nor closed the link within 0.3 s" in login.diagnosis.causes[0]
    assert report.exit_code == 3


async def test_a_server_that_ignores_pings_fails_the_ping_step():
    async def deaf(ws):  # noqa: ANN001
        await after_login(ws)
        await ws.send('{"event":"login"}')
        await ws.wait_closed()
    async with hostile(deaf) as base:
        report = await run_session(plan(base, timeout=0.3))
    assert [(s.name, s.ok) for s in report.steps][:3] == [("connect", True), ("login", True), ("ping", False)]
    assert "No answer to the text ping 'ping'" in report.steps[2].detail and report.exit_code == 3


async def test_text_that_is_not_utf8_from_the_server_is_a_sentence():
    async def garbled(ws):  # noqa: ANN001
        await after_login(ws)
        await ws.send(b'{"event":"lo\xffgin"}', text=True)
        await ws.wait_closed()
    async with hostile(garbled) as base:
        report = await run_session(plan(base))
    (login,) = [s for s in report.steps if s.name == "login"]
    assert "sent a text frame that is not UTF-8; keyprobe closed the link (code 1007" in login.detail


async def test_a_compression_bomb_from_the_server_is_inflated_only_to_the_cap():
    bomb = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    payload = bomb.compress(b"\0" * (128 * MiB)) + bomb.flush()  # 128 MiB of zeros in a frame of about 128 KB

    async def bombing(ws):  # noqa: ANN001
        await after_login(ws)
        await ws.send(payload)
        await ws.wait_closed()
    tracemalloc.start()
    try:
        async with hostile(bombing) as base:
            report = await run_session(plan(base, timeout=0.5))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    (frame,) = [f for f in report.frames if f.direction == "received"]
    assert frame.compressed and "inflates past 8 MiB; keyprobe stopped there" in frame.problem and len(frame.text) <= 4000
    assert report.exit_code == 3 and peak < 32 * MiB, f"peak {peak / MiB:.0f} MiB for a 128 MiB bomb"


# -- half-open upgrades and a 101 followed by garbage, on the emulator's port ---------------------------------------
async def test_a_handshake_that_never_ends_is_let_go_with_the_reason(adapter, emu):
    """The head of an upgrade trickles and stops: the HTTP server's whole-head deadline (injected: 0.3 s) answers 408."""
    from http_client import until_closed

    from tui.http1.fairness import Phase

    limits = emu._server.table.limits
    saved, limits[Phase.HEAD] = limits[Phase.HEAD], 0.3
    try:
        with socket.create_connection(("127.0.0.1", emu.port), timeout=30) as sock:
            sock.sendall(b"GET /spot/user?protocol=1.1 HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n")
            answer = await asyncio.to_thread(until_closed, sock)
    finally:
        limits[Phase.HEAD] = saved
    assert answer.startswith(b"HTTP/1.1 408") and b"did not arrive within 0.3 s" in answer
    await still_serves(adapter)


async def test_half_a_frame_then_silence_is_the_idle_close(adapter):
    sock = raw_link(adapter.base_url + SPOT_USER)
    sock.sendall(masked_header(0x1, 100) + b"x" * 10)  # 90 bytes of it never come
    assert await asyncio.to_thread(close_code, sock) == 1000
    sock.close()
    assert (1000, "no request within 0.3 s") in adapter.closes  # a frame never completed is no request
    await still_serves(adapter)


async def test_garbage_after_the_101_is_a_protocol_error_and_memory_stays_bounded(adapter):
    sock = raw_link(adapter.base_url + SPOT_USER)
    tracemalloc.start()
    try:
        with contextlib.suppress(OSError):
            sock.sendall(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n" + bytes(range(256)) * 4096)  # an HTTP request, then 1 MiB of junk
        code = await asyncio.to_thread(close_code, sock)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    sock.close()
    assert code == 1002 and peak < 4 * MiB  # "incorrect masking": a client's frames are masked
    await still_serves(adapter)


@pytest.mark.parametrize("status, fix", [(403, "refused this client before any login"), (503, "unavailable on the server's side"),
                                         (404, "Check the stream's address")])
async def test_a_refused_handshake_is_valid_http_and_its_fix_follows_the_status(status, fix):
    """A 403 or 503 to the handshake was told "The answer was not valid HTTP" (REST's fix for garbage); the server's
    words reach the sentence escaped."""
    def refuse(connection, request):  # noqa: ANN001, ANN202
        return connection.respond(status, '{"code":30010,"message":"IP \x1b]52;c;SGk=\x07 forbidden"}')

    server = await serve(lambda ws: ws.wait_closed(), "127.0.0.1", 0, process_request=refuse)
    try:
        report = await run_session(plan(f"ws://127.0.0.1:{server.sockets[0].getsockname()[1]}"))
    finally:
        server.close()
        await server.wait_closed()
    (connect_step,) = [s for s in report.steps if s.name == "connect"]
    fixes = [f.text for f in connect_step.diagnosis.fixes]
    assert fix in fixes[0] and not any("not valid HTTP" in f for f in fixes) and report.exit_code == 3
    assert f"HTTP {status}" in connect_step.detail and "30010" in connect_step.detail and "\x1b" not in connect_step.detail
