"""The emulated venue behind the gateway: contract validation codes, orders kept per key, the
faults, exact rate-limit counts, and 50 concurrent clients. Real loopback sockets throughout."""

from __future__ import annotations

import asyncio
import json
import threading

import httpx
import pytest

from keys.signing import AuthLevel, Credentials
from keys.venue_signer import VenueSigner
from tui import catalog
from tui.emulator import Emulator

from recorded import expected_message

ORDER = {"symbol": "BTCUSDT", "side": 1, "type": "limit", "leverage": "10", "open_type": "isolated", "size": 1, "price": "20000"}


def send(http: httpx.Client, emu: Emulator, method: str, path: str, *, level=AuthLevel.SIGNED, body=None, query=None, creds: Credentials | None = None) -> httpx.Response:
    content = json.dumps(body, separators=(",", ":")).encode() if body is not None else None
    signer = VenueSigner(creds or emu.demo_credentials(), emu.venue.header_set, level, allowed_hosts=emu.venue.hosts)
    return http.request(method, emu.base_url + path, content=content, params=query, auth=signer)


@pytest.fixture
def http():
    with httpx.Client(timeout=10) as c:
        yield c


def code_of(resp: httpx.Response, flavour: str = "bitmart") -> int:
    body = resp.json()
    row = catalog.lookup(flavour, body["code"])
    assert resp.status_code == row.http_status
    assert body["message"] == expected_message(resp.request.url.path, body["code"], row.message, resp.headers.get("X-BM-RateLimit-Mode"))
    return body["code"]


def submit(http, emu, **changes) -> httpx.Response:
    body = {**ORDER, **changes}
    for k in [k for k, v in changes.items() if v is None]:
        del body[k]
    return send(http, emu, "POST", "/contract/private/submit-order", body=body)


# -- contract validation ----------------------------------------------------------------------------------
@pytest.mark.parametrize("changes,code", [
    ({}, 1000),
    ({"symbol": "DOGEUSDT"}, 40034),
    ({"side": 5}, 40041),
    ({"side": "1"}, 40041),
    ({"type": "stop"}, 40042),
    ({"leverage": "101"}, 40029),
    ({"leverage": "0.5"}, 40030),
    ({"leverage": "ten"}, 40040),
    ({"leverage": None}, 1000),  # no leverage: the symbol's (submit-leverage, default 10) applies, as ccxt relies on
    ({"open_type": "hedged"}, 40045),
    ({"size": 0.5}, 40043),
    ({"size": 0}, 40043),
    ({"price": "20000.05"}, 40043),
    ({"price": "-1"}, 40043),
    ({"client_order_id": "my-order-1"}, 40048),
    ({"client_order_id": "a" * 33}, 40049),
    ({"client_order_id": "a" * 32}, 1000),
    ({"size": 1000, "leverage": "1"}, 40027),  # 1000 x 0.001 BTC x 20000 / 1 = 20000 USDT > 1000
    ({"side": 3}, 40020),  # closing a long that does not exist
    ({"side": 2}, 40020),  # closing a short that does not exist
    ({"type": "market", "price": None}, 1000),
    ({"symbol": None}, 40011),
])
def test_submit_order_validation(http, emu, changes, code):
    assert code_of(submit(http, emu, **changes)) == code


def test_wooxpro_flavour_uses_the_same_contract_codes():
    with Emulator("wooxpro") as wx, httpx.Client() as http:
        assert code_of(submit(http, wx, side=9), "wooxpro") == 40041


def test_duplicate_client_order_id(http, emu):
    assert code_of(submit(http, emu, client_order_id="abc123")) == 1000
    assert code_of(submit(http, emu, client_order_id="abc123")) == 40050


