"""A query typed as text is sent, and signed, exactly as written: `send GET '/p?a=b%20c'` no longer goes
out as `a=b+c`, so a bot's failing GET can be reproduced byte for byte."""

from __future__ import annotations

import json

from keys.demo import demo_key
from tui.records import history, saved
from tui.cli import main
from tui.exchange import Draft
from tui.transport.wire import send_once


def recording(monkeypatch, wanted_path: str):
    """The queries the shared emulator receives on `wanted_path`. Filtered by path: a request an earlier
    test gave up on (its deadline passed while the emulator slept on injected latency) can still reach
    the handler during this test."""
    import tui.emulator.server as server

    seen = []
    real = server.handle

    def handle(state, method, path, query, headers, body, client):
        if path == wanted_path:
            seen.append(query)
        return real(state, method, path, query, headers, body, client)

    monkeypatch.setattr(server, "handle", handle)
    return seen


def test_send_cli_keeps_the_typed_query(emu, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("KEYPROBE_HOME", str(tmp_path))
    seen = recording(monkeypatch, "/contract/private/order-history")
    code = main(["send", "GET", "/contract/private/order-history?symbol=BTCUSDT&note=a%20b,c+d", "--query", "x=1 2",
                 "--venue", "emulator", "--base-url", emu.base_url, "--emulator-flavour", "bitmart", "--json"])
    capsys.readouterr()
    assert code == 0
    assert seen == ["symbol=BTCUSDT&note=a%20b,c+d&x=1+2"]
    entry = history.read().entries[-1]
    assert entry["raw_query"] == "symbol=BTCUSDT&note=a%20b,c+d&x=1+2"  # a replay sends the same bytes


def test_signed_get_signs_the_raw_query(emu, monkeypatch):
    seen = recording(monkeypatch, "/contract/private/order")
    draft = Draft(emu.venue, "GET", "/contract/private/order", (("symbol", "BTCUSDT"), ("order_id", "23")),
                  auth=None, raw_query="order_id=23&symbol=BTCUSDT")
    from keys.signing import AuthLevel

    exchange = send_once(draft._replace(auth=AuthLevel.SIGNED), demo_key().credentials)
    assert seen == ["order_id=23&symbol=BTCUSDT"]
    assert exchange.request.evidence.payload == "order_id=23&symbol=BTCUSDT"


def test_saved_request_round_trips_the_raw_query(emu, tmp_path):
    draft = Draft(emu.venue, "GET", "/p", (("a", "b c"),), raw_query="a=b%20c")
    loaded = saved.load(saved.save(draft, "exact", tmp_path))
    assert loaded.draft.raw_query == "a=b%20c" and loaded.draft.url.endswith("/p?a=b%20c")
    plain = saved.load(saved.save(Draft(emu.venue, "GET", "/p", (("a", "b c"),)), "plain", tmp_path))
    assert plain.draft.raw_query is None and plain.draft.url.endswith("/p?a=b+c")
    assert "raw_query" not in json.loads((tmp_path / "plain.request.json").read_text())
