"""`keyprobe inspect` on WebSocket logins: a frame pasted as JSON, a list of frames, and a HAR's `_webSocketMessages`
(Chrome's format: a binary message base64, spot's raw deflate), the mistakes named, the venue's answer decoded; and a
HAR of what ccxt really sent the emulator."""

from __future__ import annotations

import asyncio
import base64
import json
import zlib

import pytest

from keys.demo import EXAMPLE_KEY, EXAMPLE_MEMO, EXAMPLE_SECRET
from tui.cli import main
from ws_support import captures, login_frame, now_ms, ws_emu  # noqa: F401 - fixtures

V1 = "3ceeb7e1b8cb165a975e28a2e2dfaca4d30b358873c0351c1a071d8c83314556"


@pytest.fixture
def demo_env(monkeypatch):
    monkeypatch.setenv("KEYPROBE_API_KEY", EXAMPLE_KEY)
    monkeypatch.setenv("KEYPROBE_SECRET", EXAMPLE_SECRET)
    monkeypatch.setenv("KEYPROBE_MEMO", EXAMPLE_MEMO)


def inspect_json(tmp_path, capsys, doc, *args: str) -> tuple[int, dict]:  # noqa: ANN001
    path = tmp_path / "input.json"
    path.write_text(json.dumps(doc) if not isinstance(doc, str) else doc)
    code = main(["inspect", str(path), "--json", *args])
    return code, json.loads(capsys.readouterr().out)


def ids(item: dict) -> set[str]:
    return {f["id"] for f in item["findings"]} | set(item["signature"]["variants"])


def test_a_pasted_copy_of_the_documented_example_is_named(tmp_path, capsys):
    frame = {"action": "access", "args": [EXAMPLE_KEY, "1589267764859", V1, "web"]}
    code, doc = inspect_json(tmp_path, capsys, frame)
    (item,) = doc["requests"]
    assert code == 1 and doc["format"] == "ws" and item["kind"] == "websocket"
    assert "ws-documented-example" in ids(item) and item["dialects"] == ["bitmart-futures", "wooxpro"]
    assert "c9faeea6" in item["signature"]["sentence"]  # the frame may be WOO X Pro's: its page's value is named


def test_a_pasted_list_with_a_subscription_before_the_login(tmp_path, capsys, demo_env):
    frames = ['{"op":"subscribe","args":["spot/user/balance:BALANCE_UPDATE"]}', login_frame("bitmart-spot", marker="")]
    code, doc = inspect_json(tmp_path, capsys, frames)
    (item,) = doc["requests"]
    assert code == 1 and {"ws-subscribe-before-login", "ws-marker-rest"} <= ids(item)


def test_the_human_view_names_each_finding(tmp_path, capsys):
    path = tmp_path / "frame.json"
    path.write_text(json.dumps({"op": "login", "args": [EXAMPLE_KEY, str(now_ms())[:10], "ab" * 32]}))
    assert main(["inspect", str(path)]) == 1
    out = capsys.readouterr().out
    assert "WebSocket login" in out and "ws-timestamp-seconds" in out and EXAMPLE_KEY not in out


def har(entries: list) -> dict:
    return {"log": {"version": "1.2", "entries": entries}}


def ws_entry(url: str, messages: list) -> dict:
    return {"request": {"method": "GET", "url": url, "headers": []}, "response": {"status": 101, "headers": []},
            "_webSocketMessages": messages}


def deflated(obj: dict) -> str:
    engine = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return base64.b64encode(engine.compress(json.dumps(obj).encode()) + engine.flush()).decode()


def test_a_har_with_websocket_messages_and_an_http_request(tmp_path, capsys, demo_env):
    sent_at = now_ms() / 1000
    stale = login_frame("bitmart-spot", ts=str(now_ms() - 90_000))  # signed right, 90 s before it was sent
    entries = [
        ws_entry("wss://ws-manager-compress.bitmart.com/user?protocol=1.1", [
            {"type": "send", "time": sent_at, "opcode": 1, "data": stale},
            {"type": "receive", "time": sent_at + 0.05, "opcode": 2,
             "data": deflated({"event": "login", "errorCode": "91022", "errorMessage": "Param timestamp range. Within a minute"})},
        ]),
        ws_entry("wss://openapi-ws-v2.bitmart.com/user?protocol=1.1", [
            {"type": "send", "time": sent_at, "opcode": 1, "data": login_frame("bitmart-spot")},
        ]),
        {"request": {"method": "GET", "url": "https://api-cloud-v2.bitmart.com/system/time", "headers": []},
         "response": {"status": 200, "headers": [], "content": {"text": '{"code":1000,"message":"OK","data":{}}'}}},
    ]
    code, doc = inspect_json(tmp_path, capsys, har(entries))
    by_host = {r["url"].split("/")[2]: r for r in doc["requests"]}
    spot, futures = by_host["ws-manager-compress.bitmart.com"], by_host["openapi-ws-v2.bitmart.com"]
    http = by_host["api-cloud-v2.bitmart.com"]
    assert code == 1 and doc["format"] == "har"
    assert "ws-timestamp-stale" in ids(spot) and spot["signature"]["status"] == "match"  # signed right, sent late
    assert spot["diagnosis"]["code"] == 91022 and spot["dialects"] == ["bitmart-spot"]
    assert "ws-dialect-frame" in ids(futures)  # spot's frame to the futures stream
    assert http["url"].endswith("/system/time") and "kind" not in http


async def test_a_har_of_what_ccxt_sent_names_its_mistake(ws_emu, tmp_path, capsys, demo_env):
    import ccxt.pro

    emu, adapter = ws_emu
    ex = ccxt.pro.bitmart({"apiKey": EXAMPLE_KEY, "secret": EXAMPLE_SECRET, "uid": "4471823"})
    ws = adapter.base_url
    ex.urls["api"] = {"spot": emu.base_url, "swap": emu.base_url, "ws": {
        "spot": {"public": f"{ws}/spot/api", "private": f"{ws}/spot/user?protocol=1.1"}, "swap": {"public": "", "private": ""}}}
    try:
        with pytest.raises(Exception, match="91011"):
            await asyncio.wait_for(ex.watch_orders("BTC/USDT"), 10)
    finally:
        await ex.close()
    (capture,) = captures(adapter)
    messages = [{"type": "send" if m.direction == "sent" else "receive", "time": m.at_ms / 1000, "opcode": 1, "data": m.text}
                for m in capture.messages]
    code, doc = await asyncio.to_thread(inspect_json, tmp_path, capsys, har([ws_entry(capture.url, messages)]), "--uid", "4471823")
    (item,) = doc["requests"]
    assert code == 1 and item["signature"]["variants"] == ["memo-uid"] and item["diagnosis"]["code"] == 91011
    assert "memo-uid" in item["diagnosis"]["fix_evidence"][0]


def test_not_a_frame_is_a_sentence(tmp_path, capsys):
    path = tmp_path / "x.json"
    path.write_text('{"op": "dance"}')
    assert main(["inspect", str(path), "--format", "ws"]) == 2
    assert "not a WebSocket login frame" in capsys.readouterr().err
