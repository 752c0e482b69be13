"""`keyprobe proxy` and WebSocket: upgrades forwarded frame for frame (the bytes that arrive are the bytes that leave,
both ways, masks and fragments and pings included), each link's login checked as `inspect` checks it, the result
printed, recorded in the history and shown like a REST exchange; and a hostile side, client or upstream, ends in a
sentence with bounded memory while the proxy goes on serving (huge frames, bytes that are not frames, a 101
followed by garbage, an upstream that never answers the upgrade, a reader that stops, silence, a compression bomb,
too many links)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import socket
import struct
import threading
import tracemalloc
import zlib

import httptools
import pytest
from websockets.asyncio.client import connect
from websockets.client import ClientProtocol
from websockets.exceptions import ConnectionClosed
from websockets.frames import Close, Frame, Opcode
from websockets.server import ServerProtocol
from websockets.uri import parse_uri

from keys.demo import EXAMPLE_KEY
from leaks import find_leaks, random_value
from seeds import drawn_seed
from tui.emulator.ws.limits import WsLimits
from tui.proxy import Proxy, relay
from ws_support import fresh_streams, login_frame, until

MiB = 1024 * 1024
SPOT_USER = "/spot/user?protocol=1.1"


@pytest.fixture
def proxied(emu, tmp_path, monkeypatch):  # noqa: ANN001, ANN201
    """(the emulator's streams, a proxy in front of the emulator) with the history in a fresh home."""
    monkeypatch.setenv("KEYPROBE_HOME", str(tmp_path))
    streams = fresh_streams(emu)
    with Proxy(emu.base_url, port=0, uid="4471823") as proxy:
        yield streams, proxy
    emu.streams.limits = WsLimits()


def ws_base(proxy: Proxy) -> str:
    return f"ws://127.0.0.1:{proxy.port}"


# -- a raw upstream: websockets' sans-I/O handshake, then whatever the test scripts ----------------------------------
class RawUpstream:
    """Answers one WebSocket handshake (websockets' ServerProtocol), then runs `script(sock)`; records every byte
    it received after the request's head, exactly."""

    def __init__(self, script, extensions_header: str | None = None, answer: bool = True) -> None:  # noqa: ANN001
        self.script, self.extensions_header, self.answer = script, extensions_header, answer
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.after_head = bytearray()
        self.done = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        try:
            conn, _ = self.server.accept()
        except OSError:
            return
        with conn:
            conn.settimeout(30)
            parser, raw = httptools.HttpRequestParser(object()), b""
            while True:
                data = conn.recv(65536)
                if not data:
                    self.done.set()
                    return
                raw += data
                try:
                    parser.feed_data(data)
                except httptools.HttpParserUpgrade as up:
                    head_end = len(raw) - len(data) + up.args[0]
                    break
            self.after_head += raw[head_end:]
            if not self.answer:  # a half-open upgrade: the head is read, nothing is ever answered
                with contextlib.suppress(OSError):
                    while conn.recv(65536):
                        pass
                self.done.set()
                return
            handshake = ServerProtocol()
            handshake.receive_data(raw[:head_end])
            (request,) = handshake.events_received()
            response = handshake.accept(request)
            if self.extensions_header:
                response.headers["Sec-WebSocket-Extensions"] = self.extensions_header
            handshake.send_response(response)
            conn.sendall(b"".join(handshake.data_to_send()))
            with contextlib.suppress(OSError):
                self.script(conn, self)
            self.done.set()

    def read_all(self, conn: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := conn.recv(65536):
                self.after_head += data

    def close(self) -> None:
        self.server.close()


class RawLink:
    """A socket past the handshake (websockets' sans-I/O client wrote it; httptools found the 101's end), for bytes
    no library would send; `early` holds what the server sent right after its 101."""

    def __init__(self, port: int, path: str = SPOT_USER) -> None:
        protocol = ClientProtocol(parse_uri(f"ws://127.0.0.1:{port}{path}"))
        protocol.send_request(protocol.connect())
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.sock.sendall(b"".join(protocol.data_to_send()))
        parser, raw = httptools.HttpResponseParser(object()), b""
        while True:
            data = self.sock.recv(65536)
            assert data, raw
            raw += data
            try:
                parser.feed_data(data)
            except httptools.HttpParserUpgrade as up:
                assert parser.get_status_code() == 101, raw
                self.early = raw[len(raw) - len(data) + up.args[0]:]
                return

    def __getattr__(self, name: str):  # noqa: ANN204 - the socket's own calls
        return getattr(self.sock, name)


def raw_client(port: int, path: str = SPOT_USER) -> RawLink:
    return RawLink(port, path)


def until_closed(sock: socket.socket) -> bytes:
    data = getattr(sock, "early", b"")
    with contextlib.suppress(OSError):
        while chunk := sock.recv(65536):
            data += chunk
    return data


def until_a_close(sock: socket.socket) -> bytes:
    """What the server sends until its close frame (read with websockets' parser), or until it closes."""
    data = getattr(sock, "early", b"")
    with contextlib.suppress(OSError):
        while not closes_in(data, masked=False) and (chunk := sock.recv(65536)):
            data += chunk
    return data


def closes_in(data: bytes, masked: bool) -> list[tuple[int, str]]:
    """The close frames in a stream of frames, read with websockets' parser."""
    from websockets.streams import StreamReader

    reader, out = StreamReader(), []
    reader.feed_data(data)
    reader.feed_eof()
    parser = Frame.parse(reader.read_exact, mask=masked)
    while True:
        try:
            next(parser)
        except StopIteration as done:
            frame = done.value
            if frame.opcode is Opcode.CLOSE:
                close = Close.parse(frame.data)
                out.append((close.code, close.reason))
            parser = Frame.parse(reader.read_exact, mask=masked)
        except (EOFError, Exception):  # noqa: BLE001 - the end of what was read
            return out


def proxy_to(upstream: RawUpstream, **limits) -> Proxy:  # noqa: ANN003
    proxy = Proxy(f"http://127.0.0.1:{upstream.port}", port=0, history=False).start()
    for name, value in limits.items():
        setattr(proxy.ws, name, value)
    return proxy


# -- transparency -----------------------------------------------------------------------------------------------------
def test_every_byte_goes_through_unchanged_both_ways():
    rng = random.Random(drawn_seed("KEYPROBE_WS_PROXY_SEED"))
    server_frames = (Frame(Opcode.TEXT, b'{"event":"login"}').serialize(mask=False, extensions=[])
                     + Frame(Opcode.TEXT, b"par", fin=False).serialize(mask=False, extensions=[])
                     + Frame(Opcode.PING, b"are you there").serialize(mask=False, extensions=[])
                     + Frame(Opcode.CONT, b"tial").serialize(mask=False, extensions=[])
                     + Frame(Opcode.BINARY, rng.randbytes(70_000)).serialize(mask=False, extensions=[])
                     + Frame(Opcode.CLOSE, Close(1000, "bye").serialize()).serialize(mask=False, extensions=[]))

    def script(conn, up):  # noqa: ANN001
        conn.sendall(server_frames)
        up.read_all(conn)

    up = RawUpstream(script)
    client_frames = b"".join(Frame(op, data, fin=fin).serialize(mask=True, extensions=[]) for op, data, fin in (
        (Opcode.TEXT, login_frame("bitmart-spot").encode(), True), (Opcode.TEXT, b"frag", False), (Opcode.PONG, b"yes", True),
        (Opcode.CONT, b"mented", True), (Opcode.BINARY, rng.randbytes(200_000), True),
        (Opcode.CLOSE, Close(1000, "").serialize(), True)))
    proxy = proxy_to(up)
    try:
        sock = raw_client(proxy.port)
        for start in range(0, len(client_frames), 7919):  # in pieces that end anywhere, mid-header included
            sock.sendall(client_frames[start:start + 7919])
        got = until_closed(sock)
        sock.close()
        assert up.done.wait(30)
    finally:
        proxy.stop()
        up.close()
    assert got == server_frames and bytes(up.after_head) == client_frames


# -- the login, checked, printed, recorded -----------------------------------------------------------------------------
async def test_a_subscription_sent_before_the_logins_answer_is_named_by_the_proxy(proxied):
    """Both frames in one write: they pass the proxy before the venue can answer the first."""
    _, proxy = proxied
    sock = await asyncio.to_thread(raw_client, proxy.port)
    frames = [login_frame("bitmart-spot", memo="4471823"), '{"op":"subscribe","args":["spot/user/order:BTC_USDT"]}']
    sock.sendall(b"".join(Frame(Opcode.TEXT, f.encode()).serialize(mask=True, extensions=[]) for f in frames))
    await asyncio.to_thread(until_a_close, sock)  # the venue closes a link whose login failed
    sock.close()
    assert await asyncio.to_thread(proxy.wait_for, 2)
    (login,) = [i for i in proxy.inspections if i.request.method == "WS"]
    assert login.result.ids == ["ws-subscribe-before-login", "memo-uid"] and login.diagnosis.code == 91011


def test_the_login_reaches_the_printer_the_history_and_the_json_like_an_exchange(proxied, capsys):
    """A canary key the venue does not know: the line, the JSON and the history show it only by fingerprint."""
    from tui.commands.proxy import _printer
    from tui.paths import history_path

    _, proxy = proxied
    rng = random.Random(drawn_seed("KEYPROBE_WS_PROXY_CANARY_SEED"))
    key, secret = "cafe" + random_value(rng, 36), random_value(rng, 64)
    proxy.listeners += [_printer(False), _printer(True)]  # what `keyprobe proxy` and `keyprobe proxy --json` print

    async def log_in() -> None:
        async with connect(ws_base(proxy) + SPOT_USER, compression=None, proxy=None) as ws:
            await ws.send(login_frame("bitmart-spot", key=key, secret=secret))
            with contextlib.suppress(ConnectionClosed):
                while True:
                    await ws.recv()

    asyncio.run(log_in())
    assert proxy.wait_for(2)
    printed = capsys.readouterr().out
    ws_line = next(line for line in printed.splitlines() if line.startswith("WS "))
    assert ws_line.startswith("WS  /spot/user?protocol=1.1  91002  sig=unchecked")
    doc = next(json.loads(line) for line in printed.splitlines() if line.startswith("{") and '"websocket"' in line)
    assert doc["method"] == "WS" and doc["diagnosis"]["code"] == 91002 and doc["source"] == "proxy"
    history = history_path().read_text()
    (entry,) = [r for r in map(json.loads, history.splitlines()) if r["notes"].startswith("WebSocket login")]
    assert entry["source"] == "proxy" and entry["code"] == 91002 and entry["status"] == 101
    assert find_leaks([("printed", printed), ("history", history), ("repr", repr(proxy.inspections))], [key, secret]) == []


# -- hostile sides ---------------------------------------------------------------------------------------------------
def masked_header(opcode: int, length: int, rsv1: bool = False) -> bytes:
    first = 0x80 | (0x40 if rsv1 else 0) | opcode
    if length < 126:
        return struct.pack("!BB", first, 0x80 | length) + b"\0\0\0\0"
    return struct.pack("!BBQ", first, 0x80 | 127, length) + b"\0\0\0\0"


def test_a_huge_frame_from_the_client_is_refused_at_its_header_both_sides_told(proxied):
    streams, proxy = proxied
    sock = raw_client(proxy.port)
    tracemalloc.start()
    try:
        sock.sendall(masked_header(0x1, 1 << 40))  # a terabyte announced
        with contextlib.suppress(OSError):
            for _ in range(16):  # 16 MiB actually streamed after it
                sock.sendall(b"x" * MiB)
        got = until_closed(sock)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    sock.close()
    ((code, reason),) = closes_in(got, masked=False)
    assert code == 1009 and reason.startswith("keyprobe proxy: the client sent a frame over the proxy's cap")
    assert peak < 4 * MiB, f"peak {peak / MiB:.1f} MiB while 16 MiB were streamed"
    assert asyncio.run(logs_in(proxy))  # still serving


async def logs_in(proxy: Proxy) -> bool:
    """The proxy still carries a login to the venue and its answer back."""
    async with connect(ws_base(proxy) + SPOT_USER, compression=None, proxy=None) as ws:
        await ws.send(login_frame("bitmart-spot"))
        return zlib.decompressobj(-zlib.MAX_WBITS).decompress(await ws.recv()) == b'{"event":"login"}'


@pytest.mark.parametrize("hostile, code, words", [
    (lambda: struct.pack("!BBQ", 0x82, 127, 1 << 40) + b"y" * MiB, 1014, "the upstream sent a frame over the proxy's cap"),
    (lambda: b"HTTP/1.1 200 OK\r\n\r\n<html>" + b"not frames at all " * 64, 1014, "the upstream sent bytes that are not WebSocket frames"),
    (lambda: b"HTTP/1.1 200 OK\r\n\r\nshort", 1001, "no byte either way for 0.3 s"),  # a frame header never completed
    (lambda: Frame(Opcode.TEXT, b"masked by a server").serialize(mask=True, extensions=[]), 1014, "incorrect masking"),
])
def test_a_hostile_upstream_ends_in_a_close_with_the_reason(hostile, code, words):
    """A 101, then a huge frame, garbage or a client's frame: the client is told why (1014), the upstream too. Garbage
    that reads as the start of a frame that never completes waits for the idle rule (injected: 0.3 s)."""
    def script(conn, up):  # noqa: ANN001
        conn.sendall(hostile())
        up.read_all(conn)

    up = RawUpstream(script)
    proxy = proxy_to(up, idle_timeout_s=0.3)
    try:
        sock = raw_client(proxy.port)
        got = until_closed(sock)
        sock.close()
        assert up.done.wait(30)
    finally:
        proxy.stop()
        up.close()
    ((their_code, reason),) = closes_in(got, masked=False)
    assert their_code == code and words in reason
    ((told_code, _),) = closes_in(bytes(up.after_head), masked=True)  # the upstream got a client's (masked) close
    assert told_code in (1001, 1002, 1009)


def test_an_upstream_that_never_answers_the_upgrade_is_a_502_in_time(monkeypatch):
    monkeypatch.setattr(relay, "UPSTREAM_TIMEOUT_S", 0.3)  # the deadline injected: nothing waits 30 s
    up = RawUpstream(lambda conn, up: None, answer=False)
    proxy = proxy_to(up)
    try:
        with socket.create_connection(("127.0.0.1", proxy.port), timeout=30) as sock:
            sock.sendall(b"GET /spot/user HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                         b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
            answer = until_closed(sock)
    finally:
        proxy.stop()
        up.close()
    assert answer.startswith(b"HTTP/1.1 502") and b"did not answer within 0.3 s" in answer


def test_a_client_that_stops_reading_ends_its_link_and_memory_stays_bounded(proxied):
    streams, proxy = proxied
    proxy.ws.send_timeout_s = 0.3
    sock = raw_client(proxy.port, "/futures/api?protocol=1.1")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    topics = ",".join(f'"futures/depth50:{s}"' for s in ("BTCUSDT", "ETHUSDT"))
    payload = f'{{"action":"subscribe","args":[{topics}]}}'.encode()
    sock.sendall(masked_header(0x1, len(payload)) + payload)
    asyncio.run(until(lambda: any(s.topics for s in streams.sessions) and len(proxy.ws.links) == 1))
    tracemalloc.start()
    try:
        for s in streams.sessions:  # the emulator pushes as fast as it can, and never gives up itself
            s.limits, s.next_push = WsLimits(push_interval_s=0.001, send_timeout_s=60, idle_s=60), 0.0
        asyncio.run(until(lambda: not proxy.ws.links, timeout=20))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    sock.close()
    assert peak < 8 * MiB, f"peak {peak / MiB:.1f} MiB"
    assert proxy.wait_for(2)  # the handshake's exchange, then the link, reported with why the proxy ended it
    (link,) = [i for i in proxy.inspections if i.request.method == "WS"]
    assert link.ended == "the client did not read what was forwarded for 0.3 s"
    assert asyncio.run(logs_in(proxy))


def test_silence_both_ways_ends_the_link_with_a_sentence(proxied):
    _, proxy = proxied
    proxy.ws.idle_timeout_s = 0.3  # the clock injected: the venue's own idle rule is 20 s, the proxy's 60 s

    async def silent() -> tuple[int, str]:
        async with connect(ws_base(proxy) + SPOT_USER, compression=None, proxy=None, ping_interval=None) as ws:
            with pytest.raises(ConnectionClosed):
                await ws.recv()
        return ws.close_code, ws.close_reason

    assert asyncio.run(silent()) == (1001, "no byte either way for 0.3 s")


def test_the_venues_own_refusals_pass_through(proxied):
    """Invalid UTF-8 and a flood are the venue's to judge: its closes (1007, 90007 then 1008) reach the client."""
    streams, proxy = proxied
    streams.limits = WsLimits(max_messages_per_s=20)

    async def run() -> tuple[int | None, int | None, list]:
        async with connect(ws_base(proxy) + SPOT_USER, compression=None, proxy=None) as garbled:
            await garbled.send(b'{"op":"login","args":["\xff\xfe"]}', text=True)
            with pytest.raises(ConnectionClosed):
                await garbled.recv()
        async with connect(ws_base(proxy) + SPOT_USER, compression=None, proxy=None) as flood:
            for _ in range(30):
                with contextlib.suppress(ConnectionClosed):
                    await flood.send("ping")
            answers = []
            with contextlib.suppress(ConnectionClosed):
                while True:
                    got = await flood.recv()
                    answers.append(got if isinstance(got, str) else zlib.decompressobj(-zlib.MAX_WBITS).decompress(got).decode())
        return garbled.close_code, flood.close_code, answers

    utf8, flooded, answers = asyncio.run(run())
    assert utf8 == 1007 and flooded == 1008 and sum("90007" in a for a in answers) == 3


def test_a_compression_bomb_is_inflated_only_to_the_cap():
    """With permessage-deflate accepted by the upstream, its frames are inflated for the reading, up to the frame cap:
    a frame inflating past it ends the link with 1009; without the extension, a compressed frame is not a frame (1002)."""
    engine = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    bomb = engine.compress(b"\0" * (64 * MiB)) + engine.flush(zlib.Z_SYNC_FLUSH)
    bomb = bomb[:-4]  # permessage-deflate drops the sync flush's tail
    frame = struct.pack("!BBQ", 0xC1, 127, len(bomb)) + bomb  # FIN, RSV1 (compressed), text; a server's: unmasked

    def script(conn, up):  # noqa: ANN001
        conn.sendall(frame)
        up.read_all(conn)

    for extensions, code in (("permessage-deflate", 1014), (None, 1014)):
        up = RawUpstream(script, extensions_header=extensions)
        proxy = proxy_to(up)
        tracemalloc.start()
        try:
            sock = raw_client(proxy.port)
            got = until_closed(sock)
            peak = tracemalloc.get_traced_memory()[1]
            sock.close()
        finally:
            tracemalloc.stop()
            proxy.stop()
            up.close()
        ((their_code, reason),) = closes_in(got, masked=False)
        assert their_code == code and ("over the proxy's cap" in reason if extensions else "not WebSocket frames" in reason)
        assert peak < 16 * MiB, f"peak {peak / MiB:.0f} MiB for a 64 MiB bomb"


def test_past_the_link_cap_the_link_whose_client_was_silent_longest_makes_room(proxied):
    """One bot holding every link the proxy carries must not shut a newcomer out (a 503 for every upgrade, before): at
    the cap the link whose client was heard least recently is closed, both sides told why, and the newcomer is carried."""
    _, proxy = proxied
    proxy.ws.max_links = 2

    async def run() -> tuple[ConnectionClosed, str]:
        async with connect(ws_base(proxy) + "/spot/api?protocol=1.1", compression=None, proxy=None) as old, \
                connect(ws_base(proxy) + "/spot/api?protocol=1.1", compression=None, proxy=None) as talker:
            await until(lambda: len(proxy.ws.links) == 2)
            for ws in (old, talker):  # the talker speaks last: the old link's client is the one silent longest
                await ws.send("ping")
                assert await ws.recv() == "pong"
            assert await logs_in(proxy)  # the newcomer is carried to the venue and back
            with pytest.raises(ConnectionClosed) as closed:
                await old.recv()
            await talker.send("ping")
            return closed.value, await talker.recv()

    closed, still = asyncio.run(run())
    assert closed.rcvd.code == 1001 and "to make room for a new link" in closed.rcvd.reason and still == "pong"


def test_the_links_count_in_the_proxys_fair_table(proxied):
    """At the proxy's connection cap, the WebSocket link silent longest makes room for a newcomer, told with 1013."""
    _, proxy = proxied

    async def run() -> tuple[int, str]:
        async with connect(ws_base(proxy) + "/spot/api?protocol=1.1", compression=None, proxy=None, ping_interval=None) as old:
            await until(lambda: proxy._relay.table is not None and any(c.phase.value == "stream" for c in proxy._relay.table.open))
            table = proxy._relay.table
            cap, table.max_total = table.max_total, len(table.open)
            try:
                assert await logs_in(proxy)  # a newcomer is served
                with pytest.raises(ConnectionClosed):
                    await old.recv()
            finally:
                table.max_total = cap
            return old.close_code, old.close_reason

    code, reason = asyncio.run(run())
    assert code == 1013 and "closed to make room for a new connection" in reason and reason.endswith("(stream)")


def test_a_venues_stream_host_may_be_the_upstream_and_only_its_own():
    """BitMart's streams are on hosts of their own: a BitMart profile's proxy may forward to them, a WOO X Pro one not."""
    from keys.hosts import FAMILY_HOSTS
    from tui.proxy import UpstreamRefused
    from tui.proxy.upstream import resolve

    assert resolve("https://openapi-ws-v2.bitmart.com").host == "openapi-ws-v2.bitmart.com"
    assert resolve("https://ws-manager-compress.bitmart.com", FAMILY_HOSTS["bitmart"]).port == 443
    with pytest.raises(UpstreamRefused, match="not a host of the profile's venue"):
        resolve("https://ws-manager-compress.bitmart.com", FAMILY_HOSTS["wooxpro"])
    with pytest.raises(UpstreamRefused, match="only over https"):
        resolve("http://openapi-ws-v2.bitmart.com")
