"""tui/transport/wire.py on its own, over httpx.MockTransport (the emulator-backed tests are in test_wire_emulator.py)."""

from __future__ import annotations

import socket
import ssl

import httpx
import pytest

from keys.demo import EXAMPLE_KEY, EXAMPLE_SECRET, demo_key
from keys.secret import Secret
from keys.signing import AuthLevel, FixedClock, verify
from tui.exchange import RateLimit, Draft, FailureKind
from tui.signing_context import SigningContext
from tui.venues import VENUES, emulator_venue
from tui.transport.failures import classify
from tui.transport.trace import Trace
from tui.transport.wire import Wire, parse_rate_limit, send_once

CREDS = demo_key().credentials
BITMART = VENUES["bitmart"]


def ok_handler(seen: list[httpx.Request]):
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"code": 1000, "message": "OK", "data": {}})

    return handle


async def test_signed_post_signature_verifies_over_the_bytes_received():
    seen: list[httpx.Request] = []
    body = '{"symbol": "BTCUSDT",  "side":1, "note":"café"}'  # spaced and non-ASCII: sent as typed
    async with Wire(transport=httpx.MockTransport(ok_handler(seen))) as wire:
        ex = await wire.send(Draft(BITMART, "POST", "/contract/private/submit-order", body=body), CREDS)
    assert ex.failure is None and ex.response is not None and ex.response.status == 200
    got = seen[0]
    assert got.content == body.encode("utf-8")
    ts, sig = got.headers["X-BM-TIMESTAMP"], got.headers["X-BM-SIGN"]
    assert verify(Secret(EXAMPLE_SECRET), Secret("test001"), ts, got.content.decode(), sig)
    # The Exchange records the same bytes and the same timestamp, with key and signature masked.
    assert ex.request.body == got.content
    assert ex.request.header("X-BM-TIMESTAMP") == ts
    assert ex.request.header("X-BM-KEY") == "#d84ea451"
    assert ex.request.header("X-BM-SIGN") == Secret(sig).fingerprint() != sig  # recorded as its fingerprint
    assert ex.request.evidence.timestamp == ts and ex.request.evidence.payload == body
    assert EXAMPLE_KEY not in repr(ex) and EXAMPLE_SECRET not in repr(ex) and "test001" not in repr(ex)


async def test_headers_are_kept_in_wire_order():
    seen: list[httpx.Request] = []
    async with Wire(transport=httpx.MockTransport(ok_handler(seen))) as wire:
        ex = await wire.send(Draft(BITMART, "POST", "/x", body="{}"), CREDS)
    sent_names = [k.decode() for k, _ in seen[0].headers.raw]
    assert [k for k, _ in ex.request.headers] == sent_names
    assert sent_names[0] == "Host"


async def test_signed_get_signs_the_query_in_the_order_given():
    seen: list[httpx.Request] = []
    draft = Draft(BITMART, "GET", "/contract/private/order", query=(("symbol", "BTCUSDT"), ("order_id", "23")), auth=AuthLevel.SIGNED)
    async with Wire(transport=httpx.MockTransport(ok_handler(seen))) as wire:
        ex = await wire.send(draft, SigningContext.for_venue(draft.venue, CREDS, clock=FixedClock(1589267764859)))
    assert seen[0].url.query == b"symbol=BTCUSDT&order_id=23"
    # protocol.md 1.4: this pre-image signs to 488b6157…e9fd.
    assert seen[0].headers["X-BM-SIGN"] == "488b615729780f40527463c302ebb969f884cb0bbec422c33c1e05829799e9fd"
    assert ex.request.url.endswith("?symbol=BTCUSDT&order_id=23")


