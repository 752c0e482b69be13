"""The emulator's gateway over real loopback sockets: every authentication code of both documents,
with the documented HTTP status and wording; signing by keys.signing succeeds; the check order;
the server's HTTP manners; the `keyprobe emulator` command."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from pathlib import Path

import httpx
import pytest

from keys.demo import DEMO_KEYS
from keys.signing import BITMART_HEADERS, AuthLevel, Credentials, FixedClock, OffsetClock
from keys.venue_signer import VenueSigner
from tui import catalog
from tui.emulator import Emulator, EmulatorState, handle

from recorded import expected_message

ROOT = Path(__file__).resolve().parents[1]
ORDER = '{"symbol":"BTCUSDT","side":1,"type":"limit","leverage":"10","open_type":"isolated","size":1,"price":"20000"}'
TRANSFER = '{"currency":"USDT","amount":"10","type":"spot_to_contract"}'
# The documents' statuses, written out so a drift in the catalog parser shows here too.
DOCUMENTED_STATUS = {
    30000: 404, 30001: 401, 30002: 401, 30003: 401, 30004: 401, 30005: 401, 30006: 401, 30007: 401, 30008: 401,
    30010: 403, 30011: 403, 30012: 403, 30013: 429, 30014: 503, 30016: 200, 30017: 418, 30018: 503, 30019: 200,
    30030: 200, 30031: 200,
}


@pytest.fixture(scope="module")
def emulators():
    with Emulator("bitmart") as bm, Emulator("wooxpro") as wx:
        yield {"bitmart": bm, "wooxpro": wx}


@pytest.fixture(params=["bitmart", "wooxpro"])
def emu(request, emulators):
    e = emulators[request.param]
    e.state.reset()
    yield e
    e.state.reset()


class Client:
    """Sends through keyprobe's own signer, optionally tampering with the signed request first."""

    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        self.http = httpx.Client(base_url=emu.base_url, timeout=10)

    def request(
        self,
        method: str,
        path: str,
        *,
        level: AuthLevel = AuthLevel.NONE,
        creds: Credentials | None = None,
        body: str | bytes | None = None,
        query: dict | None = None,
        clock=None,
        header_set=None,
        tamper: Callable[[httpx.Request], None] | None = None,
    ) -> httpx.Response:
        content = body.encode() if isinstance(body, str) else body
        req = self.http.build_request(method, path, params=query, content=content)
        creds = creds if creds is not None else self.emu.demo_credentials()
        signer = VenueSigner(creds, header_set or self.emu.venue.header_set, level, clock=clock)
        next(signer.auth_flow(req))
        if tamper:
            tamper(req)
        return self.http.send(req)

    def keyed(self, path: str = "/contract/private/assets-detail", **kw) -> httpx.Response:
        return self.request("GET", path, level=AuthLevel.KEYED, **kw)

    def signed(self, path: str = "/contract/private/submit-order", body: str = ORDER, **kw) -> httpx.Response:
        return self.request("POST", path, level=AuthLevel.SIGNED, body=body, **kw)


@pytest.fixture
def client(emu):
    c = Client(emu)
    yield c
    c.http.close()


def assert_code(resp: httpx.Response, flavour: str, code: int) -> dict:
    body = resp.json()
    row = catalog.lookup(flavour, code)
    assert body["code"] == code, body
    assert body["message"] == expected_message(resp.request.url.path, code, row.message, resp.headers.get("X-BM-RateLimit-Mode"))
    assert resp.status_code == row.http_status
    if code in DOCUMENTED_STATUS:
        assert resp.status_code == DOCUMENTED_STATUS[code]
    assert set(body) == {"code", "message", "trace", "data"}
    return body


def hs(emu: Emulator):
    return emu.venue.header_set


def drop(name: str) -> Callable[[httpx.Request], None]:
    return lambda req: req.headers.pop(name)