def test_orders_are_consistent_per_key(http, emu):
    resp = submit(http, emu, client_order_id="c1")
    order_id = str(resp.json()["data"]["order_id"])
    query = {"symbol": "BTCUSDT", "order_id": order_id}
    got = send(http, emu, "GET", "/contract/private/order", level=AuthLevel.KEYED, query=query).json()
    assert got["code"] == 1000 and got["data"]["client_order_id"] == "c1" and got["data"]["state"] == 2
    # the margin is held: 1 x 0.001 x 20000 / 10 = 2 USDT
    assets = send(http, emu, "GET", "/contract/private/assets-detail", level=AuthLevel.KEYED).json()["data"][0]
    assert (assets["available_balance"], assets["frozen_balance"]) == ("998", "2")
    # another key does not see it
    other = emu.demo_credentials("read-only")
    assert code_of(send(http, emu, "GET", "/contract/private/order", level=AuthLevel.KEYED, query=query, creds=other)) == 40035
    cancel = {"symbol": "BTCUSDT", "order_id": order_id}
    assert code_of(send(http, emu, "POST", "/contract/private/cancel-order", body=cancel)) == 1000
    assert code_of(send(http, emu, "POST", "/contract/private/cancel-order", body=cancel)) == 40036
    got = send(http, emu, "GET", "/contract/private/order", level=AuthLevel.KEYED, query=query).json()
    assert got["data"]["state"] == 4
    assets = send(http, emu, "GET", "/contract/private/assets-detail", level=AuthLevel.KEYED).json()["data"][0]
    assert assets["available_balance"] == "1000"


def test_unknown_orders(http, emu):
    query = {"symbol": "BTCUSDT", "order_id": "999"}
    assert code_of(send(http, emu, "GET", "/contract/private/order", level=AuthLevel.KEYED, query=query)) == 40035
    assert code_of(send(http, emu, "POST", "/contract/private/cancel-order", body=query)) == 40037


def test_transfer_out_beyond_balance_is_42000_with_http_200(http, emu):
    emu.controls.rate_scale = 10  # two transfers in a row: the documented limit is 1 per 2 s
    body = {"currency": "USDT", "amount": "1000.01", "type": "contract_to_spot"}
    resp = send(http, emu, "POST", "/account/v1/transfer-contract", body=body)
    assert code_of(resp) == 42000 and resp.status_code == 200
    assert code_of(send(http, emu, "POST", "/account/v1/transfer-contract", body={**body, "amount": "1000"})) == 1000


@pytest.mark.parametrize("amount", [None, "lots", "-1", "0"])
def test_a_transfer_woo_x_pro_cannot_read_answers_a_row_it_documents(http, amount):
    """BitMart answers a bad transfer with its funding table (60000, 61000), which WOO X Pro does not document:
    the WOO X Pro venue answers a row it does document, 40011 "Invalid request", never an HTTP 500 for a code it lacks."""
    body = {"currency": "USDT", "type": "contract_to_spot", **({"amount": amount} if amount is not None else {})}
    with Emulator(flavour="wooxpro") as woo:
        resp = send(http, woo, "POST", "/account/v1/transfer-contract", body=body)
    assert code_of(resp, "wooxpro") == 40011 and resp.status_code == 400, resp.text


def test_contract_details_symbol_filter(http, emu):
    all_symbols = http.get(emu.base_url + "/contract/public/details").json()["data"]["symbols"]
    assert {s["symbol"] for s in all_symbols} == {"BTCUSDT", "ETHUSDT"}
    one = http.get(emu.base_url + "/contract/public/details", params={"symbol": "ETHUSDT"}).json()["data"]["symbols"]
    assert [s["symbol"] for s in one] == ["ETHUSDT"]
    assert code_of(http.get(emu.base_url + "/contract/public/details", params={"symbol": "XYZ"})) == 40034


def test_service_status_shows_maintenance(http, emu):
    statuses = lambda: {s["status"] for s in http.get(emu.base_url + "/system/service").json()["data"]["service"]}  # noqa: E731
    assert statuses() == {2}
    emu.controls.maintenance = True
    assert statuses() == {1}
    assert code_of(http.get(emu.base_url + "/contract/public/details")) == 30016


