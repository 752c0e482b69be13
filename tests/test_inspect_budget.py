"""Issue 21 item 7: `keyprobe inspect` and the console's paste box stop after one total time, with a sentence
naming what was not examined; no request has more than a thousand headers looked at. The budget's clock is
injected (a counter that ticks per look), so no test needs a big input or any waiting."""

from __future__ import annotations

import itertools
import json

from tui.cli import main
from tui.inspect import budget as budget_module
from tui.inspect.batch import inspect_all, unexamined
from tui.inspect.budget import Budget
from tui.inspect.detect import read
from tui.inspect.model import MAX_HEADERS

CURL = "curl -X POST https://api-cloud-v2.bitmart.com/contract/private/submit-order -H 'X-BM-KEY: {n:040d}' -d '{{\"n\":{n}}}'\n"


def ticking(looks: int) -> Budget:
    """A budget spent after `looks` looks at the clock."""
    clock = itertools.count()
    return Budget(looks, clock=lambda: next(clock))


def test_curl_commands_past_the_budget_are_named_not_read():
    text = "".join(CURL.format(n=n) for n in range(400))  # ~50 KB: the splitter looks at the clock every 4,096 characters
    reading = read(text.encode(), "curl", ticking(5))
    assert 0 < len(reading.requests) < 400
    assert "was not read" in reading.unread and f"of {len(text):,}" in reading.unread
    assert reading.requests[-1].body == f'{{"n":{len(reading.requests) - 1}}}'.encode()  # only whole commands kept


def test_requests_past_the_budget_are_named_not_examined():
    text = "".join(CURL.format(n=n) for n in range(5))
    reading = read(text.encode(), "curl", ticking(1000))
    assert len(reading.requests) == 5 and reading.unread is None
    budget = ticking(3)  # one look per request: the third finds it spent
    got = list(inspect_all(reading, [], budget))
    assert len(got) == 2
    sentence = unexamined(reading, len(got), budget)
    assert sentence == "Stopped after the 3 s budget for one input: requests 3 to 5 (of 5 read) were not examined."


def test_raw_http_with_thousands_of_header_lines_is_cut_to_a_thousand():
    head = b"".join(b"X-Pad-%d: v\r\n" % i for i in range(5000))
    data = b"POST /contract/private/submit-order HTTP/1.1\r\nHost: api-cloud-v2.bitmart.com\r\n" + head + b"\r\n{}"
    (req,) = read(data, "http").requests
    assert len(req.headers) == MAX_HEADERS and req.body == b"{}"
    assert any("4,001 more header lines were not examined" in note for note in req.notes)


def test_har_entries_past_the_budget_are_named():
    entry = {"request": {"method": "GET", "url": "https://api-cloud.bitmart.com/system/time", "headers": []}}
    doc = json.dumps({"log": {"entries": [entry] * 50}}).encode()
    reading = read(doc, "har", ticking(10))
    assert len(reading.requests) < 50 and "of the HAR file were not read" in reading.unread


def test_the_cli_stops_and_says_so(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(budget_module, "TOTAL_S", 0.0)
    path = tmp_path / "many.curl"
    path.write_text("".join(CURL.format(n=n) for n in range(3)))
    code = main(["inspect", str(path), "--json"])
    out = capsys.readouterr()
    assert code == 1 and "requests 1 to 3 (of 3 read) were not examined" in out.err
    doc = json.loads(out.out)
    assert doc["requests"] == [] and "not examined" in doc["unexamined"]


def test_the_paste_box_stops_and_says_so():
    from tui.console.screens.inspect_paste import inspect_text

    text = inspect_text("".join(CURL.format(n=n) for n in range(3)), [], budget=ticking(3)).plain
    assert "1. POST" in text and "3. POST" not in text
    assert "were not examined" in text


def test_a_request_gets_the_same_verdict_alone_and_last_in_a_batch():
    """Every entry gets the whole search: the last of a batch is named as it is alone (a646a29 cut entries past
    the 64th to a minimal search once a shared budget was spent)."""
    import hashlib
    import hmac

    from keys.demo import EXAMPLE_KEY, EXAMPLE_MEMO, EXAMPLE_SECRET
    from keys.signing import Credentials
    from tui.inspect.report import inspect_request

    body = '{"symbol":"BTCUSDT","side":1}'

    def entry(n: int) -> dict:
        ts = str(1796660000000 + n)
        signed_ts, payload = (str(int(ts) - 1400), body) if n % 3 == 2 else (ts, '{"symbol": "BTCUSDT", "side": 1}' if n % 3 else body)
        sign = hmac.new(EXAMPLE_SECRET.encode(), f"{signed_ts}#{EXAMPLE_MEMO}#{payload}".encode(), hashlib.sha256).hexdigest()
        headers = {"X-BM-KEY": EXAMPLE_KEY, "X-BM-SIGN": sign, "X-BM-TIMESTAMP": ts, "Content-Type": "application/json"}
        return {"request": {"method": "POST", "url": "https://api-cloud-v2.bitmart.com/contract/private/submit-order",
                            "headers": [{"name": k, "value": v} for k, v in headers.items()], "postData": {"text": body}}}

    reading = read(json.dumps({"log": {"entries": [entry(n) for n in range(90)]}}).encode(), "har")
    own = [Credentials.of(EXAMPLE_KEY, EXAMPLE_SECRET, EXAMPLE_MEMO)]
    batch = list(inspect_all(reading, own, Budget()))
    assert len(batch) == 90
    assert [b.verdict.variants for b in batch[-3:]] == [(), ("body-spaced-json",), ("timestamp-other",)]
    for ins, request in zip(batch[-6:], reading.requests[-6:]):
        alone = inspect_request(request, own)
        batched, single = ins.verdict, alone.verdict
        assert (batched.status, batched.variants, batched.hmacs) == (single.status, single.variants, single.hmacs)
