"""Per-endpoint rate limits (counts and windows from tui.endpoints.LIMITS), per key vs per IP, the four
headers, 429 then 418, the scale switch; recvWindow's four outcomes; WOO X Pro's two header dialects;
the SIGNED GET route. Real loopback sockets; time moves through the limiter's injectable clock."""

from __future__ import annotations

import json

import httpx
import pytest

from keys.signing import BITMART_HEADERS, WOOXPRO_HEADERS, AuthLevel, Credentials, OffsetClock
from keys.venue_signer import VenueSigner
from tui import endpoints
from tui.emulator import Emulator
from tui.emulator.codes import spot_rows

SUBMIT = "/contract/private/submit-order"
ASSETS = "/contract/private/assets-detail"
ORDER = {"symbol": "BTCUSDT", "side": 1, "type": "limit", "open_type": "isolated", "size": 1, "price": "20000"}


class Clock:
    """The limiter's monotonic clock, moved by hand."""

    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def clock(emu):
    c = Clock()
    emu.state.monotonic = c  # the limiter's clock
    assert emu.state.limiter.monotonic is c
    yield c


@pytest.fixture
def http():
    with httpx.Client(timeout=10) as c:
        yield c


def send(http, emu, method, path, *, level=AuthLevel.SIGNED, body=None, query=None, creds=None, header_set=None, clock=None):
    content = json.dumps(body, separators=(",", ":")).encode() if body is not None else None
    signer = VenueSigner(creds or emu.demo_credentials(), header_set or emu.venue.header_set, level, clock=clock)
    return http.request(method, emu.base_url + path, content=content, params=query, auth=signer)


def keyed(http, emu, path=ASSETS, **kw):
    return send(http, emu, "GET", path, level=AuthLevel.KEYED, **kw)


def limits(resp: httpx.Response) -> tuple[int, int, str, str]:
    h = resp.headers
    return int(h["X-BM-RateLimit-Remaining"]), int(h["X-BM-RateLimit-Limit"]), h["X-BM-RateLimit-Reset"], h["X-BM-RateLimit-Mode"]


# -- rate limits -----------------------------------------------------------------------------------------
def test_an_exhausted_endpoint_leaves_another_usable(http, emu, clock):
    emu.controls.rate_scale = 0.25  # assets-detail: 12 per 2 s -> 3; submit-order: 24 -> 6
    codes = [keyed(http, emu).json()["code"] for _ in range(4)]
    assert codes == [1000, 1000, 1000, 30013]
    placed = send(http, emu, "POST", SUBMIT, body=ORDER)
    assert placed.json()["code"] == 1000 and limits(placed) == (1, 6, "2", "UID")
    assert keyed(http, emu).status_code == 429  # still exhausted, while submit-order was fine


def test_the_window_and_count_come_from_the_table_and_the_window_resets(http, emu, clock):
    documented = endpoints.lookup("GET", ASSETS).rate_limit
    assert (documented.count, documented.window_s) == (12, 2.0)
    for n in range(1, 13):
        assert limits(keyed(http, emu)) == (n, 12, "2", "UID")
    assert keyed(http, emu).json()["code"] == 30013
    clock.t += 1.999
    assert keyed(http, emu).status_code == 429  # same window
    clock.t += 0.001
    resp = keyed(http, emu)
    assert resp.json()["code"] == 1000 and limits(resp)[0] == 1


