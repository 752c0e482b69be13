"""Shared by the WebSocket tests: a session driver for the transport-free emulator side, hand-written login frames
(each with one known mistake), and the emulator's WebSocket streams on its own port (one emulator per worker)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import zlib

import pytest

from keys.demo import EXAMPLE_KEY, EXAMPLE_MEMO, EXAMPLE_SECRET
from tui.emulator.ws.limits import WsLimits
from tui.emulator.ws.session import WsSession, dialect_of

MARKERS = {"bitmart-spot": "bitmart.WebSocket", "bitmart-futures": "bitmart.WebSocket", "wooxpro": "wooxpro.WebSocket"}


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def hand_sign(preimage: str, secret: str = EXAMPLE_SECRET) -> str:
    """A signer written here, not keyprobe's: the tests must not grade keyprobe's rule with itself."""
    return hmac.new(secret.encode(), preimage.encode(), hashlib.sha256).hexdigest()


def login_frame(dialect: str, *, key: str = EXAMPLE_KEY, ts: str | int | None = None, memo: str = EXAMPLE_MEMO,
                marker: str | None = None, secret: str = EXAMPLE_SECRET, sign: str | None = None, op: str | None = None,
                signed_ts: str | None = None, extra: tuple = ("web",)) -> str:
    ts = str(now_ms()) if ts is None else ts
    marker = MARKERS[dialect] if marker is None else marker
    sign = hand_sign(f"{signed_ts or ts}#{memo}#{marker}", secret) if sign is None else sign
    if dialect == "bitmart-spot":
        return json.dumps({"op": op or "login", "args": [key, ts, sign]})
    return json.dumps({"action": op or "access", "args": [key, ts, sign, *extra]})


def text_of(out) -> str:  # noqa: ANN001 - a session Out
    assert out.kind in ("text", "binary"), out
    return zlib.decompressobj(-zlib.MAX_WBITS).decompress(out.data).decode() if out.kind == "binary" else out.data


def objs(outs) -> list:  # noqa: ANN001
    return [json.loads(text_of(o)) for o in outs if o.kind != "close"]


def closes(outs) -> list:  # noqa: ANN001
    return [o.data for o in outs if o.kind == "close"]


class Driver:
    """A WsSession with a clock the test moves: no socket, no sleeping."""

    def __init__(self, state, market: str = "spot", limits: WsLimits = WsLimits(), ip: str = "127.0.0.1") -> None:  # noqa: ANN001
        self.now = 1000.0
        self.session = WsSession(state, dialect_of(state.flavour, market), ip, limits, self.now)

    def send(self, message, after: float = 0.01):  # noqa: ANN001, ANN201
        self.now += after
        return self.session.receive(message, self.now)

    def tick(self, after: float):  # noqa: ANN001, ANN201
        self.now += after
        return self.session.tick(self.now)


def fresh_streams(emu, limits: WsLimits = WsLimits()):  # noqa: ANN001, ANN201
    """The emulator's WebSocket side with its log emptied and `limits` for the links opened from now on."""
    streams = emu.streams
    streams.log.clear()
    streams.closes.clear()
    streams.limits = limits
    return streams


@pytest.fixture
def ws_emu(emu):  # noqa: ANN001, ANN201
    """(the emulator, its WebSocket streams on the same port), the venue fresh for each test."""
    yield emu, fresh_streams(emu)
    emu.streams.limits = WsLimits()


@pytest.fixture
def woo_emu(shared_wooxpro):  # noqa: ANN001, ANN201
    """(a WOO X Pro emulator, its streams), fresh for each test: one per worker, as `emu` is."""
    shared_wooxpro.state.reset()
    yield shared_wooxpro, fresh_streams(shared_wooxpro)
    shared_wooxpro.state.reset()


def captures(adapter) -> list:  # noqa: ANN001 - WsStreams -> [tui.ws.login_check.Capture], one per link, oldest first
    """What the emulator saw on each link, as the capture `inspect` would read from a HAR."""
    from tui.ws.login_check import Capture, Message

    links: dict[int, list] = {}
    for entry in list(adapter.log):
        links.setdefault(entry.link, []).append(entry)
    out = []
    for number, entries in sorted(links.items()):
        messages = tuple(Message(e.direction, e.message if isinstance(e.message, str) else None, e.at_ms) for e in entries)
        out.append(Capture(adapter.base_url + entries[0].path, messages, f"link {number}", "emulator"))
    return out


def login_captures(adapter) -> list:  # noqa: ANN001
    """The captures whose client sent a login."""
    return [c for c in captures(adapter) if any(m.direction == "sent" and m.text and ('"login"' in m.text or '"access"' in m.text)
                                                 for m in c.messages)]


async def until(condition, timeout: float = 10.0) -> None:  # noqa: ANN001
    """Wait for `condition()` (polled every 10 ms); the timeout only stops a broken test from hanging."""
    import asyncio

    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the condition never came true"
        await asyncio.sleep(0.01)


def subscribed(adapter, topic: str) -> bool:  # noqa: ANN001
    return any(topic in s.topics for s in list(adapter.sessions))
