"""Import formats of issue 23 (coloured ccxt logs, the official SDK's debug log, both from the real clients) and
the parser behaviours issue 26's mutation run found unchecked: curl's quoting and -G, ccxt's body bytes and
response pairing, lint of HTTP/2's lower-case header names, a SIGNED call missing its timestamp, PUT bodies."""

from __future__ import annotations

import contextlib
import io
import json
import logging

import pytest

from keys.demo import EXAMPLE_KEY, EXAMPLE_MEMO, EXAMPLE_SECRET
from tui.inspect import ccxtlog, curl
from tui.inspect.batch import key_material
from tui.inspect.detect import parse
from tui.inspect.lint import lint, venue_of
from tui.inspect.model import CapturedRequest
from tui.inspect.report import inspect_request

ORDER = {"symbol": "BTCUSDT", "side": 1, "type": "limit", "leverage": "10", "open_type": "isolated", "size": 1, "price": "20000"}


@pytest.fixture(scope="module")
def emulator():
    from tui.emulator import Emulator

    with Emulator() as emu:
        yield emu


def sdk_debug_log(base_url: str, memo: str) -> str:
    """The SDK's own log lines, as `cloud_utils.config_logging(logging, DEBUG)` formats them, of a KEYED GET and
    a signed POST (and the bot's line when the SDK raises)."""
    from bitmart.api_contract import APIContract
    from bitmart.lib.cloud_exceptions import APIException

    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(logging.Formatter("%(asctime)s.%(msecs)03d UTC %(levelname)s %(name)s: %(message)s", "%Y-%m-%d %H:%M:%S"))
    loggers = [logging.getLogger(name) for name in ("bitmart", "urllib3", "bot")]
    saved = [(lg.level, lg.propagate) for lg in loggers]
    factory = logging.getLogRecordFactory()
    logging.setLogRecordFactory(logging.LogRecord)  # the bot's own process: keyprobe's redaction is not in it
    for lg in loggers:
        lg.addHandler(handler)
        lg.setLevel(logging.DEBUG)
        lg.propagate = False
    try:
        api = APIContract(EXAMPLE_KEY, EXAMPLE_SECRET, memo, url=base_url, timeout=(5, 5))
        api.get_assets_detail()
        try:
            api.post_submit_order(contract_symbol="BTCUSDT", side=1, type="limit", leverage="10", open_type="isolated",
                                  size=1, price="20000")
        except APIException as exc:
            logging.getLogger("bot").error("order failed: %s", exc)
    finally:
        logging.setLogRecordFactory(factory)
        for lg, (level, propagate) in zip(loggers, saved):
            lg.removeHandler(handler)
            lg.setLevel(level)
            lg.propagate = propagate
    return out.getvalue()


def test_the_official_sdk_debug_log_is_read_and_its_mistake_named(emulator):
    pytest.importorskip("bitmart.api_contract")
    good, bad = sdk_debug_log(emulator.base_url, EXAMPLE_MEMO), sdk_debug_log(emulator.base_url, "5550001")
    fmt, requests = parse(good.encode())
    assert fmt == "sdk" and [r.method for r in requests] == ["GET", "POST"]
    keyed, order = requests
    assert not keyed.headers_known and keyed.response.status == 200 and b'"code":1000' in keyed.response.body
    assert json.loads(order.body) == {"symbol": "BTCUSDT", "type": "limit", "side": 1, "leverage": "10",
                                      "open_type": "isolated", "price": "20000", "size": 1}
    assert order.header("Content-Type") == "application/json" and order.header("X-BM-KEY") == EXAMPLE_KEY
    ins = inspect_request(order, key_material([], order.host))
    assert ins.verdict.status == "match" and ins.diagnosis.code == 1000 and not [f for f in ins.findings if f.severity == "error"]
    # the memo mistake, with the answer the bot logged from the SDK's APIException (forced format too)
    for forced in ("auto", "sdk"):
        _, (_, failed) = parse(bad.encode(), forced)
        assert failed.response.status == 401 and b"30005" in failed.response.body
        ins = inspect_request(failed, key_material([], failed.host), uid="5550001")
        assert ins.verdict.variants == ("memo-uid",) and ins.diagnosis.code == 30005


