"""The emulator's WebSocket side without a socket (tui.emulator.ws.session): each dialect's login answers and the
documented codes for every key state, the close after a refusal, subscriptions and their refusals, pings, the
idle and lifeless closes on a clock the test moves, the flood limit, public pushes, and the private channels fed
by orders placed over REST (the pure handler)."""

from __future__ import annotations

import json

import pytest

from keys.demo import EXAMPLE_KEY, EXAMPLE_MEMO
from tui.emulator import EmulatorState, handle
from tui.emulator.ws.limits import WsLimits
from ws_support import Driver, closes, hand_sign, login_frame, now_ms, objs, text_of


def rest(state, path: str, body: dict) -> dict:  # noqa: ANN001
    """An order placed over REST by the demo key, through the emulator's own handler."""
    text, ts = json.dumps(body, separators=(",", ":")), str(now_ms())
    headers = {"X-BM-KEY": EXAMPLE_KEY, "X-BM-TIMESTAMP": ts, "X-BM-SIGN": hand_sign(f"{ts}#{EXAMPLE_MEMO}#{text}")}
    reply = handle(state, "POST", path, "", headers, text.encode(), "127.0.0.1")
    assert reply.json()["code"] == 1000, reply.json()
    return reply.json()["data"]


@pytest.fixture
def state():
    return EmulatorState()


@pytest.mark.parametrize("market, ok", [("spot", {"event": "login"}), ("futures", {"action": "access", "success": True})])
def test_a_good_login_is_answered_in_its_dialect(state, market, ok):
    d = Driver(state, market)
    outs = d.send(login_frame("bitmart-spot" if market == "spot" else "bitmart-futures"))
    assert objs(outs) == [ok] and closes(outs) == [] and d.session.key.state == "active"
    assert outs[0].kind == ("binary" if market == "spot" else "text")  # spot answers in raw deflate, as BitMart does


def test_wooxpro_verifies_its_own_marker(state):
    woo = EmulatorState("wooxpro")
    assert objs(Driver(woo, "futures").send(login_frame("wooxpro"))) == [{"action": "access", "success": True}]
    refused = Driver(woo, "futures").send(login_frame("wooxpro", marker="bitmart.WebSocket"))
    assert objs(refused) == [{"action": "access", "success": False, "error": "access failed: Param sign is wrong"}]
    assert closes(refused) == [(1000, "login failed: 91011")]


def _key(state, which: str) -> tuple[str, str, str]:  # noqa: ANN001
    listed = state.key(which).listing()  # the demo keys' plaintext listing (public by design)
    return listed["api_key"], listed["secret"], listed["memo"]


