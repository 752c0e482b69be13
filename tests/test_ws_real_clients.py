"""Real clients against the emulator's WebSocket streams on its own port and through `keyprobe proxy`, unmodified but
for their URLs: ccxt 4.5.70's ccxt.pro.bitmart (watch_ticker, watch_orders, watch_positions, watch_balance) and the
official SDK 2.8.0's spot and futures clients. Then mistakes injected into them and into a hand-written client, each
refused by the emulator with its documented code and named by the login check (tui.ws.login_check over
keys.ws_forensics): from what the emulator saw, and by the proxy itself from what it forwarded."""

from __future__ import annotations

import asyncio
import contextlib
import json
import queue
import subprocess
import sys
import threading
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

import ccxt.pro
from ccxt.base.errors import AuthenticationError, BaseError
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from keys.demo import EXAMPLE_KEY, EXAMPLE_MEMO, EXAMPLE_SECRET
from keys.signing import Credentials
from tui.emulator import Emulator
from tui.proxy import Proxy
from tui.ws.login_check import Capture, Message, check
from ws_support import fresh_streams, hand_sign, login_captures, login_frame, now_ms, subscribed, until, woo_emu, ws_emu  # noqa: F401

SDK_CLIENT = Path(__file__).parent / "tools" / "sdk_ws_client.py"
DEMO = [Credentials.of(EXAMPLE_KEY, EXAMPLE_SECRET, EXAMPLE_MEMO)]
UID = "4471823"  # the account UID the mistakes below put where the memo belongs


@dataclass
class Route:
    """Where the clients point: the emulator itself, or `keyprobe proxy` in front of it (REST and WebSocket alike)."""

    emu: Emulator
    streams: object  # the emulator's WebSocket side (its log: what reached the venue)
    base_url: str  # for REST
    ws_base: str  # for the streams
    proxy: Proxy | None


@pytest.fixture(params=["emulator", "proxy"])
def route(request, emu):  # noqa: ANN001, ANN201
    streams = fresh_streams(emu)
    if request.param == "emulator":
        yield Route(emu, streams, emu.base_url, emu.ws_url, None)
        return
    with Proxy(emu.base_url, port=0, uid=UID, history=False) as proxy:
        yield Route(emu, streams, proxy.base_url, f"ws://127.0.0.1:{proxy.port}", proxy)


def pro(route: Route, **overrides) -> ccxt.pro.bitmart:
    ex = ccxt.pro.bitmart({"apiKey": EXAMPLE_KEY, "secret": EXAMPLE_SECRET, "uid": EXAMPLE_MEMO, "enableRateLimit": False,
                           "timeout": 10_000, **overrides})
    ws = route.ws_base
    ex.urls["api"] = {"spot": route.base_url, "swap": route.base_url, "ws": {
        "spot": {"public": f"{ws}/spot/api?protocol=1.1", "private": f"{ws}/spot/user?protocol=1.1"},
        "swap": {"public": f"{ws}/futures/api?protocol=1.1", "private": f"{ws}/futures/user?protocol=1.1"}}}
    return ex