# -- faults -----------------------------------------------------------------------------------------------
def test_html502(http, emu):
    emu.controls.fault = "html502"
    resp = http.get(emu.base_url + "/system/time")
    assert resp.status_code == 502 and resp.headers["Content-Type"] == "text/html"
    assert b"<title>502 Bad Gateway</title>" in resp.content and resp.headers["Server"] == "nginx"
    with pytest.raises(json.JSONDecodeError):
        resp.json()


def test_reset_closes_without_an_answer(http, emu):
    emu.controls.fault = "reset"
    with pytest.raises(httpx.ReadError, match="reset"):  # a real RST, not a polite FIN
        http.get(emu.base_url + "/system/time")
    emu.controls.fault = None
    assert http.get(emu.base_url + "/system/time").json()["code"] == 1000  # the client recovers


def test_slow_body_trips_a_short_read_timeout(emu):
    emu.controls.fault = "slow-body"
    with httpx.Client(timeout=httpx.Timeout(5, read=0.2)) as http:
        with http.stream("GET", emu.base_url + "/system/time") as resp:
            assert resp.status_code == 200 and resp.headers["Connection"] == "close"
            with pytest.raises(httpx.ReadTimeout):
                resp.read()


def test_slow_body_arrives_whole_with_patience(emu):
    emu.controls.fault = "slow-body"
    emu.controls.slow_body_gap_s = 0.01
    with httpx.Client(timeout=5) as http:
        assert http.get(emu.base_url + "/system/time").json()["code"] == 1000


def test_huge_body(http, emu):
    emu.controls.fault = "huge-body"
    resp = http.get(emu.base_url + "/contract/private/order-history")
    assert int(resp.headers["Content-Length"]) == len(resp.content) >= 20 * 1024 * 1024
    body = resp.json()
    assert body["code"] == 1000 and len(body["data"]) > 100_000


def test_latency_is_added_on_both_legs(http, monkeypatch):
    """The emulator waits latency_ms before handling the request and again before answering: its waits are
    recorded (no wall-clock bound, which a loaded machine or a fast one could make lie). An emulator of its
    own, whose loop's waits alone are recorded: the shared one may still be trickling an earlier test's slow body."""
    import asyncio

    from tui.emulator import server

    waits: list[float] = []
    real_sleep = asyncio.sleep

    async def recorded(delay, *args, **kwargs):
        if asyncio.get_running_loop() is emu._server.loop:  # this emulator's waits, not the shared one's
            waits.append(delay)
        return await real_sleep(delay, *args, **kwargs)

    with Emulator() as emu:
        _latency_on_both_legs(http, emu, monkeypatch, server, recorded, waits)


def _latency_on_both_legs(http, emu, monkeypatch, server, recorded, waits) -> None:
    http.get(emu.base_url + "/system/time")  # warm connection
    emu.controls.latency_ms = 100
    monkeypatch.setattr(server.asyncio, "sleep", recorded)
    assert http.get(emu.base_url + "/system/time").json()["code"] == 1000
    assert waits == [0.1, 0.1]  # the request's leg, then the answer's
    emu.controls.response_extra_ms = 50
    waits.clear()
    http.get(emu.base_url + "/system/time")
    assert waits == [0.1, 0.15]  # the extra on the answer's leg only


# -- rate limits ------------------------------------------------------------------------------------------
def test_rate_limit_counts_and_418_after_repeated_429s(http, emu):
    emu.controls.rate_limit = 3
    emu.controls.block_after_429 = 2
    seen = []
    for _ in range(7):
        resp = send(http, emu, "GET", "/contract/private/assets-detail", level=AuthLevel.KEYED)
        seen.append((code_of(resp), int(resp.headers["X-BM-RateLimit-Remaining"]), resp.headers["X-BM-RateLimit-Limit"]))
    assert [s[0] for s in seen] == [1000, 1000, 1000, 30013, 30013, 30017, 30017]
    assert [s[1] for s in seen] == [1, 2, 3, 3, 3, 3, 3]  # Remaining counts the window's requests, never past the limit
    assert {s[2] for s in seen} == {"3"}
    # buckets: another key, and the anonymous IP, have windows of their own
    other = send(http, emu, "GET", "/contract/private/assets-detail", level=AuthLevel.KEYED, creds=emu.demo_credentials("read-only"))
    assert code_of(other) == 1000 and other.headers["X-BM-RateLimit-Remaining"] == "1"
    assert http.get(emu.base_url + "/system/time").headers["X-BM-RateLimit-Remaining"] == "1"


