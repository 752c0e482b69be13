"""The real clients make the test inputs: ccxt 4.5.70 (bitmart) and bitmart-python-sdk-api 2.8.0, with a
mistake injected each time (their serialisation, clock, memo or secret patched), send through
`keyprobe proxy --upstream emulator`; the proxy's inspection, ccxt's own verbose log and a curl command of
the captured request must each name the mistake.

ccxt's load_markets needs spot endpoints the emulator lacks, so ccxt is driven through its implicit API
methods (`private_post_contract_private_submit_order`), which sign exactly as its unified methods do.
"""

from __future__ import annotations

import contextlib
import io
import json
import shlex

import pytest

ccxt = pytest.importorskip("ccxt")
bitmart_sdk = pytest.importorskip("bitmart.api_contract")

from keys.demo import EXAMPLE_KEY, EXAMPLE_MEMO, EXAMPLE_SECRET  # noqa: E402
from keys.signing import Credentials  # noqa: E402
from tui.records import history  # noqa: E402
from tui.inspect.detect import parse  # noqa: E402
from tui.inspect.report import inspect_request  # noqa: E402
from tui.proxy import Proxy  # noqa: E402

UID = "7654321"
ORDER = {"symbol": "BTCUSDT", "side": 1, "type": "limit", "leverage": "10", "open_type": "isolated", "size": 1, "price": "20000"}
CREDS = [Credentials.of(EXAMPLE_KEY, EXAMPLE_SECRET, EXAMPLE_MEMO)]


@pytest.fixture
def proxy(tmp_path, monkeypatch):
    monkeypatch.setenv("KEYPROBE_HOME", str(tmp_path))
    with Proxy("emulator", port=0, uid=UID, emulator_flavour="bitmart") as p:  # ccxt and the SDK speak BitMart
        yield p


def _resign_body(exchange, dump):
    """Wrap ccxt's sign(): the body is re-serialised after the signature was made (signed != sent)."""
    original = exchange.sign

    def sign(path, api="public", method="GET", params={}, headers=None, body=None):  # noqa: B006 - ccxt's signature
        out = original(path, api, method, params, headers, body)
        if out["body"]:
            out["body"] = dump(json.loads(out["body"]))
        return out

    exchange.sign = sign


def _sign_sorted_send_as_given(exchange):
    """Sign a key-sorted dump, then send the params in the order they were given."""
    exchange.json = lambda obj, params=None: json.dumps(obj, separators=(",", ":"), sort_keys=True)
    original = exchange.sign

    def sign(path, api="public", method="GET", params={}, headers=None, body=None):  # noqa: B006
        out = original(path, api, method, params, headers, body)
        out["body"] = json.dumps(params, separators=(",", ":"))
        return out

    exchange.sign = sign


def _edit_headers(exchange, edit):
    original = exchange.sign

    def sign(path, api="public", method="GET", params={}, headers=None, body=None):  # noqa: B006
        out = original(path, api, method, params, headers, body)
        edit(out["headers"])
        return out

    exchange.sign = sign


def _ccxt(base_url, *, secret=EXAMPLE_SECRET, uid=EXAMPLE_MEMO, patch=None):
    ex = ccxt.bitmart({"apiKey": EXAMPLE_KEY, "secret": secret, "uid": uid, "verbose": True})
    ex.urls["api"] = {"spot": base_url, "swap": base_url}
    if patch:
        patch(ex)
    return ex


def _base64_hmac(ex):
    original = ex.hmac
    ex.hmac = lambda request, secret, algorithm=None, digest="hex": original(request, secret, algorithm, "base64")


CCXT_CASES = {
    "none": ({}, ()),
    "body-spaced-json": ({"patch": lambda ex: _resign_body(ex, json.dumps)}, ("body-spaced-json",)),
    "body-sorted-keys": ({"patch": _sign_sorted_send_as_given}, ("body-sorted-keys",)),
    "memo-uid": ({"uid": UID}, ("memo-uid",)),
    "memo-case": ({"uid": EXAMPLE_MEMO.upper()}, ("memo-case",)),
    "memo-whitespace": ({"uid": EXAMPLE_MEMO + " "}, ("memo-whitespace",)),
    "secret-whitespace": ({"secret": EXAMPLE_SECRET + "\n"}, ("secret-whitespace",)),
    "secret-quoted": ({"secret": f'"{EXAMPLE_SECRET}"'}, ("secret-quoted",)),
    "key-secret-swapped": ({"secret": EXAMPLE_KEY}, ("key-secret-swapped",)),
    "timestamp-other": ({"patch": lambda ex: _edit_headers(ex, lambda h: h.update({"X-BM-TIMESTAMP": str(int(h["X-BM-TIMESTAMP"]) + 7)}))},
                        ("timestamp-other",)),
    "hex-uppercase": ({"patch": lambda ex: _edit_headers(ex, lambda h: h.update({"X-BM-SIGN": h["X-BM-SIGN"].upper()}))},
                      ("hex-uppercase",)),
    "digest-base64": ({"patch": _base64_hmac}, ("digest-base64",)),
    "spaced-and-uid": ({"uid": UID, "patch": lambda ex: _resign_body(ex, json.dumps)}, ("body-spaced-json", "memo-uid")),
}


