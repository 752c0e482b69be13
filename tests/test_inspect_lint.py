"""Lint without the secret: each finding id on a request that shows it, and none on a clean one."""

from __future__ import annotations

import pytest

from tui.inspect.lint import lint, venue_of
from tui.inspect.model import CapturedRequest, CapturedResponse

KEY = "80618e45710812162b04892c7ee5ead4a3cc3e56"
V2 = "https://api-cloud-v2.bitmart.com"
CLEAN_HEADERS = (("X-BM-KEY", KEY), ("X-BM-TIMESTAMP", "1764525600123"), ("X-BM-SIGN", "ab" * 32),
                 ("Content-Type", "application/json"), ("User-Agent", "bot/1"))


def req(url=V2 + "/contract/private/submit-order", method="POST", headers=CLEAN_HEADERS, body=b'{"a":1}', response=None):
    return CapturedRequest(method, url, headers, body, "curl", response=response)


def ids(r, **kw):
    return {f.id for f in lint(r, **kw)}


def swap(name, value):
    return tuple((k, value if k == name else v) for k, v in CLEAN_HEADERS if not (k == name and value is None))


def test_a_clean_signed_request_has_no_findings():
    assert lint(req()) == []


@pytest.mark.parametrize("request_, finding", [
    (req(headers=swap("X-BM-TIMESTAMP", "1764525600")), "timestamp-seconds"),
    (req(headers=swap("X-BM-TIMESTAMP", "1764525600123.5")), "timestamp-not-13-digits"),
    (req(headers=CLEAN_HEADERS + (("X-API-SIGN", "x"),)), "header-other-venue"),
    (req(headers=CLEAN_HEADERS + (("x-api-signature", "x"),)), "header-other-venue"),
    (req(headers=CLEAN_HEADERS + (("X-BM-SIGNATURE", "x"),)), "header-misspelt"),
    (req(headers=CLEAN_HEADERS + (("X-BM-MEMO", "x"),)), "header-memo"),
    (req(headers=swap("X-BM-SIGN", None)), "auth-missing"),
    (req(url=V2 + "/contract/private/assets-detail", method="GET", body=b""), "auth-extra"),
    (req(headers=swap("X-BM-SIGN", "")), "auth-header-empty"),
    (req(headers=swap("Content-Type", None)), "content-type-missing"),
    (req(headers=swap("Content-Type", "application/x-www-form-urlencoded")), "content-type-not-json"),
    (req(body=b"symbol=BTCUSDT&side=1"), "body-form-encoded"),
    (req(body=b"{'a': 1}"), "body-not-json"),
    (req(body=b'\xef\xbb\xbf{"a":1}'), "body-bom"),
    (req(url=V2 + "/contract/private/order?symbol=X", method="GET", body=b'{"a":1}'), "get-with-body"),
    (req(url="https://api-cloud.bitmart.com/contract/private/submit-order"), "futures-path-on-spot-host"),
    (req(url=V2 + "/spot/v2/submit_order"), "spot-path-on-futures-host"),
    (req(url=V2 + "/contract/v1/ifcontract/submitOrder"), "retired-path"),
    (req(url="https://api-cloud.bitmart.com/spot/v1/submit_order"), "retired-path"),
    (req(headers=swap("X-BM-KEY", KEY + " ")), "key-whitespace"),
    (req(headers=swap("X-BM-KEY", f'"{KEY}"')), "key-quoted"),
    (req(headers=swap("X-BM-KEY", KEY[:30])), "key-not-40-hex"),
    (req(headers=swap("User-Agent", None)), "no-user-agent"),
    (req(url="http://api-cloud-v2.bitmart.com/contract/private/submit-order"), "plain-http"),
    (req(url="https://example.com/contract/private/submit-order"), "host-unknown"),
])
def test_each_finding(request_, finding):
    assert finding in ids(request_)


def test_timestamp_far_from_the_response_date_and_from_the_clock():
    late = CapturedResponse(401, (("Date", "Sun, 30 Nov 2025 18:00:00 GMT"),), b"")  # TS is 2025-11-30 18:00:00.123
    assert "timestamp-far-from-date" not in ids(req(response=late))
    early = CapturedResponse(401, (("Date", "Sun, 30 Nov 2025 18:02:00 GMT"),), b"")
    findings = {f.id: f for f in lint(req(response=early))}
    assert findings["timestamp-far-from-date"].severity == "error" and "behind" in findings["timestamp-far-from-date"].sentence
    assert "timestamp-far-from-clock" in ids(req(), received_at_ms=1764525600123 + 90_000)
    assert "timestamp-far-from-clock" not in ids(req(), received_at_ms=1764525600123 + 1_000)


def test_the_key_is_never_quoted_in_a_finding():
    for f in lint(req(headers=swap("X-BM-KEY", KEY + " "))) + lint(req(headers=swap("X-BM-KEY", KEY[:30]))):
        assert KEY[:8] not in f.sentence and KEY[-8:] not in f.sentence


def test_venue_from_host_then_header_names():
    assert venue_of(req()) == ("bitmart", "bitmart")
    assert venue_of(req(url="https://api-cloud.bitmart.com/x")) == ("bitmart-spot", "bitmart")
    assert venue_of(req(url="https://cloud-api.wooxpro.com/x")) == ("wooxpro", "wooxpro")
    assert venue_of(req(url="http://127.0.0.1:8640/x", headers=(("X-API-KEY", "k"),))) == ("emulator", "wooxpro")


def test_wooxpro_reads_x_api_headers():
    headers = tuple((k.replace("X-BM-", "X-API-"), v) for k, v in CLEAN_HEADERS)
    assert lint(req(url="https://cloud-api.wooxpro.com/contract/private/submit-order", headers=headers)) == []
    assert "header-other-venue" in ids(req(url="https://cloud-api.wooxpro.com/contract/private/submit-order"))