# -- load -------------------------------------------------------------------------------------------------
def test_fifty_threads_get_consistent_orders(emu):
    emu.controls.rate_scale = 100  # 50 submits at once: beyond the documented 24 per 2 s
    errors: list[str] = []
    barrier = threading.Barrier(50, timeout=30)

    def worker(n: int) -> None:
        with httpx.Client(timeout=30) as http:
            barrier.wait()
            coid = f"load{n}"
            placed = submit(http, emu, client_order_id=coid).json()
            if placed["code"] != 1000:
                errors.append(f"{n} submit {placed}")
                return
            order_id = str(placed["data"]["order_id"])
            query = {"symbol": "BTCUSDT", "order_id": order_id}
            got = send(http, emu, "GET", "/contract/private/order", level=AuthLevel.KEYED, query=query).json()
            if got["data"]["client_order_id"] != coid:
                errors.append(f"{n} query {got}")
            if send(http, emu, "POST", "/contract/private/cancel-order", body=query).json()["code"] != 1000:
                errors.append(f"{n} cancel")

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with httpx.Client() as http:
        history = send(http, emu, "GET", "/contract/private/order-history", level=AuthLevel.KEYED).json()["data"]
        assets = send(http, emu, "GET", "/contract/private/assets-detail", level=AuthLevel.KEYED).json()["data"][0]
    assert len(history) == 50 and len({o["order_id"] for o in history}) == 50
    assert {o["state"] for o in history} == {4} and assets["available_balance"] == "1000"


async def test_fifty_async_clients_rate_counts_are_exact(emu):
    emu.controls.rate_limit = 120
    emu.controls.block_after_429 = 10**6
    creds = emu.demo_credentials()

    async def client() -> list[tuple[int, int]]:
        out = []
        async with httpx.AsyncClient(base_url=emu.base_url, timeout=30) as http:
            for _ in range(4):
                signer = VenueSigner(creds, emu.venue.header_set, AuthLevel.KEYED)
                resp = await http.get("/contract/private/assets-detail", auth=signer)
                out.append((resp.json()["code"], int(resp.headers["X-BM-RateLimit-Remaining"])))
        return out

    results = [r for batch in await asyncio.gather(*(client() for _ in range(50))) for r in batch]
    codes = [c for c, _ in results]
    assert codes.count(1000) == 120 and codes.count(30013) == 80
    # every count up to the limit given exactly once, then the limit (Remaining never climbs past it)
    assert sorted(n for code, n in results if code == 1000) == list(range(1, 121))
    assert [n for code, n in results if code != 1000] == [120] * 80 and emu.state.limiter.counted == 200


@pytest.mark.parametrize("body,code", [
    ({"currency": "USDT", "amount": "1", "transferType": "spot_to_contract"}, 1000),  # the field as WOO X Pro's page names it
    ({"currency": "USDT", "amount": "1", "type": "spot_to_contract"}, 1000),  # as its older crawl (and BitMart) did
    ({"currency": "BTC", "amount": "1", "transferType": "spot_to_contract"}, 40011),
    ({"currency": "USDT", "amount": "a lot", "transferType": "spot_to_contract"}, 40011),
    ({"currency": "USDT", "amount": "-1", "transferType": "spot_to_contract"}, 40011),
    ({"currency": "USDT", "amount": "1e99", "transferType": "contract_to_spot"}, 42000),
], ids=["transferType", "type", "currency", "amount-text", "amount-negative", "amount-huge"])
def test_wooxpro_transfers_answer_from_its_own_table(body, code):
    """Fresh-eyes attack on 26ca1db: the WOO X Pro flavour answered every refused transfer (and every transfer sent
    with its page's `transferType`) with a 500 "internal error: LookupError": 60000 is in no WOO X Pro table."""
    with Emulator("wooxpro") as wx, httpx.Client(timeout=10) as http:
        resp = send(http, wx, "POST", "/account/v1/transfer-contract", body=body)
        assert resp.status_code != 500 and code_of(resp, "wooxpro") == code