def test_per_key_and_per_ip(http, emu, clock):
    emu.controls.rate_scale = 0.2  # the default 10 per second -> 2; futures public 12 per 2 s -> 2 (per IP)
    anonymous = [http.get(emu.base_url + "/system/time") for _ in range(3)]
    assert [r.json()["code"] for r in anonymous] == [1000, 1000, 30013]
    assert limits(anonymous[0])[3] == "IP"
    # a valid key counts on its own, even from the same IP, and each key apart
    assert limits(keyed(http, emu, "/contract/private/get-open-orders")) == (1, 2, "1", "UID")
    other = keyed(http, emu, "/contract/private/get-open-orders", creds=emu.demo_credentials("read-only"))
    assert limits(other)[0] == 1
    # an invalid key counts against the IP
    wrong = keyed(http, emu, "/contract/private/get-open-orders", creds=Credentials.of("0" * 40, "s", "m"))
    assert wrong.json()["code"] == 30002 and limits(wrong)[3] == "IP"
    # futures public endpoints count per IP whatever key is sent
    for _ in range(2):
        keyed(http, emu, "/contract/public/details")
    resp = keyed(http, emu, "/contract/public/details")
    assert resp.json()["code"] == 30013 and limits(resp)[3] == "IP"


def test_418_after_repeated_429s_until_the_window_ends(http, emu, clock):
    emu.controls.rate_scale = 0.1  # transfer 1 per 2 s stays 1; the default 10/s -> 1
    emu.controls.block_after_429 = 2
    seen = [http.get(emu.base_url + "/system/service") for _ in range(5)]
    assert [(r.status_code, r.json()["code"]) for r in seen] == [(200, 1000), (429, 30013), (429, 30013), (418, 30017), (418, 30017)]
    clock.t += 1
    assert http.get(emu.base_url + "/system/service").json()["code"] == 1000


def test_the_scale_switch_multiplies_every_limit(http, emu, clock):
    emu.controls.rate_scale = 3
    assert limits(keyed(http, emu))[1] == 36 and limits(http.get(emu.base_url + "/system/time"))[1] == 30
    assert limits(send(http, emu, "POST", "/account/v1/transfer-contract", body={"currency": "USDT", "amount": "1", "type": "spot_to_contract"}))[1] == 3


def test_wooxpro_sends_the_same_figures_under_both_prefixes(clock):
    with Emulator("wooxpro") as wx, httpx.Client() as http:
        wx.state.limiter.monotonic = clock
        resp = http.get(wx.base_url + "/contract/public/details")
        for name in ("Remaining", "Limit", "Reset", "Mode"):
            assert resp.headers[f"X-API-RateLimit-{name}"] == resp.headers[f"X-BM-RateLimit-{name}"]


def test_every_endpoint_names_a_known_limit_and_permission():
    for e in endpoints.ENDPOINTS:
        assert e.limit in endpoints.LIMITS, e.label
        assert (e.permission is None) == (e.auth is AuthLevel.NONE), e.label
        assert e.permission is None or e.permission in endpoints.PERMISSIONS, e.label


# -- recvWindow ------------------------------------------------------------------------------------------
TRANSFER = "/account/v1/transfer-contract"


def transfer(http, emu, recv_window=None, skew_ms=0):
    body = {"currency": "USDT", "amount": "1", "type": "spot_to_contract"}
    if recv_window is not None:
        body["recvWindow"] = recv_window
    return send(http, emu, "POST", TRANSFER, body=body, clock=OffsetClock(offset_ms=skew_ms))


def spot_message(code: int, fragment: str) -> str:
    return next(m for _, m in spot_rows()[code] if fragment in m)


@pytest.mark.parametrize("recv_window,skew_ms,code,fragment", [
    (5000, -2000, 1000, None),  # inside a narrowed window
    (5000, -10_000, 30007, "outside of the recvWindow"),  # the 10 s skew BitMart refuses
    ("abc", 0, 30007, "must be long type"),
    (1.5, 0, 30007, "must be long type"),
    (0, 0, 30007, "less than 60000"),
    (60000, 0, 30007, "less than 60000"),
    (None, -10_000, 1000, None),  # without recvWindow the minute applies
    (None, -61_000, 30007, "Within a minute"),
])
def test_recv_window_outcomes(http, emu, recv_window, skew_ms, code, fragment):
    emu.controls.rate_scale = 100
    resp = transfer(http, emu, recv_window, skew_ms)
    body = resp.json()
    assert body["code"] == code, body
    if fragment:
        assert resp.status_code == 401 and body["message"] == spot_message(30007, fragment)