def _curl_of(req) -> str:
    """A curl command of a captured request, as devtools would copy it (every header, the body as --data-raw)."""
    argv = ["curl", req.url, "-X", req.method]
    for name, value in req.headers:
        argv += ["-H", f"{name}: {value}"]
    if req.body:
        argv += ["--data-raw", req.body.decode()]
    return " \\\n  ".join(shlex.quote(a) for a in argv)


@pytest.mark.parametrize("case", list(CCXT_CASES))
def test_ccxt_mistake_is_named_from_proxy_verbose_log_and_curl(proxy, case):
    options, expected = CCXT_CASES[case]
    ex = _ccxt(proxy.base_url, **options)
    raw = []
    proxy.listeners.append(lambda inspection, relayed: raw.append(relayed.raw_request))
    log = io.StringIO()
    with contextlib.redirect_stdout(log):
        try:
            ex.private_post_contract_private_submit_order(dict(ORDER))
        except ccxt.BaseError:
            pass
    assert proxy.wait_for(1)
    via_proxy = proxy.inspections[-1]
    status = "match" if not expected else "mismatch"
    assert (via_proxy.verdict.status, via_proxy.verdict.variants) == (status, expected)
    assert via_proxy.diagnosis is not None and via_proxy.diagnosis.code == (1000 if not expected else 30005)
    # the same request, from ccxt's own verbose print
    fmt, from_log = parse(log.getvalue().encode())
    assert fmt == "ccxt" and len(from_log) == 1 and from_log[0].response is not None
    by_log = inspect_request(from_log[0], CREDS, uid=UID)
    assert (by_log.verdict.status, by_log.verdict.variants) == (status, expected)
    assert by_log.diagnosis.code == via_proxy.diagnosis.code
    # and as a curl command of the captured bytes
    fmt, from_curl = parse(_curl_of(via_proxy.request).encode())
    assert fmt == "curl" and from_curl[0].body == via_proxy.request.body
    by_curl = inspect_request(from_curl[0], CREDS, uid=UID)
    assert by_curl.verdict.variants == expected
    # and as the raw HTTP bytes the proxy forwarded
    fmt, from_raw = parse(raw[0])
    assert fmt == "http" and from_raw[0].body == via_proxy.request.body
    assert inspect_request(from_raw[0], CREDS, uid=UID).verdict.variants == expected


def test_ccxt_clock_and_seconds_mistakes_are_linted_with_a_matching_signature(proxy):
    late = _ccxt(proxy.base_url)
    late.options["timeDifference"] = -120_000  # its clock 2 minutes ahead
    seconds = _ccxt(proxy.base_url, patch=lambda ex: setattr(ex, "nonce", ex.seconds))
    for ex in (late, seconds):
        with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(ccxt.BaseError):
            ex.private_post_contract_private_submit_order(dict(ORDER))
    assert proxy.wait_for(2)
    ahead, in_seconds = proxy.inspections[-2:]
    assert ahead.verdict.status == "match" and ahead.diagnosis.code == 30007
    assert {f.id for f in ahead.findings if f.severity == "error"} >= {"timestamp-far-from-clock", "timestamp-far-from-date"}
    assert in_seconds.verdict.status == "match" and in_seconds.diagnosis.code == 30008
    assert "timestamp-seconds" in {f.id for f in in_seconds.findings}


def _sdk(base_url, *, secret=EXAMPLE_SECRET, memo=EXAMPLE_MEMO, send_as=None):
    from bitmart.api_contract import APIContract

    api = APIContract(EXAMPLE_KEY, secret, memo, url=base_url, timeout=(5, 5))
    sent = []
    original = api.session.send

    def send(prepared, **kwargs):
        if send_as is not None and prepared.body:
            prepared.prepare_body(send_as(json.loads(prepared.body)), None)
        sent.append(prepared)
        return original(prepared, **kwargs)

    api.session.send = send
    return api, sent


def _httpx_json(obj):  # what httpx's json= sends (protocol.md 1.2): compact, not ASCII-escaped
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


SDK_CASES = {
    "none": ({}, ()),
    "httpx-port": ({"send_as": _httpx_json}, ("body-spaced-json",)),
    "memo-uid": ({"memo": UID}, ("memo-uid",)),
    "secret-whitespace": ({"secret": " " + EXAMPLE_SECRET}, ("secret-whitespace",)),
}