async def test_keyed_get_sends_the_key_only_and_none_sends_nothing():
    seen: list[httpx.Request] = []
    async with Wire(transport=httpx.MockTransport(ok_handler(seen))) as wire:
        await wire.send(Draft(BITMART, "GET", "/contract/private/assets-detail"), CREDS)
        await wire.send(Draft(BITMART, "GET", "/system/time"), CREDS)
    keyed, public = seen
    assert keyed.headers["X-BM-KEY"] == EXAMPLE_KEY and "X-BM-SIGN" not in keyed.headers and "X-BM-TIMESTAMP" not in keyed.headers
    assert not any(k.lower().startswith("x-bm-") for k in public.headers)


async def test_wooxpro_uses_x_api_headers():
    seen: list[httpx.Request] = []
    async with Wire(transport=httpx.MockTransport(ok_handler(seen))) as wire:
        ex = await wire.send(Draft(VENUES["wooxpro"], "POST", "/contract/private/cancel-orders", body="{}"), CREDS)
    assert {"x-api-key", "x-api-sign", "x-api-timestamp"} <= {k.lower() for k in seen[0].headers}
    assert ex.request.header("X-API-KEY") == "#d84ea451"


async def test_host_outside_the_binding_sends_nothing():
    seen: list[httpx.Request] = []
    evil = BITMART.at("https://api-cloud-v2.bitmart.com.evil.example")
    async with Wire(transport=httpx.MockTransport(ok_handler(seen))) as wire:
        ex = await wire.send(Draft(evil, "POST", "/contract/private/submit-order", body="{}"), CREDS)
    assert seen == []
    assert ex.failure.kind is FailureKind.SIGNING_REFUSED and ex.request is None and ex.response is None
    assert "Refusing to sign for api-cloud-v2.bitmart.com.evil.example" in ex.failure.sentence
    assert "Nothing was sent" in ex.failure.sentence


async def test_extra_allowed_hosts_let_a_mirror_sign():
    seen: list[httpx.Request] = []
    mirror = BITMART.at("https://mirror.example")
    async with Wire(transport=httpx.MockTransport(ok_handler(seen))) as wire:
        ex = await wire.send(Draft(mirror, "POST", "/x", body="{}"), SigningContext(mirror, CREDS, frozenset({"mirror.example"})))
    assert ex.failure is None and "X-BM-SIGN" in seen[0].headers


async def test_missing_credentials_for_a_signed_request_are_refused():
    seen: list[httpx.Request] = []
    async with Wire(transport=httpx.MockTransport(ok_handler(seen))) as wire:
        ex = await wire.send(Draft(BITMART, "POST", "/x", body="{}"), None)
    assert seen == [] and ex.failure.kind is FailureKind.SIGNING_REFUSED and "needs credentials" in ex.failure.sentence


async def test_body_over_the_cap_is_truncated_with_the_real_size():
    big = b"x" * 100_000
    async with Wire(body_cap=1000, transport=httpx.MockTransport(lambda r: httpx.Response(200, content=big))) as wire:
        ex = await wire.send(Draft(BITMART, "GET", "/system/time"), None)
    assert ex.response.truncated and ex.response.size == 100_000 and ex.response.body == big[:1000]


async def test_body_under_the_cap_is_whole():
    async with Wire(body_cap=1000, transport=httpx.MockTransport(lambda r: httpx.Response(200, content=b"y" * 1000))) as wire:
        ex = await wire.send(Draft(BITMART, "GET", "/system/time"), None)
    assert not ex.response.truncated and ex.response.size == 1000 and len(ex.response.body) == 1000


async def test_rate_limit_headers_are_read_in_any_case():
    headers = {"x-bm-ratelimit-remaining": "2", "X-BM-RateLimit-Limit": "20", "X-BM-RATELIMIT-RESET": "5", "X-BM-RateLimit-Mode": "IP"}
    async with Wire(transport=httpx.MockTransport(lambda r: httpx.Response(200, headers=headers, json={}))) as wire:
        ex = await wire.send(Draft(BITMART, "GET", "/system/time"), None)
    rl = ex.rate_limit
    assert (rl.remaining, rl.limit, rl.reset, rl.mode) == (2, 20, 5, "IP") and rl.present