def test_recv_window_true_is_not_a_long(http, emu):
    """JSON's true is no whole number (Python's bool is an int: a mutant that forgot it read true as a 1 ms window)."""
    emu.controls.rate_scale = 100
    resp = transfer(http, emu, True)
    assert resp.status_code == 401 and resp.json()["message"] == spot_message(30007, "must be long type")
    assert transfer(http, emu, 5000).json()["code"] == 1000  # the same request with a long is taken


def test_recv_window_is_bitmart_s_not_woo_x_pro_s(http):
    """BitMart's spot and account pages take recvWindow; WOO X Pro's transfer page has no recvWindow (protocol.md
    section 4), so its gateway keeps the 60 s window whatever the body says."""
    with Emulator("bitmart") as bm, Emulator("wooxpro") as wx:
        for emu, expected in ((bm, 30007), (wx, 1000)):
            emu.controls.rate_scale = 100  # transfer-contract allows 1 per 2 s
            narrow = transfer(http, emu, 1000, skew_ms=-5000)  # 5 s behind, recvWindow 1 s
            assert narrow.json()["code"] == expected, emu.flavour
            assert transfer(http, emu, True, skew_ms=0).json()["code"] == (30007 if emu.flavour == "bitmart" else 1000)


# -- key permissions (issue 26: behaviours no test checked) ----------------------------------------------
TRADING = [("POST", SUBMIT, ORDER), ("POST", "/contract/private/cancel-order", {"symbol": "BTCUSDT", "order_id": "1"}),
           ("POST", "/contract/private/submit-leverage", {"symbol": "BTCUSDT", "leverage": "5", "open_type": "isolated"}),
           ("POST", "/spot/v2/submit_order", {"symbol": "BTC_USDT", "side": "buy", "type": "limit", "size": "0.001", "price": "20000"})]


@pytest.mark.parametrize("method,path,body", TRADING)
def test_a_read_only_key_cannot_trade(http, emu, method, path, body):
    """The trading service refuses it, with HTTP 200 (30019); the same call with the working key is not refused."""
    emu.controls.rate_scale = 100
    refused = send(http, emu, method, path, body=body, creds=emu.demo_credentials("read-only"))
    assert (refused.status_code, refused.json()["code"]) == (200, 30019)
    assert send(http, emu, method, path, body=body).json()["code"] != 30019


@pytest.mark.parametrize("path,permission_code", [("/account/v1/withdraw/charge", 30012), ("/account/v1/wallet", 1000),
                                                  ("/account/v1/deposit/address", 60003)])
def test_keyed_account_calls_check_the_key_s_permission_at_the_gateway(http, emu, path, permission_code):
    """A KEYED funding call needs its permission too (withdraw for the withdrawal fee): the gateway says 30012, HTTP 403;
    a read-only key still reads the wallet and asks for a deposit address (60003: the emulator has none)."""
    emu.controls.rate_scale = 100
    query = {"currency": "USDT"} if "withdraw" in path or "deposit" in path else None
    resp = keyed(http, emu, path, query=query, creds=emu.demo_credentials("read-only"))
    assert resp.json()["code"] == permission_code
    if permission_code == 30012:
        assert resp.status_code == 403 and keyed(http, emu, path, query=query).json()["code"] == 1000


def test_recv_window_in_the_query_of_a_signed_post(http, emu):
    emu.controls.rate_scale = 100
    body = json.dumps({"orderId": "1"}, separators=(",", ":")).encode()
    signer = VenueSigner(emu.demo_credentials(), BITMART_HEADERS, AuthLevel.SIGNED, clock=OffsetClock(offset_ms=-3000))
    resp = http.post(emu.base_url + "/spot/v4/query/order", params={"recvWindow": "2000"}, content=body, auth=signer)
    assert resp.json()["message"] == spot_message(30007, "outside of the recvWindow")


