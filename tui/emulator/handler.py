"""The emulator's request handler: a pure function from a request to a reply. No sockets.

Checks run in the order a real gateway runs them: fault switch -> service down -> rate limit -> path ->
maintenance -> key present -> key known -> key state -> (SIGNED) sign present, timestamp present, format,
recvWindow, window, signature -> IP -> permission of a funding (account) endpoint, refused by the gateway
(30012) -> body is JSON -> permission of a trading endpoint, refused by the trading service (30019) ->
the product's own validation. Every answer is the venue's envelope
`{"code","message","trace","data"}` with the message and HTTP status of the product's own document.
"""

from __future__ import annotations

import itertools
import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from urllib.parse import parse_qsl

from keys.demo import DemoKey
from keys.signing import BITMART_HEADERS, WOOXPRO_HEADERS, AuthLevel, HeaderSet, signed_payload, signs_body, verify
from tui import endpoints
from tui.emulator import codes, routes
from tui.emulator.ratelimit import RateCount, effective
from tui.emulator.state import EmulatorState

TIMESTAMP_WINDOW_MS = 60_000  # 30007: "Within a minute" (protocol.md 3.3)
RECV_WINDOW_MAX_MS = 60_000  # 30007: "Param recvWindow must be less than 60000 and greater than 0"
_THIRTEEN_DIGITS = re.compile(r"[0-9]{13}")
_LONG = re.compile(r"-?[0-9]{1,18}")

NGINX_502 = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)
# Futures V1 and the retired spot paths are facts of the endpoint table (inspect's lint reads them there too).
from tui.endpoints import DEPRECATED_PATHS, FUTURES_V1_PREFIX  # noqa: E402,F401 - re-exported
# How cloud-api.wooxpro.com answers a path it does not have: no envelope, HTTP 404 (field-notes section 2, from a
# third-party probe of the host). The wooxpro flavour answers every path WOO X Pro does not document this way.
ROUTE_NOT_FOUND = b'{"error_msg":"404 Route Not Found"}'


@dataclass
class Reply:
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    fault: str | None = None  # "reset" / "slow-body": the server changes how (or whether) it sends this

    def json(self) -> dict:
        return json.loads(self.body)


def header_sets(state: EmulatorState) -> tuple[HeaderSet, ...]:
    """The auth header names this venue reads: X-BM-* for BitMart; WOO X Pro's dialect switch."""
    if state.flavour == "bitmart":
        return (BITMART_HEADERS,)
    return {"X-API-": (WOOXPRO_HEADERS,), "X-BM-": (BITMART_HEADERS,)}.get(state.controls.header_prefix, (WOOXPRO_HEADERS, BITMART_HEADERS))


_RATE_NAMES = {
    flavour: tuple(tuple(f"{p}RateLimit-{n}" for n in ("Remaining", "Limit", "Reset", "Mode")) for p in prefixes)
    for flavour, prefixes in (("bitmart", ("X-BM-",)), ("wooxpro", ("X-BM-", "X-API-")))
}


def rate_headers(flavour: str, rate: RateCount) -> list[tuple[str, str]]:
    """X-BM-RateLimit-Remaining/Limit/Reset/Mode on every answer; wooxpro adds the same as X-API-RateLimit-*.

    Remaining follows the document's own worked example ("Remaining: 10 ... has been called 10 times"):
    requests counted in the current window, this one included, and never past the limit (real answers beyond
    the limit do not climb: ccxt#15964's 429 carried Remaining 2 of Limit 12). Reset is the window in seconds."""
    values = (str(min(rate.used, rate.limit)), str(rate.limit), f"{rate.window_s:g}", rate.mode)
    return [(name, value) for names in _RATE_NAMES[flavour] for name, value in zip(names, values)]


_JSON_HEADER = ("Content-Type", "application/json")
_ENCODE = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
# A trace id per answer in the shape of BitMart's newer ones ("f2194c2c202d2.99.1717535"): a random
# prefix per process and a counter (a uuid4 per answer cost more than the rest of a small answer).
_TRACE_PREFIX = f"{uuid.uuid4().hex}.99."
_TRACE_COUNTER = itertools.count(1)


def trace_id() -> str:
    return f"{_TRACE_PREFIX}{next(_TRACE_COUNTER)}"


@cache
def _head_of(flavour: str, product: str, code: int, variant: str, fill: tuple[object, ...]) -> tuple[int, bytes]:
    """The HTTP status and the envelope's opening bytes up to the trace value, made once per answer kind."""
    status, message = codes.answer(flavour, product, code, variant, fill)
    return status, f'{{"code":{code},"message":{_ENCODE(message)},"trace":"'.encode("utf-8")


