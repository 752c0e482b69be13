"""`keyprobe inspect` is total: whatever a hostile file holds, the answer is a report or a one-sentence error,
never a traceback. Each case below was a traceback before its fix (lone surrogates from JSON/JS/bash escapes,
numbers past Python's 4300-digit int limit, code points past U+10FFFF); the property feeds the same pieces to
every input format at random."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from keys.demo import DEMO_KEYS
from tui.inspect.detect import parse
from tui.inspect.model import InspectError
from tui.inspect.render import one_line, print_inspections
from tui.inspect.report import inspect_request
from tui.output.terminal_safe import dumps

URL = "https://api-cloud.bitmart.com/spot/v2/submit_order"
LOOP = "http://127.0.0.1:8765/spot/v2/submit_order"
SIGNED = {"X-BM-KEY": "a" * 40, "X-BM-SIGN": "0" * 64, "X-BM-TIMESTAMP": "1700000000000"}
CREDS = [k.credentials for k in DEMO_KEYS]


def har(request: dict | None = None, response: dict | None = None) -> str:
    req = {"method": "POST", "url": URL, "headers": [{"name": k, "value": v} for k, v in SIGNED.items()],
           "postData": {"text": "{}"}, **(request or {})}
    resp = {"status": 401, "headers": [], "content": {"text": '{"code":30005}'}, **(response or {})}
    return json.dumps({"log": {"entries": [{"request": req, "response": resp}]}})


def ccxt_py(headers: str = "{'X-BM-KEY': 'a'}", status: str = "401", url: str = URL) -> str:
    return (f"fetch Request: bitmart POST {url} RequestHeaders: {headers} RequestBody: {{}}\n"
            f"fetch Response: bitmart POST {url} {status} ResponseHeaders: {{}} ResponseBody: {{\"code\":30005}}\n")


def ccxt_js(headers: str) -> str:
    return f"fetch Request:\n bitmart POST {URL}\nRequestHeaders:\n {headers}\nRequestBody:\n {{}}\n"


def raw_http(content_length: str) -> str:
    return (f"POST /spot/v2/submit_order HTTP/1.1\r\nHost: api-cloud.bitmart.com\r\nContent-Length: {content_length}\r\n"
            "\r\n{}\r\nHTTP/1.1 401 Unauthorized\r\nContent-Length: " + content_length + "\r\n\r\n{}")


SIGNED_CURL = " ".join(f"-H '{k}: {v}'" for k, v in SIGNED.items())
HOSTILE = {
    # lone surrogates: JSON's "\ud800", JS's '\uD800' and bash's $'\ud800' decode to text no encoder can write
    "har body \\ud800": har({"postData": {"text": "\ud800"}}),
    "har key header \\ud800": har({"headers": [{"name": "X-BM-KEY", "value": "\ud800"},
                                               {"name": "X-BM-SIGN", "value": "00"}, {"name": "X-BM-TIMESTAMP", "value": "1"}]}),
    "har method \\ud800": har({"method": "\ud800"}),
    "har url \\ud800": har({"url": URL + "?a=\udfff"}),
    "har answer \\ud800": har(response={"content": {"text": '{"code":30005,"message":"\ud800"}'}}),
    "curl body $'\\ud800'": f"curl -X POST {URL} {SIGNED_CURL} -d $'\\ud800'",
    "curl key $'\\ud800'": f"curl -X POST {URL} -H $'X-BM-KEY: \\ud800' -H 'X-BM-SIGN: 00' -H 'X-BM-TIMESTAMP: 1' -d '{{}}'",
    "curl loopback $'\\ud800'": f"curl -X POST $'{LOOP}?a=\\ud800' {SIGNED_CURL} -d $'\\udbff'",
    "ccxt py key '\\ud800'": ccxt_py("{'X-BM-KEY': '\\ud800', 'X-BM-SIGN': '00', 'X-BM-TIMESTAMP': '1700000000000'}"),
    "ccxt js key '\\uD800'": ccxt_js("{ 'X-BM-KEY': '\\uD800', 'X-BM-SIGN': '00', 'X-BM-TIMESTAMP': '1700000000000' }"),
    "history body \\ud800": json.dumps({"method": "POST", "path": "/x", "venue": "bitmart",
                                        "base_url": "https://api-cloud.bitmart.com", "body": "\ud800"}) + "\n{}\n",
    "saved path \\ud800": json.dumps({"schema": 1, "venue": "bitmart", "base_url": "https://api-cloud.bitmart.com",
                                      "method": "GET", "path": "/x\ud800", "query": [["a", "\udfff"]]}),
    # code points past U+10FFFF
    "curl $'\\U0011FFFF'": f"curl $'\\U0011FFFF' {URL}",
    "ccxt js '\\u{FFFFFF}'": ccxt_js("{ 'X-BM-KEY': '\\u{FFFFFF}' }"),
    # numbers past Python's 4300-digit limit for int <-> str
    "ccxt py hex key": ccxt_py("{'X-BM-KEY': 0x" + "f" * 5000 + "}"),
    "ccxt py 5000-digit status": ccxt_py(status="9" * 5000),
    "ccxt py superscript status": ccxt_py(status="\u00b2\u00b2\u00b2"),
    "http 5000-digit Content-Length": raw_http("9" * 5000),
}


def inspect_all(data: bytes) -> str:
    """parse + inspect (with and without key material) + every printer; InspectError is the only way out."""
    import contextlib
    import io

    fmt, requests = parse(data)
    out = io.StringIO()
    for creds in (CREDS, []):
        inspections = [inspect_request(r, creds, max_seconds=0.05) for r in requests]
        with contextlib.redirect_stdout(out):
            print_inspections(inspections)
        out.write("".join(one_line(i) for i in inspections))
        out.write(dumps({"format": fmt, "requests": [i.to_dict() for i in inspections]}))
    text = out.getvalue()
    text.encode("utf-8")  # printable: a lone surrogate would fail at the terminal
    assert not {"\x1b", "\x07", "\x9b"} & set(text)
    return text


def _id(name: str) -> str:
    """A test id without backslashes ("\\ud800" -> "U+D800"): mutmut selects tests by id in a second pytest session
    of its own process, where pytest finds no id that holds a backslash."""
    return re.sub(r"\\[uU]\{?0*([0-9A-Fa-f]+)\}?", lambda m: f"U+{m.group(1).upper()}", name)


@pytest.mark.parametrize("text", HOSTILE.values(), ids=[_id(name) for name in HOSTILE])
def test_a_hostile_input_is_a_report_or_a_sentence(text):
    try:
        inspect_all(text.encode("utf-8", "surrogatepass"))
    except InspectError as exc:
        assert str(exc).endswith(".") and "\n" not in str(exc)


def test_a_lone_surrogate_reads_as_the_replacement_character_a_client_would_send():
    # JavaScript's and Python's encoders cannot write a lone surrogate; TextEncoder and Node send U+FFFD
    (_, (request,)) = parse(har({"postData": {"text": '{"a":"\ud800"}'}}).encode("utf-8", "surrogatepass"))
    assert request.body == '{"a":"\ufffd"}'.encode()
    (_, (request,)) = parse(ccxt_js("{ 'X-BM-KEY': '\\uD800', 'X-A': '\\u0041BC' }").encode())
    assert request.header("X-BM-KEY") == "\ufffd"
    assert request.header("X-A") == "ABC"  # \u takes exactly four hex digits, as in JavaScript


def test_bytes_that_are_not_utf8_are_kept_as_the_bytes_they_were():
    (_, (request,)) = parse(f"curl -X POST {URL} -d $'{{\"a\":\"\\xff\\xfe\"}}'".encode())
    assert request.body == b'{"a":"\xff\xfe"}'


NASTY = ["\ud800", "\udfff", "\udcff", "\\ud800", "\\uD800", "\\u{110000}", "\\U0011FFFF", "\\x", "\\", "'", '"', "$'",
         "9" * 4400, "0x" + "f" * 4400, "\x1b]52;c;eA==\x07", "\x9b31m", "\x00", "\u00b2", "{", "[" * 300, "\r\n\r\n"]
pieces = st.lists(st.sampled_from(NASTY) | st.text(max_size=8), max_size=6).map("".join)
TEMPLATES = [
    lambda p: f"curl -X POST {URL} -H 'X-BM-KEY: {p}' -H 'X-BM-SIGN: {p}' -H 'X-BM-TIMESTAMP: 1' -d $'{p}'",
    lambda p: f"curl {p} {URL} {p}",
    lambda p: har({"method": p, "url": URL + p, "headers": [{"name": p, "value": p}], "postData": {"text": p}},
                  {"status": 401, "headers": [{"name": "Date", "value": p}], "content": {"text": p}}),
    lambda p: ccxt_py("{'X-BM-KEY': '" + p + "', " + p + "}", status=p),
    lambda p: ccxt_js("{ 'X-BM-KEY': '" + p + "', X: " + p + " }"),
    lambda p: f"POST /x{p} HTTP/1.1\r\nHost: {p}\r\nContent-Length: {p}\r\nX-BM-KEY: {p}\r\n\r\n{p}",
    lambda p: json.dumps({"schema": 1, "venue": "bitmart", "base_url": "https://api-cloud.bitmart.com", "method": "POST",
                          "path": "/" + p, "body": p, "query": [[p, p]], "headers": [[p, p]]}),
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(template=st.sampled_from(range(len(TEMPLATES))), piece=pieces)
@example(template=4, piece="\\uD800abc")
@example(template=3, piece="0x" + "f" * 4400)
def test_every_format_is_total_over_hostile_pieces(template, piece):
    try:
        inspect_all(TEMPLATES[template](piece).encode("utf-8", "surrogatepass"))
    except InspectError:
        pass


def test_bytes_that_are_not_utf8_print_on_a_strict_utf8_terminal(tmp_path):
    """In any UTF-8 locale but C, Python's stdout refuses surrogates: a log with one latin-1 byte was a traceback.
    The byte is shown (as its escape, or `?` in a clipped URL); --json carries it as a JSON escape, still valid JSON."""
    import os
    import subprocess
    import sys

    log = tmp_path / "latin1.log"
    log.write_bytes(b"curl 'https://api-cloud.bitmart.com/spot/v1/caf\xe9' -H 'X-BM-KEY: k\xff' -H 'X-BM-SIGN: 00'\n")
    env = {**os.environ, "PYTHONIOENCODING": "utf-8:strict", "KEYPROBE_HOME": str(tmp_path)}
    for extra in ([], ["--json"]):
        run = subprocess.run([sys.executable, "-m", "tui", "inspect", str(log), *extra], capture_output=True, env=env)
        assert run.returncode in (0, 1) and b"Traceback" not in run.stderr, run.stderr.decode(errors="replace")
        out = run.stdout.decode("utf-8")  # strict: valid UTF-8
        if extra:
            assert json.loads(out)["requests"][0]["url"].endswith("caf\udce9")  # the byte, read back as it was read
        else:
            assert "/spot/v1/caf" in out