# -- WOO X Pro dialects ----------------------------------------------------------------------------------
@pytest.mark.parametrize("prefix,accepted", [
    ("X-API-", {"X-API-"}),
    ("X-BM-", {"X-BM-"}),
    ("both", {"X-API-", "X-BM-"}),
])
def test_wooxpro_header_prefix(prefix, accepted):
    with Emulator("wooxpro") as wx, httpx.Client() as http:
        wx.controls.header_prefix = prefix
        for header_set in (WOOXPRO_HEADERS, BITMART_HEADERS):
            resp = send(http, wx, "POST", SUBMIT, body=ORDER, header_set=header_set)
            expected = 1000 if header_set.prefix in accepted else 30001
            assert resp.json()["code"] == expected, (prefix, header_set.prefix)


def test_header_prefix_rejects_anything_else(emu):
    with pytest.raises(ValueError, match="header prefix"):
        emu.controls.header_prefix = "X-WOO-"


# -- the SIGNED GET --------------------------------------------------------------------------------------
def test_a_signed_get_is_verified_over_its_query_string(http, emu):
    path = "/emulator/v1/signed-echo"
    assert endpoints.lookup("GET", path).auth is AuthLevel.SIGNED
    good = send(http, emu, "GET", path, query={"symbol": "BTCUSDT", "n": "2"})
    assert good.json()["code"] == 1000 and good.json()["data"]["signed_query"] == "symbol=BTCUSDT&n=2"
    # signed over one query, sent with another: the query is what is verified
    signer = VenueSigner(emu.demo_credentials(), BITMART_HEADERS, AuthLevel.SIGNED)
    req = http.build_request("GET", emu.base_url + path, params={"symbol": "BTCUSDT"})
    next(signer.auth_flow(req))
    req.url = req.url.copy_with(query=b"symbol=ETHUSDT")
    assert http.send(req).json()["code"] == 30005
    # a body on a GET is not part of what is signed (the SDK's "" reading fails here: query present)
    req = http.build_request("GET", emu.base_url + path, content=b'{"x":1}')
    next(VenueSigner(emu.demo_credentials(), BITMART_HEADERS, AuthLevel.SIGNED).auth_flow(req))
    assert http.send(req).json()["code"] == 1000


def test_made_up_paths_do_not_grow_the_rate_limiter():
    """Fresh-eyes attack on 26ca1db: each unknown path was a bucket of its own, kept for ever with its path (up to
    64 KiB): 6,000 404s took the emulator from 26 to 199 MB, about 200 MB a second."""
    with Emulator() as emu, httpx.Client(base_url=emu.base_url, timeout=30) as client:
        emu.state.controls.rate_scale = 1000  # all 300 get past the limiter to the 404
        for n in range(300):
            assert client.get(f"/made/up/{n}/" + "a" * 1000).json()["code"] == 30000
        assert len(emu.state.limiter._windows) <= 2  # the unknown paths' bucket (and nothing else was asked)


def test_the_limiter_drops_ended_windows_past_its_cap(monkeypatch):
    from tui.emulator import ratelimit
    from tui.emulator.ratelimit import Effective, RateLimiter

    monkeypatch.setattr(ratelimit, "MAX_WINDOWS", 10)
    clock = Clock()
    limiter = RateLimiter(clock)
    for n in range(10):
        limiter.count(f"endpoint {n}", "ip:127.0.0.1", "IP", Effective(5, 1.0), 3)
    clock.t += 2.0  # every window has ended
    limiter.count("one more", "ip:127.0.0.1", "IP", Effective(5, 1.0), 3)
    assert list(limiter._windows) == [("one more", "ip:127.0.0.1")]
    for n in range(20):  # windows that have not ended are kept, whatever their number
        limiter.count(f"live {n}", "ip:127.0.0.1", "IP", Effective(5, 60.0), 3)
    assert len(limiter._windows) == 21