def envelope(flavour: str, product: str, code: int, data: object, rate: RateCount, fault: str | None = None,
             variant: str = "", fill: tuple[object, ...] = ()) -> Reply:
    """`{"code","message","trace","data"}` in the venue's compact form."""
    status, head = _head_of(flavour, product, code, variant, fill)
    raw = b"".join((head, trace_id().encode(), b'","data":', _ENCODE({} if data is None else data).encode("utf-8"), b"}"))
    return Reply(status, [_JSON_HEADER, *rate_headers(flavour, rate)], raw, fault)


@cache
def _huge_data(min_bytes: int) -> bytes:
    """A JSON array of order-like records, at least `min_bytes` long (built once per size)."""
    item = '{"order_id":"%d","symbol":"BTCUSDT","side":1,"type":"limit","size":"1","price":"60000.0","state":4}'
    one = len(item % 10**11) + 1
    n = max(1, min_bytes // one + 1)
    return ("[" + ",".join(item % (10**11 + i) for i in range(n)) + "]").encode()


def huge_reply(flavour: str, rate: RateCount, min_bytes: int) -> Reply:
    message = codes.answer(flavour, "futures", 1000)[1]
    prefix = f'{{"code":1000,"message":{json.dumps(message)},"trace":"{trace_id()}","data":'
    body = prefix.encode() + _huge_data(min_bytes) + b"}"
    return Reply(200, [_JSON_HEADER, *rate_headers(flavour, rate)], body, "huge-body")


@dataclass
class Request:
    method: str
    path: str
    query: str
    headers: dict[str, str]  # lower-cased names
    body: bytes
    client_ip: str

    def header(self, name: str) -> str:
        return self.headers.get(_lower(name), "")


@cache
def _lower(name: str) -> str:
    return name.lower()


class Refusal(Exception):
    def __init__(self, code: int, variant: str = "") -> None:
        self.code, self.variant = code, variant


def handle(state: EmulatorState, method: str, path: str, query: str, headers: Mapping[str, str], body: bytes, client_ip: str) -> Reply:
    """Answer one request as the venue would. Never raises for anything a client can send."""
    path, _, tail = path.partition("?")
    req = Request(method.upper(), path, query or tail, {k.lower(): v for k, v in headers.items()}, body or b"", client_ip)
    flavour, c = state.flavour, state.controls
    endpoint = endpoints.lookup(req.method, path)
    if endpoint is not None and flavour not in endpoint.families:
        endpoint = None
    product = endpoint.product if endpoint else endpoints.product_of(path)
    sets = header_sets(state)
    hs = sets[0] if len(sets) == 1 else next((h for h in sets if req.header(h.key).strip()), sets[0])
    raw_key = req.header(hs.key)
    known = state.find_key(raw_key) if raw_key.strip() else None
    limit = endpoint.rate_limit if endpoint else endpoints.LIMITS["default"]
    # DOC-LIMIT: "If a valid API key is passed in, the user id will be used ... if not, the public IP".
    by_key = known is not None and limit.per == "key"
    who, mode = (f"key:{known.name}", "UID") if by_key else (f"ip:{client_ip}", "IP")
    eff = effective(limit, c.rate_scale, c.rate_limit, c.rate_window_s)
    # Every unknown path counts in one bucket: one per path grew the limiter by each 64 KiB path a client made up.
    bucket = endpoint.label if endpoint else f"{req.method} (no such endpoint)"

    fault = c.fault
    if fault in ("html502", "reset", "huge-body"):  # a broken proxy in front: the venue never sees the request
        rate = state.limiter.peek(bucket, who, mode, eff)
        if fault == "html502":
            return Reply(502, [("Content-Type", "text/html"), ("Server", "nginx"), *rate_headers(flavour, rate)], NGINX_502, fault)
        if fault == "huge-body":
            return huge_reply(flavour, rate, int(c.huge_body_bytes))
        return Reply(0, [], b"", "reset")
    if endpoint is None and flavour == "wooxpro" and not _gateway_knows(path):  # WOO X Pro's edge, before its gateway
        return Reply(404, [_JSON_HEADER], ROUTE_NOT_FOUND, fault)
    if c.service_down:
        return envelope(flavour, product, 30014, None, state.limiter.peek(bucket, who, mode, eff), fault)

    rate = state.limiter.count(bucket, who, mode, eff, c.block_after_429)

    def answer(code: int, data: object = None, variant: str = "", fill: tuple[object, ...] = ()) -> Reply:
        return envelope(flavour, product, code, data, rate, fault, variant, fill)

    if rate.outcome == "429":
        return answer(30013, variant=codes.PER_USER_PREFIX if mode == "UID" else "")
    if rate.outcome == "418":
        return answer(30017)
    if path.startswith(FUTURES_V1_PREFIX):
        return answer(30030)
    if path in DEPRECATED_PATHS:
        return answer(30031)
    if endpoint is None or (path == "/system/time" and not c.time_endpoint):
        return answer(30000)
    if c.maintenance and endpoint.product != "system":
        return answer(30016)

    body_signed = signs_body(req.method)  # POST/PUT carry a JSON body; the other methods carry their query
    parsed = _json_body(req) if body_signed else None
    try:
        key = authenticate(state, endpoint, req, hs, parsed)
    except Refusal as refusal:
        return answer(refusal.code, variant=refusal.variant)
    if body_signed and not isinstance(parsed, dict):
        return answer(30018)
    if key is not None and endpoint.permission not in state.permissions(key):
        return answer(30019)

    args = parsed if isinstance(parsed, dict) else dict(parse_qsl(req.query, keep_blank_values=True)) if req.query else {}
    try:
        data = routes.action(endpoint.handler)(routes.Call(state, key, args, state.now_ms(), req.query))
    except routes.Refused as refused:
        return answer(refused.code, variant=refused.variant, fill=refused.fill)
    if key is not None and req.method != "GET":
        state.events.changed(key.name)  # a write may have moved orders, positions or balances: tell the streams
    return answer(1000, data, variant=codes.success_style(path))


def _gateway_knows(path: str) -> bool:
    """Whether WOO X Pro's gateway answers `path` in its envelope: a path it documents (a method it lacks is 30000,
    in its document), Futures V1 (30030) and the retired endpoints (30031) its document still lists."""
    return path in endpoints.served_paths("wooxpro") or path.startswith(FUTURES_V1_PREFIX) or path in DEPRECATED_PATHS


def _json_body(req: Request) -> object:
    try:
        return json.loads(req.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None


REST_KEY_REFUSALS = {"missing": 30001, "unknown": 30002, "frozen": 30003, "expired": 30011}


def authenticate(state: EmulatorState, endpoint: endpoints.Endpoint, req: Request, hs: HeaderSet, body: object) -> DemoKey | None:
    """The gateway's checks for KEYED and SIGNED routes: the key, or Refusal(code)."""
    if endpoint.auth is AuthLevel.NONE:
        return None
    key, unusable = state.usable_key(req.header(hs.key))
    if unusable is not None:
        raise Refusal(REST_KEY_REFUSALS[unusable])
    if endpoint.auth is AuthLevel.SIGNED:
        check_signature(state, endpoint, req, hs, key, body)
    allowed = state.allowed_ips(key)
    if allowed is not None and req.client_ip not in allowed:
        raise Refusal(30010)
    if endpoint.product == "account" and endpoint.permission not in state.permissions(key):
        raise Refusal(30012)  # moving money is checked by the gateway
    return key


def check_signature(state: EmulatorState, endpoint: endpoints.Endpoint, req: Request, hs: HeaderSet, key: DemoKey, body: object) -> None:
    signature, timestamp = req.header(hs.sign), req.header(hs.timestamp)
    if not signature.strip():
        raise Refusal(30004)
    if not timestamp.strip():
        raise Refusal(30006, "is empty")
    if not _THIRTEEN_DIGITS.fullmatch(timestamp):
        raise Refusal(30008)
    window, variant = TIMESTAMP_WINDOW_MS, "Within a minute"
    if endpoint.recv_window and state.flavour == "bitmart":
        given = recv_window(req, body)
        if given is not None:
            window, variant = given, "outside of the recvWindow"
    if abs(int(timestamp) - state.now_ms()) > window:
        raise Refusal(30007, variant)
    creds = key.credentials
    if not verify(creds.secret, creds.memo, timestamp, signed_payload(req.method, req.query, req.body), signature):
        raise Refusal(30005)


def recv_window(req: Request, body: object) -> int | None:
    """`recvWindow` from the JSON body or the query string (milliseconds), None when absent;
    Refusal(30007) with the document's message when it is not a long, or not within 0 < value < 60000."""
    value: object = body.get("recvWindow") if isinstance(body, dict) else None
    if value is None:
        value = dict(parse_qsl(req.query)).get("recvWindow")
    if value is None:
        return None
    if isinstance(value, bool) or not (isinstance(value, int) or (isinstance(value, str) and _LONG.fullmatch(value))):
        raise Refusal(30007, "must be long type")
    window = int(value)
    if not 0 < window < RECV_WINDOW_MAX_MS:
        raise Refusal(30007, "less than 60000")
    return window
