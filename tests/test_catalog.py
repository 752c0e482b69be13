"""The catalog: rows parsed from the vendored documents, and advice for every documented code.

The expected rows come from tests/docrows.py, a regex written independently of
tui/catalog/documents.py, so a parser bug cannot hide behind its own output.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tui.catalog import ADVICE, advice, http_row, lookup, rows, status_advice
from docrows import FILES, SHARED, VENDORED, documented
from tui.catalog.documents import document_text

VENUES = ("bitmart", "wooxpro")


@pytest.mark.parametrize("venue", VENUES)
def test_vendored_documents_are_the_shared_ones(venue):
    vendored = (VENDORED / FILES[venue]).read_text(encoding="utf-8")
    assert document_text(venue) == vendored  # the package serves the file in the repository
    if SHARED.is_dir():  # beside the repository in the team's checkout and in CI, absent from a plain clone
        assert vendored == (SHARED / FILES[venue]).read_text(encoding="utf-8")


@pytest.mark.parametrize("venue", VENUES)
def test_every_documented_row_is_served(venue):
    expected = documented(venue)
    assert len(expected) == 76  # 4 HTTP rows + 20 auth rows + 52 contract rows (protocol.md section 5)
    served = {(r.code, r.message, r.http_status) for r in rows(venue)}
    assert served == set(expected)
    for code, message, status in expected:
        row = http_row(venue, code) if code < 1000 else lookup(venue, code)
        assert (row.code, row.message, row.http_status) == (code, message, status)


@pytest.mark.parametrize("venue", VENUES)
def test_every_documented_code_has_advice_with_a_fix(venue):
    for code, _message, _status in documented(venue):
        item = advice(code, venue)
        assert item.category and item.causes and item.fixes, code
        assert all(t.strip() for t in item.causes + item.fixes + item.notes), code
        assert len(item.topics) == len(item.fixes), code


def test_the_table_has_nothing_the_documents_lack():
    assert set(ADVICE) == {code for code, _m, _s in documented("bitmart")} == {c for c, _m, _s in documented("wooxpro")}


@pytest.mark.parametrize("venue, own, other", [("bitmart", "X-BM-", "X-API-"), ("wooxpro", "X-API-", "X-BM-")])
def test_header_names_follow_the_venue(venue, own, other):
    texts = [t for code in ADVICE for t in _texts(advice(code, venue))]
    assert not [t for t in texts if other in t]
    assert not [t for t in texts if re.search(r"\{[A-Z0-9]+\}", t)], "a template was left unfilled"
    assert f"{own}SIGN" in " ".join(advice(30004, venue).fixes)
    assert f"{own}RateLimit-Reset" in " ".join(advice(30013, venue).fixes)
    assert f"{own}TIMESTAMP" in " ".join(advice(30008, venue).fixes)


def _texts(item):
    return (item.category, *item.causes, *item.fixes, *item.notes)


def _all(code, venue="bitmart"):
    return " ".join(_texts(advice(code, venue)))


@pytest.mark.parametrize(
    "code, needles",
    [
        (30005, ["memo", "UID", "KEYED", "serialise the body once", "whitespace"]),
        (30007, ["keyprobe skew", "60 s", "Re-sign on every retry", "never reuse a timestamp"]),
        (30008, ["13-digit", "not seconds, not a float"]),
        (30010, ["public egress IP", "192.168.x", "about a minute"]),
        (30013, ["X-BM-RateLimit-Reset"]),
        (30017, ["X-BM-RateLimit-Reset", "418", "customer service"]),
        (30018, ["application/json", "503"]),
        (30030, ["https://api-cloud-v2.bitmart.com", "/contract/"]),
        (30031, ["https://api-cloud-v2.bitmart.com"]),
        (40013, ["Slow down", "keyprobe skew", "merges two entries"]),
        (40034, ["BTCUSDT", "BTC_USDT"]),
        (40049, ["32"]),
        (401, ["3 header parameters", "memo"]),
    ],
)
def test_advice_is_specific(code, needles):
    text = _all(code)
    for needle in needles:
        assert needle in text, (code, needle)


def test_wooxpro_hosts_are_its_own():
    assert "https://cloud-api.wooxpro.com" in _all(30030, "wooxpro")
    assert "bitmart.com" not in _all(404, "wooxpro")


@pytest.mark.parametrize(
    "codes, needle",
    [
        ((30016, 30019, 30030, 30031, 42000), "HTTP 200 although it is an error"),
        ((30018,), "HTTP 503 although it is a client error"),
        ((30017,), "HTTP 418"),
        ((30000,), "HTTP 404"),
        ((40046, 40047, 40048, 40049, 40050), "HTTP 403"),
        ((40012,), "HTTP 400"),
        ((40001, 40002), "pairs code 40001 with the message"),
        ((40021,), "'exsit'"),
        ((40024,), "'warnning'"),
        ((1000,), "success body"),
        ((40020,), "25601"),
    ],
)
def test_document_oddities_are_noted(codes, needle):
    for code in codes:
        assert any(needle in n for n in advice(code).notes), (code, needle)


def test_unknown_codes_have_no_advice():
    for code in (30009, 25601, 50020, 0, -1):
        with pytest.raises(KeyError, match="not in the documents"):
            advice(code)


def test_status_advice_covers_statuses_outside_the_http_table():
    assert status_advice(502).category == "service"
    assert status_advice(429).category == "rate limit"
    assert status_advice(418).category == "rate limit"
    assert status_advice(301).category == "redirect"
    assert status_advice(200, "wooxpro").category == "unexpected response"
    assert status_advice(404) == advice(404)  # a documented status keeps its documented advice
    with pytest.raises(ValueError, match="unknown venue family"):
        advice(30005, "binance")