def set_header(name: str, value: str) -> Callable[[httpx.Request], None]:
    def apply(req: httpx.Request) -> None:
        req.headers[name] = value

    return apply


def _rate_limited(c: Client, code: int) -> httpx.Response:
    c.emu.controls.rate_limit = 2
    c.emu.controls.block_after_429 = 1
    responses = [c.keyed() for _ in range(3 if code == 30013 else 4)]
    return responses[-1]


def _switched(attr: str) -> Callable[[Client], httpx.Response]:
    def run(c: Client) -> httpx.Response:
        setattr(c.emu.controls, attr, True)
        return c.signed()

    return run


# One way (a real client mistake or a key state) to reach each authentication code.
SCENARIOS: dict[int, Callable[[Client], httpx.Response]] = {
    30000: lambda c: c.request("GET", "/contract/private/submit-order"),  # a method the path lacks: both venues' gateways
    30001: lambda c: c.keyed(tamper=drop(hs(c.emu).key)),
    30002: lambda c: c.keyed(creds=Credentials.of("0" * 40, "s", "m")),
    30003: lambda c: c.keyed(creds=c.emu.demo_credentials("frozen")),
    30004: lambda c: c.signed(tamper=drop(hs(c.emu).sign)),
    30005: lambda c: c.signed(creds=Credentials.of(c.emu.demo_credentials().api_key, c.emu.demo_credentials().secret, "wrong-memo")),
    30006: lambda c: c.signed(tamper=drop(hs(c.emu).timestamp)),
    30007: lambda c: c.signed(clock=OffsetClock(offset_ms=-120_000)),
    30008: lambda c: c.signed(tamper=set_header(hs(c.emu).timestamp, str(int(time.time())))),
    30010: lambda c: c.keyed(creds=c.emu.demo_credentials("ip-restricted")),
    30011: lambda c: c.keyed(creds=c.emu.demo_credentials("expired")),
    30012: lambda c: c.signed("/account/v1/transfer-contract", TRANSFER, creds=c.emu.demo_credentials("read-only")),
    30013: lambda c: _rate_limited(c, 30013),
    30014: _switched("service_down"),
    30016: _switched("maintenance"),
    30017: lambda c: _rate_limited(c, 30017),
    30018: lambda c: c.signed(body="symbol=BTCUSDT&side=1"),
    30019: lambda c: c.signed(creds=c.emu.demo_credentials("read-only")),
    30030: lambda c: c.request("GET", "/contract/v1/ifcontract/tickers"),
    30031: lambda c: c.signed("/spot/v1/submit_order", '{"symbol":"BTC_USDT","side":"buy"}'),
}
AUTH_CODES = sorted({r.code for f in ("bitmart", "wooxpro") for r in catalog.rows(f) if r.table == "auth"})


def test_every_documented_auth_code_has_a_scenario():
    assert AUTH_CODES == sorted(SCENARIOS)


@pytest.mark.parametrize("code", AUTH_CODES)
def test_auth_code_reached_with_documented_status(client, emu, code):
    assert_code(SCENARIOS[code](client), emu.flavour, code)


def test_messages_speak_each_flavours_header_names(client, emu):
    body = assert_code(client.keyed(tamper=drop(hs(emu).key)), emu.flavour, 30001)
    expected = "X-BM-KEY" if emu.flavour == "bitmart" else "X-API-KEY"
    assert expected in body["message"]


@pytest.mark.parametrize("level,method,path,body", [
    (AuthLevel.NONE, "GET", "/contract/public/details", None),
    (AuthLevel.KEYED, "GET", "/contract/private/assets-detail", None),
    (AuthLevel.SIGNED, "POST", "/contract/private/submit-order", ORDER),
    (AuthLevel.SIGNED, "POST", "/account/v1/transfer-contract", TRANSFER),
])
def test_signed_by_keyprobe_succeeds(client, emu, level, method, path, body):
    ok = assert_code(client.request(method, path, level=level, body=body), emu.flavour, 1000)
    assert ok["message"] == "Ok"  # contract and transfer pages: "Ok", in both venues' answers