async def test_ccxt_pro_watches_tickers_orders_positions_and_balances(route):
    route.emu.controls.rate_scale = 100
    adapter = route.streams
    ex = pro(route)
    try:
        spot, swap = await ex.watch_ticker("BTC/USDT"), await ex.watch_ticker("BTC/USDT:USDT")
        assert spot["symbol"] == "BTC/USDT" and 0 < spot["bid"] < spot["ask"]
        assert swap["symbol"] == "BTC/USDT:USDT" and swap["last"] > 0

        symbol = "BTC/USDT:USDT"
        watching = asyncio.ensure_future(ex.watch_orders(symbol))
        await until(lambda: subscribed(adapter, "futures/order"))
        placed = await ex.create_order(symbol, "market", "buy", 2)
        orders = await asyncio.wait_for(watching, 10)
        assert placed["id"] in {o["id"] for o in orders} and {o["symbol"] for o in orders} == {symbol}

        watching = asyncio.ensure_future(ex.watch_positions())
        await until(lambda: subscribed(adapter, "futures/position"))
        await ex.create_order(symbol, "market", "buy", 1)
        (position,) = await asyncio.wait_for(watching, 10)
        assert (position["symbol"], position["side"], position["contracts"]) == (symbol, "long", 3)

        watching = asyncio.ensure_future(ex.watch_balance({"type": "swap"}))
        await until(lambda: subscribed(adapter, "futures/asset:USDT"))
        await ex.create_order(symbol, "market", "sell", 3, None, {"reduceOnly": True})
        balance = await asyncio.wait_for(watching, 10)
        assert balance["USDT"]["used"] == 0 and balance["USDT"]["free"] > 0  # the position closed: no margin held

        watching = asyncio.ensure_future(ex.watch_orders("BTC/USDT"))
        await until(lambda: subscribed(adapter, "spot/user/order:BTC_USDT"))
        resting = await ex.create_order("BTC/USDT", "limit", "buy", 0.001, 20000)
        (order,) = await asyncio.wait_for(watching, 10)
        assert (order["id"], order["status"], order["symbol"]) == (resting["id"], "open", "BTC/USDT")
        spot_balance = await asyncio.wait_for(ex.watch_balance({"type": "spot"}), 10)  # ccxt's REST snapshot, then the stream
        assert spot_balance["USDT"]["used"] == 20
    finally:
        await ex.close()