@pytest.mark.parametrize("case", list(SDK_CASES))
def test_sdk_mistake_is_named_through_the_proxy(proxy, case):
    from bitmart.lib.cloud_exceptions import APIException

    options, expected = SDK_CASES[case]
    api, _ = _sdk(proxy.base_url, **options)
    with contextlib.suppress(APIException):
        api.post_submit_order(contract_symbol="BTCUSDT", side=1, type="limit", leverage="10", open_type="isolated",
                              size=1, price="20000")
    assert proxy.wait_for(1)
    verdict = proxy.inspections[-1].verdict
    assert verdict.variants == expected and verdict.status == ("match" if not expected else "mismatch")


def test_sdk_non_ascii_body_ported_to_httpx_is_a_pair_of_mistakes(proxy):
    """The SDK signs json.dumps (spaced, \\u-escaped); httpx's json= sends compact raw UTF-8: two variants at once."""
    from bitmart.lib.cloud_consts import Auth

    from bitmart.lib.cloud_exceptions import APIException

    api, sent = _sdk(proxy.base_url, send_as=_httpx_json)
    with pytest.raises(APIException):  # 30005
        api._request("POST", "/contract/private/submit-order", {**ORDER, "client_order_id": "café1"}, Auth.SIGNED)
    assert proxy.wait_for(1)
    assert proxy.inspections[-1].verdict.variants == ("body-spaced-json", "body-ascii-escaped")
    assert sent[0].body == proxy.inspections[-1].request.body


def test_sdk_signs_an_empty_string_for_a_signed_get(proxy):
    from bitmart.lib.cloud_consts import Auth
    from bitmart.lib.cloud_exceptions import APIException

    api, _ = _sdk(proxy.base_url)
    with contextlib.suppress(APIException):
        api._request("GET", "/contract/private/order", {"symbol": "BTCUSDT", "order_id": "23"}, Auth.SIGNED)
    assert proxy.wait_for(1)
    ins = proxy.inspections[-1]
    assert ins.request.query == "symbol=BTCUSDT&order_id=23"
    assert ins.verdict.variants == ("get-signed-empty",)


def test_sdk_and_ccxt_traffic_reaches_the_emulator_byte_for_byte_and_is_in_history(proxy, monkeypatch):
    """What each client sent == what the emulator received (Host aside); every exchange diagnosed and recorded."""
    import tui.emulator.server as server

    received = []
    real_handle = server.handle

    def recording(state, method, path, query, headers, body, client):
        received.append((method, path + ("?" + query if query else ""), [(k, v) for k, v in headers.items()], body))
        return real_handle(state, method, path, query, headers, body, client)

    monkeypatch.setattr(server, "handle", recording)
    api, sdk_sent = _sdk(proxy.base_url)
    api.get_assets_detail()
    api.post_submit_order(contract_symbol="BTCUSDT", side=1, type="limit", leverage="10", open_type="isolated", size=1, price="20000")
    ex = _ccxt(proxy.base_url)
    log = io.StringIO()
    with contextlib.redirect_stdout(log):
        ex.private_post_contract_private_submit_order(dict(ORDER))
        with contextlib.suppress(ccxt.OrderNotFound):  # 40035: answered, and that is all this test needs
            ex.private_get_contract_private_order({"symbol": "BTCUSDT", "order_id": "23"})
    assert proxy.wait_for(4)
    ccxt_sent = parse(log.getvalue().encode())[1]
    clients = [(p.method, p.path_url, dict(p.headers), p.body or b"") for p in sdk_sent]
    clients += [(r.method, r.target, dict(r.headers), r.body) for r in ccxt_sent]
    assert len(received) == len(clients) == 4
    for (method, target, headers, body), (r_method, r_target, r_headers, r_body) in zip(clients, received):
        body = body.encode() if isinstance(body, str) else body
        assert (r_method, r_target, r_body) == (method, target, body)
        got = {k.lower(): v for k, v in r_headers if k.lower() != "host"}
        assert {k.lower(): v for k, v in headers.items() if k.lower() not in ("host", "content-length")} .items() <= got.items()
    assert all(i.diagnosis is not None for i in proxy.inspections)
    entries = history.read().entries
    assert [e["source"] for e in entries] == ["proxy"] * 4
    assert [e["path"] for e in entries] == [r[1].split("?")[0] for r in received]
    assert [e["code"] for e in entries] == [i.diagnosis.code for i in proxy.inspections]
    recorded = history.read().path.read_text() + json.dumps([i.to_dict() for i in proxy.inspections])
    for value in (EXAMPLE_KEY, EXAMPLE_SECRET):  # the history and the JSON lines carry neither key nor secret
        assert not any(value[i:i + 8] in recorded for i in range(len(value) - 7))