def test_signed_get_with_query_is_verified_over_the_query_string(client, emu):
    order = assert_code(client.signed(), emu.flavour, 1000)["data"]
    query = {"symbol": "BTCUSDT", "order_id": str(order["order_id"])}
    # A SIGNED GET of a KEYED endpoint carries a signature the gateway ignores; both work.
    assert_code(client.request("GET", "/contract/private/order", level=AuthLevel.SIGNED, query=query), emu.flavour, 1000)


def test_the_other_flavours_headers_are_simply_absent(client, emu):
    other = BITMART_HEADERS if emu.flavour == "wooxpro" else type(BITMART_HEADERS)("X-API-")
    resp = client.signed(header_set=other)
    assert_code(resp, emu.flavour, 30001)


def test_empty_key_header_is_30001_and_empty_sign_is_30004(client, emu):
    assert_code(client.keyed(tamper=set_header(hs(emu).key, "")), emu.flavour, 30001)
    assert_code(client.signed(tamper=set_header(hs(emu).sign, "")), emu.flavour, 30004)
    assert_code(client.signed(tamper=set_header(hs(emu).timestamp, "")), emu.flavour, 30006)


@pytest.mark.parametrize("ts", ["1589267764", "1589267764859.5", "15892677648a9", "15892677648590", "-158926776485"])
def test_timestamp_format(client, emu, ts):
    assert_code(client.signed(tamper=set_header(hs(emu).timestamp, ts)), emu.flavour, 30008)


def test_wrong_secret_is_30005_and_body_changed_after_signing_is_30005(client, emu):
    good = emu.demo_credentials()
    assert_code(client.signed(creds=Credentials.of(good.api_key, "not-the-secret", good.memo)), emu.flavour, 30005)

    def respaced(req: httpx.Request) -> None:  # the classic: sign compact bytes, send spaced ones
        spaced = json.dumps(json.loads(ORDER)).encode()
        req.stream = httpx.ByteStream(spaced)
        req._content = spaced
        req.headers["Content-Length"] = str(len(spaced))

    assert_code(client.signed(tamper=respaced), emu.flavour, 30005)


def test_clock_skew_window_follows_the_emulator_clock(client, emu):
    emu.state.set_skew(90)
    assert_code(client.signed(), emu.flavour, 30007)
    assert_code(client.signed(clock=OffsetClock(offset_ms=90_000)), emu.flavour, 1000)
    # inside the minute either side still passes
    assert_code(client.signed(clock=OffsetClock(offset_ms=90_000 - 50_000)), emu.flavour, 1000)
    assert_code(client.signed(clock=FixedClock(emu.state.now_ms() + 75_000)), emu.flavour, 30007)


def test_freeze_and_unfreeze_the_working_key(client, emu):
    emu.state.freeze("demo")
    assert_code(client.keyed(), emu.flavour, 30003)
    emu.state.unfreeze("demo")
    assert_code(client.keyed(), emu.flavour, 1000)


def test_whitelisting_loopback_lets_the_ip_restricted_key_in(client, emu):
    creds = emu.demo_credentials("ip-restricted")
    assert_code(client.keyed(creds=creds), emu.flavour, 30010)
    emu.state.set_whitelist("ip-restricted", {"127.0.0.1"})
    assert_code(client.keyed(creds=creds), emu.flavour, 1000)


def test_read_only_key_may_read(client, emu):
    assert_code(client.keyed(creds=emu.demo_credentials("read-only")), emu.flavour, 1000)


def test_public_endpoints_ignore_keys(client, emu):
    frozen = emu.demo_credentials("frozen")
    assert_code(client.request("GET", "/contract/public/depth", level=AuthLevel.KEYED, creds=frozen, query={"symbol": "BTCUSDT"}),
                emu.flavour, 1000)