def test_rate_limit_parsing_edge_cases():
    assert parse_rate_limit((("X-API-RateLimit-Remaining", "7"), ("X-API-RateLimit-Limit", "12"))).remaining == 7
    bad = parse_rate_limit((("X-BM-RateLimit-Remaining", "lots"), ("X-BM-RateLimit-Limit", "10.0")))
    assert bad.remaining is None and bad.limit == 10


def test_rate_limit_summary_counts_remaining_as_used_and_keeps_each_part():
    # BitMart's Remaining counts requests already made: "remaining 1 limit 600" read as one left.
    assert RateLimit(1, 12, 2, "UID").summary() == "1 of 12 used in this window (2 s) · mode UID"
    assert RateLimit(7, None, None, None).summary() == "7 used in this window"
    assert RateLimit(None, 40, 2, None).summary() == "limit 40 per window (2 s)"
    assert RateLimit(None, None, None, "IP").summary() == "mode IP"  # unreadable figures left out
    assert not parse_rate_limit((("Content-Type", "application/json"),)).present


async def test_one_client_per_base_url_is_reused():
    seen: list[httpx.Request] = []
    async with Wire(transport=httpx.MockTransport(ok_handler(seen))) as wire:
        a = wire.client_for("https://api-cloud-v2.bitmart.com")
        await wire.send(Draft(BITMART, "GET", "/system/time"), None)
        await wire.send(Draft(BITMART, "GET", "/system/service"), None)
        assert wire.client_for("https://API-cloud-v2.bitmart.com/") is a
        assert wire.client_for("https://api-cloud.bitmart.com") is not a
    assert a.is_closed


def test_timeouts_are_explicit():
    wire = Wire.with_timeout(2.0)
    assert (wire.timeout.connect, wire.timeout.read, wire.timeout.write) == (2.0, 2.0, 2.0)
    slow = Wire(timeout=30)
    assert (slow.timeout.connect, slow.timeout.read, slow.timeout.write) == (5.0, 30, 30)
    with pytest.raises(ValueError):
        Wire(timeout=0)
    default = Wire()
    assert (default.timeout.connect, default.timeout.read) == (5.0, 15.0) and default.timeout.pool is not None


def _raising(exc: BaseException):
    def handle(request: httpx.Request) -> httpx.Response:
        raise exc

    return handle


def _with_cause(exc: Exception, cause: BaseException) -> Exception:
    exc.__cause__ = cause
    return exc


@pytest.mark.parametrize(
    ("exc", "kind", "words"),
    [
        (_with_cause(httpx.ConnectError("All connection attempts failed"), ConnectionRefusedError(111, "Connection refused")),
         FailureKind.REFUSED, "nothing is listening"),
        (_with_cause(httpx.ConnectError("[Errno -2] Name or service not known"), socket.gaierror(-2, "Name or service not known")),
         FailureKind.DNS, "could not be resolved"),
        (httpx.ConnectTimeout("timed out"), FailureKind.CONNECT_TIMEOUT, "did not answer the connection"),
        (httpx.ReadTimeout("timed out"), FailureKind.READ_TIMEOUT, "did not finish answering in time"),
        (httpx.WriteTimeout("timed out"), FailureKind.WRITE_TIMEOUT, "stopped reading"),
        (httpx.PoolTimeout("timed out"), FailureKind.POOL_TIMEOUT, "No free connection"),
        (_with_cause(httpx.ConnectError("[SSL: WRONG_VERSION_NUMBER] wrong version number"), ssl.SSLError(1, "WRONG_VERSION_NUMBER")),
         FailureKind.TLS, "TLS handshake"),
        (_with_cause(httpx.ReadError("[Errno 104] Connection reset by peer"), ConnectionResetError(104, "Connection reset by peer")),
         FailureKind.RESET, "reset the connection"),
        (httpx.RemoteProtocolError("Server disconnected without sending a response."), FailureKind.RESET, "closed the connection"),
        (httpx.RemoteProtocolError("illegal status line: bytearray(b'SSH-2.0')"), FailureKind.PROTOCOL, "not valid HTTP"),
        (RuntimeError("something odd"), FailureKind.OTHER, "something odd"),
    ],
)
async def test_every_transport_failure_becomes_a_sentence(exc, kind, words):
    async with Wire(transport=httpx.MockTransport(_raising(exc))) as wire:
        ex = await wire.send(Draft(BITMART, "POST", "/contract/private/submit-order", body="{}"), CREDS)
    assert ex.response is None and ex.failure.kind is kind
    assert words in ex.failure.sentence
    where = "api-cloud-v2.bitmart.com" if kind is FailureKind.DNS else "api-cloud-v2.bitmart.com:443"
    assert where in ex.failure.sentence
    # The request was signed and is shown (masked) even though no answer came.
    assert ex.request is not None and ex.request.header("X-BM-KEY") == "#d84ea451"