def test_a_key_keeps_its_newest_closed_orders_and_every_open_one(http, emu, monkeypatch):
    # Orders placed and cancelled for hours grew the emulator without end, each order slower than the last
    # (fresh-eyes attack on a78773c): past KEEP_HISTORY the oldest closed orders are forgotten.
    from tui.emulator import accounts

    monkeypatch.setattr(accounts, "KEEP_HISTORY", 4)
    resting = str(submit(http, emu, client_order_id="rests").json()["data"]["order_id"])
    placed = [str(submit(http, emu).json()["data"]["order_id"]) for _ in range(9)]
    for order_id in placed:
        assert code_of(send(http, emu, "POST", "/contract/private/cancel-order", body={"symbol": "BTCUSDT", "order_id": order_id})) == 1000
    submit(http, emu)  # the next order trims
    listed = send(http, emu, "GET", "/contract/private/order-history", level=AuthLevel.KEYED, query={"symbol": "BTCUSDT"}).json()
    kept = {str(o["order_id"]) for o in listed["data"]}
    assert resting not in kept and set(placed[-2:]) <= kept and not set(placed[:7]) & kept  # history lists closed ones
    query = {"symbol": "BTCUSDT", "order_id": resting}
    assert send(http, emu, "GET", "/contract/private/order", level=AuthLevel.KEYED, query=query).json()["data"]["state"] == 2


def test_open_futures_orders_per_key_stop_at_the_emulators_cap_with_40028(http, emu, monkeypatch):
    # A resting order at a far price holds almost no margin: one client could rest a billion of them, each
    # submit slower than the last (third attack on a9b9dc9). Cancelling one makes room again.
    from tui.emulator import accounts

    monkeypatch.setattr(accounts, "MAX_OPEN_FUTURES_ORDERS", 3)
    placed = [submit(http, emu).json()["data"]["order_id"] for _ in range(3)]
    over = submit(http, emu).json()
    assert over["code"] == 40028 and "maximum limit" in over["message"]
    cancel = {"symbol": "BTCUSDT", "order_id": str(placed[0])}
    assert code_of(send(http, emu, "POST", "/contract/private/cancel-order", body=cancel)) == 1000
    assert submit(http, emu).json()["code"] == 1000


def test_open_spot_orders_per_key_stop_at_the_emulators_cap_with_51008(http, emu, monkeypatch):
    # A far sell of 0.00001 BTC rests: the demo balances rest ~100,000, and each open-orders query then held the
    # emulator's lock for 0.2 s (fourth attack on 1bad83c). Cancelling one makes room again.
    from tui.emulator import accounts

    monkeypatch.setattr(accounts, "MAX_OPEN_SPOT_ORDERS", 3, raising=False)
    far_sell = {"symbol": "BTC_USDT", "side": "sell", "type": "limit", "size": "0.00001", "price": "1000000"}
    placed = [send(http, emu, "POST", "/spot/v2/submit_order", body=far_sell).json()["data"]["order_id"] for _ in range(3)]
    over = send(http, emu, "POST", "/spot/v2/submit_order", body=far_sell)
    assert code_of(over) == 51008
    cancel = {"symbol": "BTC_USDT", "order_id": placed[0]}
    assert code_of(send(http, emu, "POST", "/spot/v3/cancel_order", body=cancel)) == 1000
    assert code_of(send(http, emu, "POST", "/spot/v2/submit_order", body=far_sell)) == 1000