# -- the order of checks, on the pure handler --------------------------------------------------------------
def signed_headers(flavour: str, creds: Credentials, method: str, path: str, body: bytes = b"", clock=None) -> dict[str, str]:
    req = httpx.Request(method, f"http://127.0.0.1{path}", content=body or None)
    signer = VenueSigner(creds, BITMART_HEADERS if flavour == "bitmart" else type(BITMART_HEADERS)("X-API-"), AuthLevel.SIGNED, clock=clock)
    next(signer.auth_flow(req))
    return dict(req.headers)


def creds_of(state: str, memo: str | None = None) -> Credentials:
    c = next(k for k in DEMO_KEYS if k.state == state).credentials
    return c if memo is None else Credentials.of(c.api_key, c.secret, memo)


@pytest.mark.parametrize("flavour", ["bitmart", "wooxpro"])
@pytest.mark.parametrize("key_state,memo,path,body,client_ip,expected", [
    ("frozen", "wrong", "/contract/private/submit-order", ORDER, "127.0.0.1", 30003),  # key state before signature
    ("expired", None, "/contract/private/submit-order", ORDER, "198.51.100.1", 30011),  # key state before IP
    ("ip-restricted", "wrong", "/contract/private/submit-order", ORDER, "127.0.0.1", 30005),  # signature before IP
    ("ip-restricted", None, "/contract/private/submit-order", ORDER, "203.0.113.7", 1000),
    ("read-only", "wrong", "/account/v1/transfer-contract", TRANSFER, "127.0.0.1", 30005),  # signature before permission
    ("active", "wrong", "/contract/private/submit-order", "not json", "127.0.0.1", 30005),  # signature before body
    ("read-only", None, "/contract/private/submit-order", "not json", "127.0.0.1", 30018),  # body before 30019
    ("read-only", None, "/contract/private/submit-order", '{"symbol":"NOPE"}', "127.0.0.1", 30019),  # 30019 before validation
    ("active", None, "/contract/private/order", ORDER, "127.0.0.1", 30000),  # path (and method) first: order is a GET
])
def test_check_order(flavour, key_state, memo, path, body, client_ip, expected):
    state = EmulatorState(flavour)
    raw = body.encode()
    headers = signed_headers(flavour, creds_of(key_state, memo), "POST", path, raw)
    reply = handle(state, "POST", path, "", headers, raw, client_ip)
    assert reply.json()["code"] == expected
    assert reply.status == catalog.lookup(flavour, expected).http_status


def test_handler_headers_are_case_insensitive():
    state = EmulatorState("bitmart")
    headers = {k.upper(): v for k, v in signed_headers("bitmart", creds_of("active"), "POST", "/contract/private/submit-order", ORDER.encode()).items()}
    assert handle(state, "POST", "/contract/private/submit-order", "", headers, ORDER.encode(), "127.0.0.1").json()["code"] == 1000


# -- HTTP manners ------------------------------------------------------------------------------------------
def test_every_response_has_length_date_and_rate_headers(client, emu):
    for resp in (client.keyed(), client.request("GET", "/contract/private/submit-order"), client.keyed(creds=emu.demo_credentials("frozen"))):
        assert int(resp.headers["Content-Length"]) == len(resp.content)
        assert "Date" in resp.headers
        for name in ("Remaining", "Limit", "Reset"):
            assert f"X-BM-RateLimit-{name}" in resp.headers
            assert (f"X-API-RateLimit-{name}" in resp.headers) == (emu.flavour == "wooxpro")


