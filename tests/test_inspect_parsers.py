"""Every input format keyprobe inspect reads, with the bytes kept exactly as written."""

from __future__ import annotations

import json

import pytest

from tui.inspect import ccxtlog, curl
from tui.inspect.detect import parse
from tui.inspect.model import MAX_INPUT_BYTES, InspectError

BODY = '{"symbol":"BTCUSDT","note":"it\'s café"}'


def one(text: str | bytes, fmt: str = "auto"):
    found_fmt, requests = parse(text.encode() if isinstance(text, str) else text, fmt)
    assert len(requests) == 1
    return found_fmt, requests[0]


def test_devtools_copy_as_curl_bash_with_ansi_c_body_and_continuations():
    text = (
        "curl 'https://api-cloud-v2.bitmart.com/contract/private/order?symbol=BTC%20USDT&ids=1,2' \\\n"
        "  -H 'accept: application/json' \\\n"
        "  -H 'X-BM-KEY: abc' \\\n"
        "  --data-raw $'{\"symbol\":\"BTCUSDT\",\"note\":\"it\\'s caf\\xc3\\xa9\"}' \\\n"
        "  --compressed"
    )
    fmt, req = one(text)
    assert fmt == "curl"
    assert req.query == "symbol=BTC%20USDT&ids=1,2"  # as written: no re-encoding
    assert req.body == BODY.encode()
    assert req.method == "POST" and req.header("x-bm-key") == "abc"
    assert req.header("content-type") == "application/x-www-form-urlencoded"  # what curl itself adds to -d


def test_postman_and_keyprobe_curl_forms():
    postman = ("curl --location --request GET 'https://api-cloud.bitmart.com/account/v1/wallet' \\\n"
               "--header 'X-BM-KEY: k'")
    _, req = one(postman)
    assert (req.method, req.path, req.body) == ("GET", "/account/v1/wallet", b"")
    own = ("curl --http1.1 -X POST -H 'Content-Type: application/json' -H 'X-BM-KEY: k' --data-binary "
           "'{\"a\":1}' --globoff 'https://api-cloud-v2.bitmart.com/x?a=[1]'")
    _, req = one(own)
    assert (req.method, req.body, req.query) == ("POST", b'{"a":1}', "a=[1]")
    assert req.header("content-type") == "application/json"


def test_several_curl_commands_double_quotes_and_data_joined():
    text = ('curl -X DELETE "https://h/p?x=\\"1\\"" -d a=1 -d b=2\n'
            "curl --url https://h/q -G -d c=3\n")
    _, reqs = parse(text.encode())
    assert [(r.method, r.query, r.body) for r in reqs] == [("DELETE", 'x="1"', b"a=1&b=2"), ("GET", "c=3", b"")]


@pytest.mark.parametrize("bad", ["curl 'https://h/p", "curl -H", 'curl "https://x'])
def test_broken_curl_is_a_sentence(bad):
    with pytest.raises(InspectError) as err:
        parse(bad.encode())
    assert "\n" not in str(err.value) and len(str(err.value)) > 10


RAW = (b"POST /contract/private/submit-order?a=b%20c HTTP/1.1\r\nHost: api-cloud-v2.bitmart.com\r\n"
       b"X-BM-KEY: k\r\nContent-Length: 9\r\n\r\n{\"a\": 1}\n"
       b"HTTP/1.1 401 Unauthorized\r\nDate: Mon, 30 Nov 2026 18:00:00 GMT\r\nContent-Length: 13\r\n\r\n{\"code\":3000}\n"
       b"GET /system/time HTTP/1.1\nHost: 127.0.0.1:8640\n\n")


def test_raw_http_requests_with_and_without_responses():
    fmt, reqs = parse(RAW)
    assert fmt == "http" and len(reqs) == 2
    first, second = reqs
    assert first.url == "https://api-cloud-v2.bitmart.com/contract/private/submit-order?a=b%20c"
    assert first.body == b'{"a": 1}\n'  # Content-Length bytes, the newline included
    assert first.response.status == 401 and first.response.body == b'{"code":3000}'
    assert second.url == "http://127.0.0.1:8640/system/time" and second.response is None