def test_refused_on_the_emulator_asks_whether_it_runs():
    emu = emulator_venue("http://127.0.0.1:8640")
    failure = classify(_with_cause(httpx.ConnectError("x"), ConnectionRefusedError(111, "Connection refused")), Draft(emu, "GET", "/"))
    assert failure.sentence.startswith("Connection refused by 127.0.0.1:8640: nothing is listening there. Is the emulator running?")



def test_refused_on_another_loopback_port_names_that_port_to_start_an_emulator_on():
    """A saved request from a one-call emulator names a port nobody listens on any more; `keyprobe emulator`
    alone listens on 8640, so the old hint did not help (a new user's replay)."""
    import socket

    with socket.socket() as holder:  # a port that was free a moment ago and has no listener
        holder.bind(("127.0.0.1", 0))
        port = holder.getsockname()[1]
    ex = send_once(Draft(emulator_venue(f"http://127.0.0.1:{port}"), "GET", "/system/time"), None)
    assert ex.failure.kind is FailureKind.REFUSED
    assert f"`keyprobe emulator --port {port}`" in ex.failure.sentence

def test_bad_scheme_is_explained():
    venue = BITMART.at("ftp://api-cloud-v2.bitmart.com")
    ex = send_once(Draft(venue, "GET", "/system/time"), None)
    assert ex.failure.kind is FailureKind.OTHER and "http:// or https://" in ex.failure.sentence


def test_refused_over_a_real_closed_port():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # bound then closed: nothing listens on it now
    ex = send_once(Draft(emulator_venue(f"http://127.0.0.1:{port}"), "GET", "/system/time"), None, timeout=2)
    assert ex.failure.kind is FailureKind.REFUSED and f"127.0.0.1:{port}" in ex.failure.sentence


def test_trace_turns_stamps_into_phase_durations():
    ms = 1_000_000
    t = Trace(wall0_ns=1_700_000_000_000 * ms, perf0_ns=0)
    t.events = {
        "connect_tcp.started": 1 * ms, "connect_tcp.complete": 3 * ms,
        "start_tls.started": 3 * ms, "start_tls.complete": 7 * ms,
        "send_request_headers.started": 8 * ms, "send_request_body.complete": 9 * ms,
        "receive_response_headers.complete": 19 * ms, "receive_response_body.complete": 24 * ms,
    }
    t.end_ns = 25 * ms
    tm = t.timings()
    assert (tm.connect_ms, tm.tls_ms, tm.request_sent_ms, tm.first_byte_ms, tm.body_ms, tm.total_ms) == (2, 4, 1, 10, 5, 25)
    assert t.wall_ms(t.request_started_ns) == 1_700_000_000_008


async def test_trace_keeps_the_first_stamp_of_each_event_and_reads_http2_too():
    t = Trace.start()
    await t.record("http2.send_request_headers.started", {})
    first = t.at("send_request_headers.started")
    await t.record("http2.send_request_headers.started", {})
    await t.record("connection.connect_tcp.started", {})
    assert t.at("send_request_headers.started") == first == t.request_started_ns
    assert set(t.events) == {"send_request_headers.started", "connect_tcp.started"}