def test_date_header_and_server_time_follow_the_skew(client, emu):
    emu.state.set_skew(3600)
    before = time.time()
    resp = client.request("GET", "/system/time" if emu.flavour == "bitmart" else "/contract/public/details")
    after = time.time()
    data = assert_code(resp, emu.flavour, 1000)["data"]
    date = parsedate_to_datetime(resp.headers["Date"]).timestamp()
    # Bracketed by the client's clock around the request, however slow the machine: no tolerance in seconds.
    assert int(before) + 3600 <= date <= after + 3600  # the Date header is whole seconds
    if emu.flavour == "bitmart":  # WOO X Pro documents no time endpoint: its Date header is the clock
        assert before + 3600 - 0.001 <= data["server_time"] / 1000 <= after + 3600  # whole milliseconds


def test_time_endpoint_switch_leaves_only_the_date_header(client, emu):
    emu.controls.time_endpoint = False
    resp = client.request("GET", "/system/time")
    if emu.flavour == "bitmart":
        assert_code(resp, emu.flavour, 30000)
    else:  # never served there: WOO X Pro's answer to a path it does not have
        assert resp.status_code == 404 and resp.json() == {"error_msg": "404 Route Not Found"}
    assert "Date" in resp.headers


def test_woo_x_pro_answers_what_it_does_not_document_as_its_host_does(client, emu):
    """Spot, funding and system paths are BitMart's: WOO X Pro's pages list futures v2 and transfers only (the
    endpoint table cites them), and cloud-api.wooxpro.com answers a path it lacks with a bare 404 (field-notes 2)."""
    for method, path in (("GET", "/spot/v1/wallet"), ("GET", "/system/time"), ("GET", "/system/service"),
                         ("GET", "/account/v1/wallet"), ("POST", "/spot/v2/submit_order"), ("GET", "/nope")):
        resp = client.request(method, path, level=AuthLevel.KEYED)
        if emu.flavour == "bitmart" and path != "/nope":
            assert resp.json()["code"] != 30000, path  # BitMart serves them all
        elif emu.flavour == "wooxpro":
            assert (resp.status_code, resp.json()) == (404, {"error_msg": "404 Route Not Found"}), path
            assert "X-API-RateLimit-Remaining" not in resp.headers  # the edge answers, not the gateway
    documented = client.keyed("/contract/private/position")
    assert assert_code(documented, emu.flavour, 1000)["data"] == []