class SdkClient:
    """The SDK's client in a subprocess, its messages read line by line."""

    def __init__(self, url: str, market: str, memo: str, *topics: str) -> None:
        self.proc = subprocess.Popen([sys.executable, str(SDK_CLIENT), url, market, EXAMPLE_KEY, EXAMPLE_SECRET, memo, *topics],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.lines: queue.Queue = queue.Queue()
        threading.Thread(target=lambda: [self.lines.put(json.loads(line)) for line in self.proc.stdout], daemon=True).start()

    def until(self, wanted, timeout: float = 10.0) -> list:  # noqa: ANN001
        """Every message up to and including the first `wanted` accepts (the timeout only stops a broken test)."""
        seen, deadline = [], time.monotonic() + timeout
        while True:
            seen.append(self.lines.get(timeout=max(0.01, deadline - time.monotonic())))
            assert "exception" not in seen[-1], seen[-1]
            if wanted(seen[-1]):
                return seen

    def close(self) -> None:
        self.proc.stdin.close()
        if self.proc.wait(timeout=10) != 0:
            self.proc.kill()


@pytest.mark.parametrize("market, private, public", [
    ("spot", "spot/user/order:BTC_USDT", "spot/ticker:BTC_USDT"), ("futures", "futures/order", "futures/ticker:BTCUSDT"),
])
def test_the_official_sdk_logs_in_subscribes_and_sees_an_order(route, market, private, public):
    sdk = SdkClient(f"{route.ws_base}/{market}/user?protocol=1.1", market, EXAMPLE_MEMO, private, public)
    try:
        seen = sdk.until(lambda m: "data" in m and "ticker" in str(m.get("table", m.get("group"))))
        assert {"event": "login"} in seen or {"action": "access", "success": True} in seen
        import ccxt as rest

        ex = rest.bitmart({"apiKey": EXAMPLE_KEY, "secret": EXAMPLE_SECRET, "uid": EXAMPLE_MEMO})
        ex.urls["api"] = {"spot": route.base_url, "swap": route.base_url}
        if market == "spot":
            placed = ex.create_order("BTC/USDT", "limit", "buy", 0.001, 20000)
        else:
            placed = ex.create_order("BTC/USDT:USDT", "limit", "buy", 1, 20000)
        seen = sdk.until(lambda m: m.get("table") == "spot/user/order" or m.get("group") == "futures/order")
        data = seen[-1]["data"][0]
        assert placed["id"] == (data["order_id"] if market == "spot" else data["order"]["order_id"])
        if market == "futures":  # the spot client swallows its "pong" before the callback; the futures one passes it on
            assert sdk.until(lambda m: m == {"group": "System", "data": "pong"})
    finally:
        sdk.close()


# -- mistakes, named ---------------------------------------------------------------------------------------------------
def named(route: Route, uid: str | None = None) -> tuple[list[str], object]:
    """The mistake's ids and the check: from the emulator's own log, or the one the proxy made of what it forwarded."""
    if route.proxy is not None:
        assert route.proxy.wait_for(2)  # the handshake's exchange, then the link's login
        (login,) = [i for i in route.proxy.inspections if i.request.method == "WS"]
        return login.result.ids, login.result
    (capture,) = login_captures(route.streams)
    result = check(capture, DEMO, uid=uid)
    return result.ids, result


async def test_ccxt_with_the_account_uid_as_memo_is_named_memo_uid(route):
    ex = pro(route, uid=UID)
    try:
        with pytest.raises(BaseError, match="91011"):
            await asyncio.wait_for(ex.watch_orders("BTC/USDT"), 10)
    finally:
        await ex.close()
    ids, result = await asyncio.to_thread(named, route, UID)
    assert ids == ["memo-uid"] and result.diagnosis.code == 91011
    assert "memo" in result.diagnosis.fixes[0].text and "memo-uid" in result.diagnosis.fixes[0].evidence


async def test_ccxt_with_a_newline_after_the_secret_is_named_secret_whitespace(route):
    ex = pro(route, secret=EXAMPLE_SECRET + "\n")
    try:
        with pytest.raises(AuthenticationError):
            await asyncio.wait_for(ex.watch_positions(), 10)
    finally:
        await ex.close()
    ids, result = await asyncio.to_thread(named, route)
    assert ids == ["secret-whitespace"] and result.diagnosis.code == 91011  # the futures words, decoded


def test_the_sdk_with_the_memo_in_capitals_is_named_memo_case(route):
    sdk = SdkClient(f"{route.ws_base}/futures/user?protocol=1.1", "futures", EXAMPLE_MEMO.upper(), "futures/order")
    try:
        seen = sdk.until(lambda m: m.get("action") == "access")
        assert seen[-1] == {"action": "access", "success": False, "error": "access failed: Param sign is wrong"}
    finally:
        sdk.close()
    ids = named(route)[0]
    # The script logs in with timeout=0, so the SDK subscribes at once: the proxy, which sees the frames as the client
    # sent them, may name that too (the emulator answers each in turn: its own log never shows it).
    assert "memo-case" in ids and set(ids) <= {"memo-case", "ws-subscribe-before-login"}


async def hand_written(url: str, *frames: str) -> list:
    """Send each frame, then read until the venue has answered each one or closed the link: a client's own view of
    the conversation, as a HAR records it."""
    messages = []
    async with connect(url, compression=None, proxy=None) as ws:
        for frame in frames:
            await ws.send(frame)
            messages.append(Message("sent", frame, now_ms()))
        with contextlib.suppress(ConnectionClosed):
            while sum(m.direction == "received" for m in messages) < len(frames):
                got = await asyncio.wait_for(ws.recv(), 10)
                text = got if isinstance(got, str) else zlib.decompressobj(-zlib.MAX_WBITS).decompress(got).decode()
                messages.append(Message("received", text, now_ms()))
    return messages


SPOT, FUTURES = "/spot/user?protocol=1.1", "/futures/user?protocol=1.1"
TS = now_ms


@pytest.mark.parametrize("path, frame, code, found", [
    (SPOT, lambda: login_frame("bitmart-spot", marker="wooxpro.WebSocket"), "91011", "ws-marker-other-venue"),
    (SPOT, lambda: login_frame("bitmart-spot", marker=""), "91011", "ws-marker-rest"),
    (FUTURES, lambda: login_frame("bitmart-futures", signed_ts=str(TS())[:10]), "Param sign is wrong", "timestamp-seconds"),
    (SPOT, lambda: login_frame("bitmart-spot", ts=str(TS())[:10]), "91023", "ws-timestamp-seconds"),
    (SPOT, lambda: login_frame("bitmart-spot", sign=hand_sign(f"{(t := str(TS()))}#test001#bitmart.WebSocket").upper(), ts=t),
     "91011", "hex-uppercase"),
    (FUTURES, lambda: login_frame("bitmart-futures", ts="1589267764859", sign="3ceeb7e1b8cb165a975e28a2e2dfaca4d30b358873c0351c1a071d8c83314556"),
     "Within a minute", "ws-documented-example"),
    (SPOT, lambda: login_frame("bitmart-spot", ts=str(TS() - 90_000)), "91022", "ws-timestamp-stale"),
    (SPOT, lambda: login_frame("bitmart-futures"), "90002", "ws-dialect-frame"),
    (FUTURES, lambda: login_frame("bitmart-futures", op="login"), "Invalid action [login]", "ws-format-page-login"),
    (SPOT, lambda: json.dumps({"op": "login", "args": [str(TS()), EXAMPLE_KEY, "ab" * 32]}), "91002", "ws-args-order"),
])
async def test_a_hand_written_clients_mistake_is_refused_and_named(route, path, frame, code, found, tmp_path, monkeypatch):
    """Each mistake: refused by the emulator with its code, named from what reached it and by the proxy; through the
    proxy, also by `keyprobe inspect` of a HAR of the client's own conversation and of the login frame pasted alone."""
    url = route.ws_base + path
    messages = await hand_written(url, frame())
    (capture,) = login_captures(route.streams)
    answers = [m.text for m in capture.messages if m.direction == "received"]
    assert any(code in text for text in answers), answers  # the emulator's documented refusal
    assert found in (await asyncio.to_thread(named, route))[0]
    if route.proxy is None:
        return
    har = {"log": {"version": "1.2", "entries": [{
        "request": {"method": "GET", "url": url, "headers": []}, "response": {"status": 101, "headers": []},
        "_webSocketMessages": [{"type": "send" if m.direction == "sent" else "receive", "time": m.at_ms / 1000, "opcode": 1,
                                "data": m.text} for m in messages]}]}}
    assert found in await asyncio.to_thread(inspected, tmp_path / "client.har", json.dumps(har))
    if found != "ws-dialect-frame":  # a pasted frame has no endpoint to be the other dialect's
        for name in ("KEYPROBE_API_KEY", "KEYPROBE_SECRET", "KEYPROBE_MEMO"):
            monkeypatch.setenv(name, {"KEYPROBE_API_KEY": EXAMPLE_KEY, "KEYPROBE_SECRET": EXAMPLE_SECRET}.get(name, EXAMPLE_MEMO))
        assert found in await asyncio.to_thread(inspected, tmp_path / "frame.json", messages[0].text)


def inspected(path: Path, text: str) -> set[str]:
    """What `keyprobe inspect FILE --json` names in the one capture the file holds (its findings and variants)."""
    import io
    from contextlib import redirect_stdout

    from tui.cli import main

    path.write_text(text)
    out = io.StringIO()
    with redirect_stdout(out):
        main(["inspect", str(path), "--json"])
    (item,) = json.loads(out.getvalue())["requests"]
    return {f["id"] for f in item["findings"]} | set(item["signature"]["variants"])


async def test_a_subscription_before_the_logins_answer_is_named_from_the_clients_own_capture(route):
    url = route.ws_base + SPOT
    messages = await hand_written(url, login_frame("bitmart-spot", memo=""), '{"op":"subscribe","args":["spot/user/order:BTC_USDT"]}')
    result = check(Capture(url, tuple(messages), "hand-written", "har"), DEMO)
    assert "ws-subscribe-before-login" in result.ids and "memo-empty" in result.ids
    assert result.diagnosis.code == 91011
    ids, proxied = await asyncio.to_thread(named, route)  # and the proxy's (or the emulator's) own view of the link
    assert "memo-empty" in ids and proxied.diagnosis.code == 91011  # the order as the proxy sees it: test_ws_proxy.py


def test_the_wooxpro_doc_example_on_wooxpro_names_the_copy_and_the_right_value(woo_emu):
    _, adapter = woo_emu
    frame = login_frame("wooxpro", ts="1589267764859", sign="3ceeb7e1b8cb165a975e28a2e2dfaca4d30b358873c0351c1a071d8c83314556")
    asyncio.run(hand_written(adapter.base_url + FUTURES, frame))
    (capture,) = login_captures(adapter)
    result = check(capture, DEMO)
    assert result.verdict.variants == ("ws-documented-example",)
    assert "c9faeea6ee09e397102923d97841f8a19c1b37e6fc9ec61d15a9908e788ca19e" in result.verdict.sentence
    assert result.dialects == ("bitmart-futures", "wooxpro")  # the path alone cannot tell BitMart's futures from WOO X Pro
