"""The catalog: rows parsed from the vendored documents, and advice for every documented code.

The expected rows come from tests/docrows.py, a regex written independently of
tui/catalog/documents.py, so a parser bug cannot hide behind its own output.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tui.catalog import ADVICE, advice, candidates, family_rows, http_row, rows, status_advice
from docrows import FAMILY_FILES, FILES, SHARED, VENDORED, documented, family_documented
from tui.catalog.advice import BY_MESSAGE, template
from tui.catalog.documents import document_text

VENUES = ("bitmart", "wooxpro")
SIZES = {"bitmart": 76, "bitmart-spot": 206, "wooxpro": 76}  # futures: 4 HTTP + 20 auth + 52 contract (protocol.md 5)


@pytest.mark.parametrize("document", FILES)
def test_vendored_documents_are_the_shared_ones(document):
    vendored = (VENDORED / FILES[document]).read_bytes()
    assert document_text(document).encode("utf-8") == vendored  # the package serves the file in the repository
    if SHARED.is_dir():  # beside the repository in the team's checkout and in CI, absent from a plain clone
        assert vendored == (SHARED / FILES[document]).read_bytes()


@pytest.mark.parametrize("document", FILES)
def test_every_documented_row_is_served(document):
    expected = documented(document)
    assert len(expected) == SIZES[document]
    assert [(r.code, r.message, r.http_status) for r in rows(document)] == expected  # every row, in the document's order


@pytest.mark.parametrize("family", VENUES)
def test_a_family_serves_every_row_of_its_documents(family):
    expected = family_documented(family)
    assert {(r.code, r.message, r.http_status) for r in family_rows(family)} == set(expected)
    for code, message, status in expected:
        found = [http_row(family, code)] if code < 1000 else candidates(family, code)
        assert (code, message, status) in [(r.code, r.message, r.http_status) for r in found]


def test_only_bitmart_has_the_spot_and_account_codes():
    assert candidates("bitmart", 50006) and candidates("bitmart", 90001) and candidates("bitmart", 60000)
    assert not candidates("wooxpro", 50006) and not candidates("wooxpro", 90001) and not candidates("wooxpro", 60000)
    assert [r.message for r in candidates("bitmart", 30007)][0] == "Header X-BM-TIMESTAMP range. Within a minute"
    assert len(candidates("bitmart", 30007)) == 4 and len(candidates("wooxpro", 30007)) == 1
    assert len(candidates("bitmart", 60000)) == 2 and len(candidates("bitmart", 1000)) == 1  # "OK" repeated, kept once


@pytest.mark.parametrize("family", VENUES)
def test_every_documented_code_has_advice_with_a_fix(family):
    for code, message, _status in family_documented(family):
        for item in (advice(code, family), template(code, family, message)):
            assert item.category and item.causes and item.fixes, code
            assert all(t.strip() for t in item.causes + item.fixes + item.notes), code
            assert len(item.topics) == len(item.fixes), code


def test_the_table_has_nothing_the_documents_lack():
    every = {code for document in FILES for code, _m, _s in documented(document)}
    assert set(ADVICE) == every
    assert {c for c, _m, _s in documented("wooxpro")} == {c for c, _m, _s in documented("bitmart")} < every


def test_every_extra_message_of_a_code_has_its_own_advice():
    """30006, 30007 and 60000 have several documented rows: each row after the first reads its own entry."""
    several = {r.code for r in family_rows("bitmart") if r.table != "http" and len(candidates("bitmart", r.code)) > 1}
    assert several == {30006, 30007, 60000}
    for code in several:
        for row in candidates("bitmart", code)[1:]:
            assert (code, row.message) in BY_MESSAGE, (code, row.message)
    assert set(BY_MESSAGE) <= {(r.code, r.message) for r in family_rows("bitmart")}


@pytest.mark.parametrize("venue, own, other", [("bitmart", "X-BM-", "X-API-"), ("wooxpro", "X-API-", "X-BM-")])
def test_header_names_follow_the_venue(venue, own, other):
    codes = {r.code for r in family_rows(venue)}
    texts = [t for code in codes for t in _texts(advice(code, venue))]
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
    for code in (30009, 25601, 50043, 0, -1):
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


def test_a_plain_retry_is_advised_only_where_nothing_in_the_request_is_at_fault():
    codes = {r.code for family in VENUES for r in family_rows(family)}
    retrying = {c for c in codes if any(f.startswith(("Retry later", "Retry the same request")) for f in advice(c).fixes)}
    assert retrying >= {500, 30014, 59002, 60051}
    assert all(advice(c).category == "service" for c in retrying), {c: advice(c).category for c in retrying}
    assert 40012 not in retrying


@pytest.mark.parametrize(
    "code, needles",
    [
        (50006, ["base_min_size", "GET /spot/v1/symbols/details"]),
        (50009, ["min_buy_amount"]),
        (60000, ["int parameter", "string"]),
        (60014, ["not your API key's memo"]),
        (53001, ["KYC", "No change to the request fixes this"]),
        (53004, ["region"]),
        (70002, ["BTC_USDT"]),
        (91011, ["bitmart.WebSocket", "memo"]),
        (30012, ["ccxt#15964", "margin"]),
        (40012, ["Invalid order", "position mode"]),
    ],
)
def test_new_advice_is_specific(code, needles):
    text = _all(code)
    for needle in needles:
        assert needle in text, (code, needle)


def test_each_code_is_looked_up_in_the_part_that_holds_it():
    """tui.catalog.advice imports a part when a code of its range is asked for: every code every part holds routes to
    that part, and every code the documents have routes to a part that holds it (else its advice would be lost)."""
    import importlib

    from tui.catalog.advice import PARTS, entry, part_of

    for name in PARTS:
        part = importlib.import_module(f"tui.catalog.{name}")
        codes = set(part.ADVICE) | {code for code, _ in getattr(part, "BY_MESSAGE", {})} | {code for code, _ in getattr(part, "BY_ORIGIN", {})}
        assert all(part_of(code) == name for code in codes), (name, sorted(c for c in codes if part_of(c) != name))
    for family in ("bitmart", "wooxpro"):
        for row in family_rows(family):
            if row.table != "http":
                assert entry(row.code, row.message) is not None, row
    assert entry(12345) is None and part_of(12345) is None


def test_a_diagnosis_of_a_success_loads_only_the_parts_it_reads():
    import subprocess
    import sys

    code = ("import sys\nfrom tui.diagnosis.diagnose import diagnose_response\n"
            "d = diagnose_response('bitmart', 200, [], b'{\"code\":1000,\"message\":\"OK\",\"data\":{}}')\n"
            "assert d.code == 1000, d\n"
            "print(sorted(m.rsplit('.', 1)[1] for m in sys.modules if m.startswith('tui.catalog.advice_')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    loaded = set(eval(done.stdout))  # noqa: S307 - our own printed list
    assert {"advice_spot", "advice_margin", "advice_account", "advice_websocket"}.isdisjoint(loaded), loaded