def test_connection_close_is_announced(emu):
    with socket.create_connection(("127.0.0.1", emu.port), timeout=5) as sock:
        sock.sendall(b"GET /contract/public/details HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    assert b"\r\nConnection: close" in head
    assert json.loads(body)["code"] == 1000


def test_keep_alive_reuses_one_connection(client, emu):
    ports = set()
    for _ in range(3):
        with client.http.stream("GET", "/system/time") as resp:
            ports.add(resp.extensions["network_stream"].get_extra_info("socket").getsockname()[1])
            resp.read()
    assert len(ports) == 1


def test_stop_does_not_wait_for_an_idle_connection_and_frees_the_port():
    emu = Emulator().start()
    port = emu.port
    with httpx.Client() as c:  # leave an idle keep-alive connection behind
        assert c.get(emu.base_url + "/system/time").json()["code"] == 1000
        # stop() must close the idle connection itself, not wait for the client to: it returns while
        # the client still holds it open. The join's limit only turns a hang into a failure.
        stopper = threading.Thread(target=emu.stop)
        stopper.start()
        stopper.join(timeout=60)
        assert not stopper.is_alive(), "stop() is waiting for the client's idle keep-alive connection"
        with pytest.raises(httpx.TransportError):
            c.get(emu.base_url + "/system/time")
    with socket.socket() as s:  # nothing listens on the port any more (REUSEADDR: as a server binds it)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", port))
        s.listen()


def test_emulator_shape():
    with Emulator("wooxpro", skew_s=5, latency_ms=0) as emu:
        assert emu.controls is emu.state.controls and emu.controls.skew_s == 5
        assert emu.venue.family == "wooxpro" and emu.venue.base_url == emu.base_url and emu.venue.is_emulator
        assert [k.state for k in emu.keys] == ["active", "frozen", "expired", "ip-restricted", "read-only"]
        assert emu.demo_credentials() == DEMO_KEYS[0].credentials
    with pytest.raises(ValueError, match="fault must be one of"):
        emu.controls.fault = "explode"
    with pytest.raises(ValueError, match="flavour"):
        Emulator("binance")
    with pytest.raises(ValueError, match="no emulator key named"):
        emu.state.freeze("nobody")


# -- the command -------------------------------------------------------------------------------------------
def test_cli_json_first_line_then_terminate():
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui", "emulator", "--port", "0", "--json", "--venue", "wooxpro", "--skew", "120"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        first = json.loads(proc.stdout.readline())
        assert set(first) == {"base_url", "venue", "ws_urls", "keys", "venue_state"} and first["venue"] == "wooxpro"
        assert first["ws_urls"] == {"wooxpro": {"public": first["base_url"].replace("http", "ws") + "/futures/api?protocol=1.1",
                                                "private": first["base_url"].replace("http", "ws") + "/futures/user?protocol=1.1"}}
        assert first["venue_state"] is None  # WOO X Pro is live: nothing to tell
        assert [k["state"] for k in first["keys"]] == ["active", "frozen", "expired", "ip-restricted", "read-only"]
        assert set(first["keys"][0]) == {"name", "api_key", "secret", "memo", "state"}
        assert first["keys"][0]["memo"] == "test001"
        # WOO X Pro documents no time endpoint: its clock is in the Date header
        date = httpx.get(first["base_url"] + "/contract/public/details").headers["date"]
        assert parsedate_to_datetime(date).timestamp() - time.time() > 60  # the --skew reached the server
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    assert out == ""  # nothing after the one JSON line


def test_cli_busy_port_is_a_sentence_not_a_traceback():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        out = subprocess.run([sys.executable, "-m", "tui", "emulator", "--port", str(port)], cwd=ROOT, capture_output=True, text=True, timeout=20)
    assert out.returncode == 3
    assert f"cannot listen on 127.0.0.1:{port}" in out.stderr and "Traceback" not in out.stderr


def _read_response(sock: socket.socket) -> tuple[bytes, bytes, bytes]:
    """One HTTP/1.1 response off a keep-alive socket: (status line + headers, body, leftover)."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, _, rest = data.partition(b"\r\n\r\n")
    length = int(next(l.split(b":")[1] for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")))
    while len(rest) < length:
        rest += sock.recv(65536)
    return head, rest[:length], rest[length:]


def test_chunked_request_body_is_read_and_framing_kept(emu):
    path = "/contract/private/submit-order"
    headers = signed_headers(emu.flavour, emu.demo_credentials(), "POST", path, ORDER.encode())
    headers.pop("content-length")
    lines = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    a, b = ORDER[:20].encode(), ORDER[20:].encode()
    chunked = f"{len(a):x}\r\n".encode() + a + f"\r\n{len(b):x}\r\n".encode() + b + b"\r\n0\r\n\r\n"
    with socket.create_connection(("127.0.0.1", emu.port), timeout=5) as sock:
        sock.sendall(f"POST {path} HTTP/1.1\r\ntransfer-encoding: chunked\r\n{lines}\r\n".encode() + chunked)
        _, body, _ = _read_response(sock)
        assert json.loads(body)["code"] == 1000  # the signature matched the reassembled body
        sock.sendall(b"GET /contract/public/details HTTP/1.1\r\nHost: x\r\n\r\n")  # same connection, next request
        _, body, _ = _read_response(sock)
        assert json.loads(body)["code"] == 1000


def test_broken_framing_is_a_400_not_a_hang(emu):
    with socket.create_connection(("127.0.0.1", emu.port), timeout=5) as sock:
        sock.sendall(b"POST /system/time HTTP/1.1\r\nHost: x\r\nContent-Length: ten\r\n\r\n")
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    assert data.startswith(b"HTTP/1.1 400") and b"Connection: close" in data