def ccxt_verbose_log(base_url: str) -> str:
    ccxt = pytest.importorskip("ccxt")
    ex = ccxt.bitmart({"apiKey": EXAMPLE_KEY, "secret": EXAMPLE_SECRET, "uid": EXAMPLE_MEMO.upper(), "verbose": True})
    ex.urls["api"] = {"spot": base_url, "swap": base_url}
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.suppress(ccxt.BaseError):
        ex.private_post_contract_private_submit_order(dict(ORDER))
    return out.getvalue()


@pytest.mark.parametrize("colour", [
    lambda line: f"\x1b[36m{line}\x1b[0m",  # a log viewer colouring each line
    lambda line: f"\x1b[2m12:00:01\x1b[22m \x1b[1;34m{line}\x1b[0m" if line.startswith("fetch") else line,
    lambda line: line.replace("fetch Request:", "\x1b[32mfetch\x1b[39m \x1b[32mRequest:\x1b[39m"),
])
def test_a_coloured_ccxt_log_is_read_auto_and_forced(emulator, colour):
    plain = ccxt_verbose_log(emulator.base_url)
    coloured = "\n".join(colour(line) for line in plain.split("\n"))
    _, (expected,) = parse(plain.encode())
    for fmt in ("auto", "ccxt"):
        found, (req,) = parse(coloured.encode(), fmt)
        assert found == "ccxt" and req.headers == expected.headers and req.body == expected.body
        assert (req.method, req.url) == (expected.method, expected.url)
        assert req.response.status == 401 and req.response.body == expected.response.body
        assert inspect_request(req, key_material([], req.host)).verdict.variants == ("memo-case",)


def test_ccxt_python_log_keeps_the_body_bytes_whitespace_included():
    line = ("fetch Request: bitmart POST https://api-cloud-v2.bitmart.com/x RequestHeaders: {'X-BM-KEY': 'k'} "
            'RequestBody: {"a": 1,  "b":2}  \n')
    assert ccxtlog.parse(line)[0].body == b'{"a": 1,  "b":2}  '
    js = 'fetch Request:\n bitmart POST https://api-cloud-v2.bitmart.com/x \nRequestBody:\n  {"a": 1}\t  \n'
    assert ccxtlog.parse(js)[0].body == b' {"a": 1}\t '  # console.log's one space each side dropped, nothing more


def test_two_identical_ccxt_requests_each_get_their_own_answer():
    url = "https://api-cloud-v2.bitmart.com/contract/private/submit-order"
    req = f"fetch Request: bitmart POST {url} RequestHeaders: {{}} RequestBody: {{}}\n"
    answer = f"fetch Response: bitmart POST {url} {{status}} ResponseHeaders: {{{{}}}} ResponseBody: {{{{\"code\":{{code}}}}}}\n"
    sequential = req + answer.format(status=200, code=1000) + req + answer.format(status=401, code=30005)
    at_once = req + req + answer.format(status=200, code=1000) + answer.format(status=401, code=30005)  # asyncio
    for log in (sequential, at_once):
        first, second = ccxtlog.parse(log)
        assert (first.response.status, second.response.status) == (200, 401)
        assert first.response.body == b'{"code":1000}' and second.response.body == b'{"code":30005}'


def test_curl_double_quotes_keep_an_escaped_backslash():
    assert curl.words('"a\\\\b" "c\\$d" "e\\xf"') == ["a\\b", "c$d", "e\\xf"]
    (req,) = curl.parse('curl https://h/p -H "X-BM-SIGN: ab\\\\cd"')
    assert req.header("X-BM-SIGN") == "ab\\cd"