@pytest.mark.parametrize("mistake, code", [
    ("unknown key", 91002), ("empty key", 91001), ("frozen", 91003), ("expired", 91004), ("ip-restricted", 30010),
    ("wrong secret", 91011), ("rest marker", 91011), ("empty sign", 91010), ("empty timestamp", 91021),
    ("seconds", 91023), ("stale", 91022), ("future", 91022),
])
def test_each_refusal_has_its_documented_code_and_closes_the_link(state, mistake, code):
    ts = now_ms()
    frame = {
        "unknown key": lambda: login_frame("bitmart-spot", key="ab" * 20),
        "empty key": lambda: login_frame("bitmart-spot", key=""),
        "frozen": lambda: login_frame("bitmart-spot", key=_key(state, "frozen")[0], secret=_key(state, "frozen")[1], memo=_key(state, "frozen")[2]),
        "expired": lambda: login_frame("bitmart-spot", key=_key(state, "expired")[0], secret=_key(state, "expired")[1], memo=_key(state, "expired")[2]),
        "ip-restricted": lambda: login_frame("bitmart-spot", key=_key(state, "ip-restricted")[0], secret=_key(state, "ip-restricted")[1],
                                             memo=_key(state, "ip-restricted")[2]),
        "wrong secret": lambda: login_frame("bitmart-spot", secret="0" * 64),
        "rest marker": lambda: login_frame("bitmart-spot", marker=""),
        "empty sign": lambda: login_frame("bitmart-spot", sign=""),
        "empty timestamp": lambda: login_frame("bitmart-spot", ts=""),
        "seconds": lambda: login_frame("bitmart-spot", ts=str(ts // 1000)),
        "stale": lambda: login_frame("bitmart-spot", ts=str(ts - 61_000)),
        "future": lambda: login_frame("bitmart-spot", ts=str(ts + 61_000)),
    }[mistake]()
    outs = Driver(state).send(frame)
    (answer,) = objs(outs)
    assert answer["event"] == "login" and answer["errorCode"] == str(code)
    assert closes(outs) == [(1000, f"login failed: {code}")]


def test_a_skewed_venue_clock_refuses_a_fresh_login_and_the_window_is_60_s(state):
    state.set_skew(59)
    assert objs(Driver(state).send(login_frame("bitmart-spot")))[0] == {"event": "login"}
    state.set_skew(61)
    assert objs(Driver(state).send(login_frame("bitmart-spot")))[0]["errorCode"] == "91022"


def test_the_other_dialects_frame_is_refused_without_checking_the_key(state):
    spot = Driver(state).send(login_frame("bitmart-futures"))
    assert objs(spot) == [{"event": "", "errorCode": "90002", "errorMessage": "Invalid op param"}] and closes(spot) == []
    futures = Driver(state, "futures").send(login_frame("bitmart-spot"))
    assert objs(futures)[0]["success"] is False and objs(futures)[0]["error"] == "Invalid action []"
    format_page = Driver(EmulatorState("wooxpro"), "futures").send(login_frame("wooxpro", op="login"))
    assert objs(format_page)[0]["error"] == "Invalid action [login]"


def test_a_second_login_is_91005(state):
    d = Driver(state)
    d.send(login_frame("bitmart-spot"))
    assert objs(d.send(login_frame("bitmart-spot")))[0]["errorCode"] == "91005"


@pytest.mark.parametrize("market, private, public", [
    ("spot", "spot/user/order:BTC_USDT", "spot/ticker:BTC_USDT"), ("futures", "futures/order", "futures/ticker:BTCUSDT"),
])
def test_subscriptions_and_their_refusals(state, market, private, public):
    d = Driver(state, market)
    op = "op" if market == "spot" else "action"
    sub = lambda *topics: objs(d.send(json.dumps({op: "subscribe", "args": list(topics)})))  # noqa: E731
    before = sub(private)
    assert (before[0]["errorCode"] == "91006") if market == "spot" else (before[0]["error"] == "User not logged in / User must be logged in")
    d.send(login_frame("bitmart-spot" if market == "spot" else "bitmart-futures"))
    acked = sub(private)
    assert acked[0].get("topic", acked[0].get("group")) == private and "errorCode" not in acked[0]
    duplicate = sub(private)[0]
    assert duplicate.get("errorCode") == "90008" or duplicate.get("error") == "Duplicate subscription"
    first = sub(public)  # the ack, then the first push at once
    assert len(first) == 2 and first[1].get("table", first[1].get("group", "")).startswith(public.partition(":")[0])
    bad_symbol = sub(public.replace("BTC", "DOGE"))[0]
    assert bad_symbol.get("errorCode") == "92001" or "Invalid symbol" in bad_symbol.get("error", "")
    unknown = sub(market + "/nonsense:BTC")[0]
    assert unknown.get("errorCode") == "90004" or "Invalid channel" in unknown.get("error", "")
    many = sub(*[public] * 21)[0]
    assert many.get("errorCode") == "90005" or many.get("error") == "Topic quantity in single subscription exceeds limit"


def test_args_that_are_not_a_list_and_binary_and_bad_json(state):
    d = Driver(state)
    assert objs(d.send('{"op":"subscribe","args":"spot/ticker:BTC_USDT"}'))[0]["errorCode"] == "90003"
    assert objs(d.send(b"\x00\x01"))[0]["errorCode"] == "90001"
    assert objs(d.send('{"op":'))[0]["errorCode"] == "90001"
    assert objs(d.send("[" * 200 + "]" * 200))[0]["errorCode"] == "90001"  # nested too deeply: a sentence, not a crash
    echoed = objs(d.send('{"op":"subscribe","args":["\\udcff\\ud800"]}'))[0]  # lone surrogates, echoed without a UTF-8 error
    assert echoed["errorCode"] == "90004" and echoed["topic"].encode("utf-8")


def test_pings_in_each_dialect(state):
    assert [text_of(o) for o in Driver(state).send("ping")] == ["pong"]
    assert [text_of(o) for o in Driver(state, "futures").send('{"action":"ping"}')] == ['{"group":"System","data":"pong"}']
    assert [text_of(o) for o in Driver(state, "futures").send('{"action": "ping"}')] == ['{"group":"System","data":"pong"}']


def test_idle_and_lifeless_links_are_closed_and_any_bytes_keep_one_alive(state):
    quiet = Driver(state)
    assert quiet.tick(4.9) == []
    assert closes(quiet.tick(0.2)) == [(1000, "no request within 5 s")]
    alive = Driver(state)
    alive.send("ping")
    for _ in range(5):
        alive.now += 15.0
        alive.session.heard(alive.now)  # a ping frame (websockets answers it; the transport says it heard bytes)
        assert alive.session.tick(alive.now) == []
    assert closes(alive.tick(20.0)) == [(1000, "nothing from the client for 20 s")]
    assert alive.send("ping") == [] and alive.tick(100) == []  # closed is closed


def test_a_flood_gets_90007_then_a_close(state):
    d = Driver(state, limits=WsLimits(max_messages_per_s=5, refusals_before_close=2))
    answers = [d.send("ping", after=0.0) for _ in range(9)]
    assert [text_of(a[0]) for a in answers[:5]] == ["pong"] * 5
    assert [objs(a)[0]["errorCode"] for a in answers[5:7]] == ["90007", "90007"]
    assert closes(answers[7]) == [(1008, "more than 5 messages a second")] and answers[8] == []
    slow = Driver(state, limits=WsLimits(max_messages_per_s=5))
    assert all(text_of(slow.send("ping", after=0.25)[0]) == "pong" for _ in range(50))  # within the rate: never refused


def test_a_message_over_the_cap_closes_with_1009(state):
    assert closes(Driver(state).send("x" * 4097)) == [(1009, "a message of 4097 bytes; at most 4096")]


def test_public_pushes_come_every_interval(state):
    d = Driver(state, "futures")
    d.send('{"action":"subscribe","args":["futures/depth5:BTCUSDT","futures/trade:BTCUSDT","futures/klineBin1m:BTCUSDT"]}')
    assert d.session.next_wake() == pytest.approx(d.now + 0.99, abs=0.02)
    assert d.tick(0.5) == []
    pushed = objs(d.tick(0.5))
    depth = [p for p in pushed if p["group"].startswith("futures/depth5")]
    assert [p["data"]["way"] for p in depth] == [1, 2] and len(depth[0]["data"]["depths"]) == 5
    bids, asks = depth[0]["data"]["depths"], depth[1]["data"]["depths"]
    assert float(bids[0]["price"]) < float(asks[0]["price"])
    (kline,) = [p for p in pushed if "kline" in p["group"]]
    item = kline["data"]["items"][0]
    assert float(item["l"]) <= min(float(item["o"]), float(item["c"])) <= max(float(item["o"]), float(item["c"])) <= float(item["h"])
    d.send('{"action":"unsubscribe","args":["futures/depth5:BTCUSDT","futures/trade:BTCUSDT","futures/klineBin1m:BTCUSDT"]}')
    assert d.tick(1.0) == []


def test_an_order_placed_over_rest_shows_on_the_futures_channels(state):
    d = Driver(state, "futures")
    d.send(login_frame("bitmart-futures"))
    d.send('{"action":"subscribe","args":["futures/order","futures/position","futures/asset:USDT","futures/asset:BTC"]}')
    resting = rest(state, "/contract/private/submit-order", {"symbol": "BTCUSDT", "side": 1, "type": "limit", "price": "20000", "size": 1, "leverage": "10"})
    d.session.account_changed()
    assert d.session.next_wake() == float("-inf")
    frames = objs(d.tick(0.01))
    (order,) = [f for f in frames if f["group"] == "futures/order"]
    assert [(o["action"], o["order"]["order_id"], o["order"]["state"]) for o in order["data"]] == [(2, str(resting["order_id"]), 2)]
    assert [f["group"] for f in frames if "asset" in f["group"]] == ["futures/asset:USDT"]  # margin held; not BTC's channel
    rest(state, "/contract/private/submit-order", {"symbol": "BTCUSDT", "side": 1, "type": "market", "size": 2})
    d.session.account_changed()
    frames = objs(d.tick(0.01))
    (order,) = [f for f in frames if f["group"] == "futures/order"]
    assert [(o["action"], o["order"]["deal_size"]) for o in order["data"]] == [(2, "2"), (1, "2")]  # submitted, filled
    (position,) = [f for f in frames if f["group"] == "futures/position"]
    assert [(p["symbol"], p["position_type"], p["hold_volume"]) for p in position["data"]] == [("BTCUSDT", 1, "2")]
    (asset,) = [f for f in frames if f["group"] == "futures/asset:USDT"]
    assert float(asset["data"]["position_deposit"]) > 0
    rest(state, "/contract/private/cancel-order", {"symbol": "BTCUSDT", "order_id": str(resting["order_id"])})
    d.session.account_changed()
    (order,) = [f for f in objs(d.tick(0.01)) if f["group"] == "futures/order"]
    assert [o["action"] for o in order["data"]] == [3]
    d.session.account_changed()
    assert d.tick(0.01) == []  # nothing moved since


def test_a_spot_order_and_its_balances_show_on_the_spot_channels(state):
    d = Driver(state)
    d.send(login_frame("bitmart-spot"))
    d.send('{"op":"subscribe","args":["spot/user/order:BTC_USDT","spot/user/order:ETH_USDT","spot/user/balance:BALANCE_UPDATE"]}')
    placed = rest(state, "/spot/v2/submit_order", {"symbol": "BTC_USDT", "side": "buy", "type": "limit", "size": "0.001", "price": "20000"})
    d.session.account_changed()
    frames = objs(d.tick(0.01))
    orders = [f for f in frames if f["table"] == "spot/user/order"]
    assert [(o["data"][0]["order_id"], o["data"][0]["state"], o["data"][0]["symbol"]) for o in orders] == [(placed["order_id"], "4", "BTC_USDT")]
    balances = [f["data"][0]["balance_details"] for f in frames if f["table"] == "spot/user/balance"]
    assert balances == [[{"av_bal": "9980", "ccy": "USDT", "fz_bal": "20"}]]  # one currency per frame (ccxt reads it so)


def test_the_links_of_one_key_share_one_diff_per_write(state, monkeypatch):
    """Each link diffed the key's whole account (10,000 orders: 6 ms) on its own: 100 links made every REST write
    cost 1.3 s of the emulator's loop, for everyone. Once the links have looked together, one diff serves them all."""
    import tui.emulator.ws.private as private

    links = [Driver(state, "futures") for _ in range(20)]
    for d in links:
        d.send(login_frame("bitmart-futures"))
        d.send('{"action":"subscribe","args":["futures/order"]}')
    diffs, real = [], private.futures_changes
    monkeypatch.setattr(private, "futures_changes", lambda *a: diffs.append(1) or real(*a))
    per_write = []
    for price in ("20000", "20001", "20002"):
        placed = rest(state, "/contract/private/submit-order", {"symbol": "BTCUSDT", "side": 1, "type": "limit", "price": price, "size": 1, "leverage": "10"})
        diffs.clear()
        for d in links:
            d.session.account_changed()
            (order,) = [f for f in objs(d.tick(0.01)) if f["group"] == "futures/order"]
            assert [o["order"]["order_id"] for o in order["data"]] == [str(placed["order_id"])]
        per_write.append(len(diffs))
    assert per_write == [1, 1, 1]  # the links subscribed with one snapshot of the account, so they diff together
