"""The emulator's request handler: a pure function from a request to a reply. No sockets.

Checks run in the order a real gateway runs them (DESIGN, brief B):
fault switch -> service down -> rate limit -> path -> maintenance -> key present -> key known ->
key state -> (SIGNED) sign present, timestamp present, format, window, signature -> IP -> permission ->
body is JSON -> business validation. Every answer is the venue's envelope
`{"code","message","trace","data"}` with the message and HTTP status of the flavour's own document.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from urllib.parse import parse_qsl

from keys.demo import DemoKey
from keys.signing import BITMART_HEADERS, WOOXPRO_HEADERS, AuthLevel, HeaderSet, signed_payload, signs_body, verify
from tui import catalog
from tui.emulator import routes
from tui.emulator.state import EmulatorState, RateCount

TIMESTAMP_WINDOW_MS = 60_000  # 30007: "Within a minute" (protocol.md 3.3)
_THIRTEEN_DIGITS = re.compile(r"[0-9]{13}")

NGINX_502 = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)


@dataclass
class Reply:
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    fault: str | None = None  # "reset" / "slow-body": the server changes how (or whether) it sends this

    def json(self) -> dict:
        return json.loads(self.body)


@dataclass(frozen=True)
class Route:
    auth: AuthLevel
    action: Callable[[routes.Call], tuple[int, object]]
    permission: str | None = None  # the gateway refuses a key without it: 30012
    operation: str | None = None  # the trading service refuses a key without it: 30019 (HTTP 200)


N, K, S = AuthLevel.NONE, AuthLevel.KEYED, AuthLevel.SIGNED
ROUTES: dict[tuple[str, str], Route] = {
    ("GET", "/system/time"): Route(N, routes.system_time),
    ("GET", "/system/service"): Route(N, routes.system_service),
    ("GET", "/contract/public/details"): Route(N, routes.contract_details),
    ("GET", "/contract/private/assets-detail"): Route(K, routes.assets_detail, "read"),
    ("GET", "/contract/private/order"): Route(K, routes.query_order, "read"),
    ("GET", "/contract/private/order-history"): Route(K, routes.order_history, "read"),
    ("GET", "/contract/private/get-open-orders"): Route(K, routes.open_orders, "read"),
    ("GET", "/contract/private/position"): Route(K, routes.positions, "read"),
    ("GET", "/contract/private/trades"): Route(K, routes.trades, "read"),
    ("POST", "/contract/private/submit-order"): Route(S, routes.submit_order, "read", "trade"),
    ("POST", "/contract/private/cancel-order"): Route(S, routes.cancel_order, "read", "trade"),
    ("POST", "/contract/private/cancel-orders"): Route(S, routes.cancel_orders, "read", "trade"),
    ("POST", "/contract/private/submit-leverage"): Route(S, routes.submit_leverage, "read", "trade"),
    # Moving money is its own permission, checked by the gateway: the read-only key gets 30012 here.
    ("POST", "/account/v1/transfer-contract"): Route(S, routes.transfer_contract, "transfer"),
}
# Futures V1 was switched off on 2024-11-30 (protocol.md 6 #10); its paths all lived under /contract/v1/.
FUTURES_V1_PREFIX = "/contract/v1/"
# Spot endpoints BitMart retired in favour of v2 submit and v4 queries.
DEPRECATED_PATHS = frozenset({"/spot/v1/submit_order", "/spot/v2/orders"})


def header_set(flavour: str) -> HeaderSet:
    return BITMART_HEADERS if flavour == "bitmart" else WOOXPRO_HEADERS


def rate_headers(flavour: str, rate: RateCount) -> list[tuple[str, str]]:
    """X-BM-RateLimit-* on every answer; the wooxpro flavour adds the same figures as X-API-RateLimit-*.

    Remaining follows the document's own worked example ("Remaining: 10 ... has been called 10 times";
    "when Remaining > Limit, please do not continue"): it is the number of requests counted in the
    current window, this one included. Reset is the window length in seconds, as documented.
    """
    values = (str(rate.used), str(rate.limit), str(round(rate.window_s)))
    prefixes = ("X-BM-",) if flavour == "bitmart" else ("X-BM-", "X-API-")
    return [(f"{p}RateLimit-{n}", v) for p in prefixes for n, v in zip(("Remaining", "Limit", "Reset"), values)]


def envelope(flavour: str, code: int, data: object, rate: RateCount, fault: str | None = None) -> Reply:
    row = catalog.lookup(flavour, code)
    if row is None:  # every code the emulator sends is documented; this guards a typo in routes.py
        raise LookupError(f"code {code} is not in the {flavour} document")
    body = {"code": code, "message": row.message, "trace": str(uuid.uuid4()), "data": {} if data is None else data}
    raw = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return Reply(row.http_status, [("Content-Type", "application/json"), *rate_headers(flavour, rate)], raw, fault)


@cache
def _huge_data(min_bytes: int) -> bytes:
    """A JSON array of order-like records, at least `min_bytes` long (built once per size)."""
    item = '{"order_id":"%d","symbol":"BTCUSDT","side":1,"type":"limit","size":"1","price":"60000.0","state":4}'
    one = len(item % 10**11) + 1
    n = max(1, min_bytes // one + 1)
    return ("[" + ",".join(item % (10**11 + i) for i in range(n)) + "]").encode()


def huge_reply(flavour: str, rate: RateCount, min_bytes: int) -> Reply:
    prefix = f'{{"code":1000,"message":{json.dumps(catalog.lookup(flavour, 1000).message)},"trace":"{uuid.uuid4()}","data":'
    body = prefix.encode() + _huge_data(min_bytes) + b"}"
    return Reply(200, [("Content-Type", "application/json"), *rate_headers(flavour, rate)], body, "huge-body")


@dataclass
class Request:
    method: str
    path: str
    query: str
    headers: dict[str, str]  # lower-cased names
    body: bytes
    client_ip: str


def handle(
    state: EmulatorState,
    method: str,
    path: str,
    query: str,
    headers: Mapping[str, str],
    body: bytes,
    client_ip: str,
) -> Reply:
    """Answer one request as the venue would. Never raises for anything a client can send."""
    path, _, tail = path.partition("?")
    req = Request(method.upper(), path, query or tail, {k.lower(): v for k, v in headers.items()}, body or b"", client_ip)
    flavour, c = state.flavour, state.controls
    hs = header_set(flavour)
    raw_key = req.headers.get(hs.key.lower(), "")
    known = state.find_key(raw_key) if raw_key.strip() else None
    # DOC-LIMIT: "If a valid API key is passed in, the user id will be used ... if not, the public IP".
    bucket = f"key:{known.name}" if known else f"ip:{client_ip}"

    fault = c.fault
    if fault in ("html502", "reset", "huge-body"):  # a broken proxy in front: the venue never sees the request
        rate = state.peek_count(bucket)
        if fault == "html502":
            return Reply(502, [("Content-Type", "text/html"), ("Server", "nginx"), *rate_headers(flavour, rate)], NGINX_502, fault)
        if fault == "huge-body":
            return huge_reply(flavour, rate, int(c.huge_body_bytes))
        return Reply(0, [], b"", "reset")
    if c.service_down:
        return envelope(flavour, 30014, None, state.peek_count(bucket), fault)

    rate = state.count_request(bucket)

    def answer(code: int, data: object = None) -> Reply:
        return envelope(flavour, code, data, rate, fault)

    if rate.outcome == "429":
        return answer(30013)
    if rate.outcome == "418":
        return answer(30017)

    if path.startswith(FUTURES_V1_PREFIX):
        return answer(30030)
    if path in DEPRECATED_PATHS:
        return answer(30031)
    route = ROUTES.get((req.method, path))
    if route is None or (path == "/system/time" and not c.time_endpoint):
        return answer(30000)
    if c.maintenance and not path.startswith("/system/"):
        return answer(30016)

    key, refusal = authenticate(state, route, req, hs)
    if refusal is not None:
        return answer(refusal)

    parsed: object = None
    if signs_body(req.method):
        try:
            parsed = json.loads(req.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return answer(30018)
        if not isinstance(parsed, dict):
            return answer(30018)
    if route.operation and key is not None and route.operation not in state.permissions(key):
        return answer(30019)

    params = dict(parse_qsl(req.query, keep_blank_values=True))
    code, data = route.action(routes.Call(state, key, params, parsed or {}))
    return answer(code, data)


def authenticate(state: EmulatorState, route: Route, req: Request, hs: HeaderSet) -> tuple[DemoKey | None, int | None]:
    """The gateway's checks for KEYED and SIGNED routes: (key, None) or (None, refusal code)."""
    if route.auth is AuthLevel.NONE:
        return None, None
    raw_key = req.headers.get(hs.key.lower(), "")
    if not raw_key.strip():
        return None, 30001
    key = state.find_key(raw_key)
    if key is None:
        return None, 30002
    key_state = state.key_state(key)
    if key_state == "frozen":
        return None, 30003
    if key_state == "expired":
        return None, 30011
    if route.auth is AuthLevel.SIGNED:
        signature = req.headers.get(hs.sign.lower(), "")
        timestamp = req.headers.get(hs.timestamp.lower(), "")
        if not signature.strip():
            return None, 30004
        if not timestamp.strip():
            return None, 30006
        if not _THIRTEEN_DIGITS.fullmatch(timestamp):
            return None, 30008
        if abs(int(timestamp) - state.now_ms()) > TIMESTAMP_WINDOW_MS:
            return None, 30007
        creds = key.credentials
        payload = signed_payload(req.method, req.query, req.body)
        if not verify(creds.secret, creds.memo, timestamp, payload, signature):
            return None, 30005
    allowed = state.allowed_ips(key)
    if allowed is not None and req.client_ip not in allowed:
        return None, 30010
    if route.permission and route.permission not in state.permissions(key):
        return None, 30012
    return key, None