def test_curl_get_data_is_appended_to_a_url_that_has_a_query():
    (req,) = curl.parse("curl -G 'https://h/p?symbol=BTCUSDT' -d order_id=23 -d note=")
    assert (req.method, req.query, req.body) == ("GET", "symbol=BTCUSDT&order_id=23&note=", b"")


def _request(headers, method="POST", url="http://127.0.0.1:8640/contract/private/submit-order", body=b'{"a":1}'):
    return CapturedRequest(method, url, tuple(headers), body, "har")


def test_http2_lower_case_header_names_are_read_as_the_venue_headers():
    lower = [("x-api-key", "k" * 40), ("x-api-sign", "0" * 64), ("x-api-timestamp", "1764525600123"),
             ("content-type", "application/json"), ("user-agent", "bot")]
    assert venue_of(_request(lower)) == ("emulator", "wooxpro")
    assert not [f for f in lint(_request(lower)) if f.severity == "error"]
    on_bitmart = _request(lower, url="https://api-cloud-v2.bitmart.com/contract/private/submit-order")
    assert "header-other-venue" in {f.id for f in lint(on_bitmart)}


def test_a_signed_call_missing_only_its_timestamp():
    found = lint(_request([("X-BM-KEY", "k" * 40), ("X-BM-SIGN", "0" * 64), ("User-Agent", "bot"),
                           ("Content-Type", "application/json")]))
    missing = [f for f in found if f.id == "auth-missing"]
    assert len(missing) == 1 and missing[0].sentence.endswith("X-BM-TIMESTAMP is missing.")


def test_put_bodies_are_linted_like_post_bodies():
    ids = {f.id for f in lint(_request([("User-Agent", "bot"), ("Content-Type", "application/x-www-form-urlencoded")],
                                       method="PUT", body=b"a=1&b=2"))}
    assert {"content-type-not-json", "body-form-encoded"} <= ids
    assert not {f.id for f in lint(_request([("User-Agent", "bot")], method="GET", body=b""))} & {"content-type-missing"}


def test_a_finding_that_explains_a_mismatch_is_named_not_the_key_material():
    """A form-encoded body whose signature nothing known reproduces: the conclusion names body-form-encoded."""
    from keys.signing import Credentials

    own = [Credentials.of(EXAMPLE_KEY, EXAMPLE_SECRET, EXAMPLE_MEMO)]
    headers = [("X-BM-KEY", EXAMPLE_KEY), ("X-BM-SIGN", "ab" * 32), ("X-BM-TIMESTAMP", "1764525600123"),
               ("User-Agent", "bot"), ("Content-Type", "application/x-www-form-urlencoded")]
    url = "https://api-cloud-v2.bitmart.com/contract/private/submit-order"
    ins = inspect_request(CapturedRequest("POST", url, tuple(headers), b"symbol=BTCUSDT&side=1", "curl"), own)
    assert ins.verdict.status == "mismatch" and ins.verdict.variants == ()
    assert "(body-form-encoded)" in ins.verdict.sentence and "not in question" in ins.verdict.sentence
    assert "is not the one in this key material" not in ins.verdict.sentence


def test_the_other_venue_s_header_names_on_a_real_host_are_not_checked_by_the_venue():
    from keys.signing import Credentials, sign

    own = [Credentials.of(EXAMPLE_KEY, EXAMPLE_SECRET, EXAMPLE_MEMO)]
    body = '{"symbol":"BTCUSDT"}'
    headers = [("X-API-KEY", EXAMPLE_KEY), ("X-API-SIGN", sign(EXAMPLE_SECRET, "1764525600123", EXAMPLE_MEMO, body)),
               ("X-API-TIMESTAMP", "1764525600123"), ("User-Agent", "bot"), ("Content-Type", "application/json")]
    url = "https://api-cloud-v2.bitmart.com/contract/private/submit-order"
    ins = inspect_request(CapturedRequest("POST", url, tuple(headers), body.encode(), "har"), own)
    assert ins.verdict.status == "not-checked-by-venue" and "header-other-venue" in ins.verdict.sentence
    assert "header-other-venue" in {f.id for f in ins.findings}