PY_LOG = (
    "\nfetch Request: bitmart POST https://api-cloud-v2.bitmart.com/contract/private/submit-order RequestHeaders: "
    "{'X-BM-KEY': 'k', 'X-BM-TIMESTAMP': '1589267764859', 'Content-Type': 'application/json', 'X-BM-SIGN': 's'} "
    'RequestBody: {"symbol":"BTCUSDT"}\n'
    "\nfetch Response: bitmart POST https://api-cloud-v2.bitmart.com/contract/private/submit-order 401 ResponseHeaders: "
    "{'Date': 'Mon, 30 Nov 2026 18:00:00 GMT'} ResponseBody: {\"code\":30005,\"message\":\"Header X-BM-SIGN is wrong\"}\n"
)
JS_LOG = (
    "fetch Request:\n bitmart POST https://api-cloud-v2.bitmart.com/contract/private/submit-order \n"
    "RequestHeaders:\n {\n  'X-BM-KEY': 'k',\n  'X-BM-TIMESTAMP': '1589267764859',\n  Accept: 'it\\'s',\n"
    "  'X-BM-SIGN': 's'\n} \nRequestBody:\n {\"symbol\":\"BTCUSDT\"} \n\n"
    "handleRestResponse:\n bitmart POST https://api-cloud-v2.bitmart.com/contract/private/submit-order 401 Unauthorized \n"
    "ResponseHeaders:\n { date: 'Mon, 30 Nov 2026 18:00:00 GMT' } \nResponseBody:\n {\"code\":30005} \n"
)


@pytest.mark.parametrize("log", [PY_LOG, JS_LOG], ids=["python", "javascript"])
def test_ccxt_verbose_output_both_languages(log):
    fmt, req = one(log)
    assert fmt == "ccxt"
    assert req.method == "POST" and req.body == b'{"symbol":"BTCUSDT"}'
    assert req.header("X-BM-TIMESTAMP") == "1589267764859" and req.header("x-bm-sign") == "s"
    assert req.response.status == 401 and req.response.body.startswith(b'{"code":30005')
    assert req.response.header("date") == "Mon, 30 Nov 2026 18:00:00 GMT"


def test_js_log_escapes_in_header_values():
    req = ccxtlog.parse(JS_LOG)[0]
    assert req.header("accept") == "it's"


def test_har_with_many_entries_base64_body_and_pseudo_headers():
    har = {"log": {"entries": [
        {"request": {"method": "POST", "url": "https://api-cloud-v2.bitmart.com/a?q=%2C",
                     "headers": [{"name": ":authority", "value": "x"}, {"name": "X-BM-KEY", "value": "k"}],
                     "postData": {"text": BODY}},
         "response": {"status": 401, "headers": [], "content": {"text": "eyJjb2RlIjozMDAwNX0=", "encoding": "base64"}}},
        {"request": {"method": "GET", "url": "https://api-cloud.bitmart.com/system/time", "headers": []}, "response": {}},
    ]}}
    fmt, reqs = parse(json.dumps(har).encode())
    assert fmt == "har" and len(reqs) == 2
    assert reqs[0].query == "%2C".join(["q=", ""]) and reqs[0].body == BODY.encode()
    assert [k for k, _ in reqs[0].headers] == ["X-BM-KEY"]
    assert reqs[0].response.body == b'{"code":30005}'


def test_keyprobe_history_and_saved_requests(tmp_path, monkeypatch):
    from tui.records import saved
    from tui.exchange import Draft
    from tui.venues import VENUES

    draft = Draft(VENUES["bitmart"], "POST", "/contract/private/submit-order", body='{"a":1}')
    path = saved.save(draft, "order", tmp_path)
    fmt, req = one(path.read_bytes())
    assert fmt == "saved" and req.source == "saved" and not req.headers_known and req.body == b'{"a":1}'
    entry = {"schema": 1, "source": "send", **saved.draft_record(draft), "code": 30005}
    fmt, reqs = parse((json.dumps(entry) + "\n" + json.dumps(entry) + "\n").encode())
    assert fmt == "history" and [r.recorded_code for r in reqs] == [30005, 30005]
    fmt, reqs = parse(json.dumps({"path": "h", "entries": [entry]}).encode())
    assert fmt == "history" and reqs[0].url.endswith("/contract/private/submit-order")


@pytest.mark.parametrize("data, words", [
    (b"hello there", "cannot tell"),
    (b"\x00\x01\x02binary", "binary"),
    (b"[" * 100_000 + b"]" * 100_000, "nested"),
    (b'{"x": 1}', "JSON"),
])
def test_bad_input_is_one_sentence(data, words):
    with pytest.raises(InspectError) as err:
        parse(data)
    assert words in str(err.value)


def test_input_over_the_cap_is_refused_before_parsing():
    with pytest.raises(InspectError, match="at most"):
        parse(b"curl https://h/ " + b" " * MAX_INPUT_BYTES)


def test_forced_format_that_does_not_fit_says_so():
    with pytest.raises(InspectError, match="HAR"):
        parse(b'{"a": 1}', "har")
    with pytest.raises(InspectError, match="fetch Request"):
        parse(b"curl https://h/", "ccxt")


def test_bash_words_keep_comments_and_prompts_out():
    assert curl.commands("$ curl https://h/p # a comment\n") == [["https://h/p"]]


def test_ansi_c_escapes_as_bash_reads_them():
    words = curl.words("$'a\\nb\\t\\u00e9\\x41\\101\\\\'")
    assert words == ["a\nb\té" + "AA\\"]
