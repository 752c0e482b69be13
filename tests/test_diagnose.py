"""tui.diagnosis.diagnose: envelopes of every shape, documented vs undocumented codes, fixes ordered by evidence
from a request really signed by keys.venue_signer.VenueSigner, end to end against the emulator, and a
property test that diagnose_response never raises."""

from __future__ import annotations

import json
import socket
from email.utils import formatdate

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keys.demo import EXAMPLE_KEY, EXAMPLE_SECRET
from keys.hosts import transport_refusal
from keys.signing import AuthLevel, Credentials, FixedClock, OffsetClock, masked_header_value
from keys.venue_signer import VenueSigner
from tui.catalog import advice, http_row, rows, status_advice
from tui.catalog.advice import template
from tui.catalog.matching import read
from tui.diagnosis.diagnose import Diagnosis, Fix, Origin, Outcome, diagnose, diagnose_response, explain_code
from tui.diagnosis.evidence import clip
from tui.transport.envelope import read_envelope
from tui.emulator import Emulator
from tui.exchange import Draft, Exchange, FailureKind, ResponseData, SentRequest, TransportFailure
from tui.venues import VENUES
from tui.transport.wire import Wire

TS = 1589267764859
ORDER = '{"symbol":"BTCUSDT","side":1,"type":"limit","leverage":"10","open_type":"isolated","size":1,"price":"20000"}'
UID = "20481357"  # an account UID pasted where the memo belongs
BM, WX = VENUES["bitmart"], VENUES["wooxpro"]


def body(code, message="x") -> bytes:
    return json.dumps({"code": code, "message": message, "trace": "t", "data": {}}).encode()


def date_at(ms: int) -> str:
    return formatdate(ms / 1000, usegmt=True)


def signed(method="POST", path="/contract/private/submit-order", *, content: str | None = ORDER, query=None, memo="test001",
           secret=EXAMPLE_SECRET, key=EXAMPLE_KEY, clock=None, level=AuthLevel.SIGNED, venue=BM, headers=None) -> SentRequest:
    """A request signed by the real signer (no network): what the wire would record as sent."""
    request = httpx.Request(method, venue.base_url + path, params=query, content=None if content is None else content.encode(),
                            headers=headers)
    signer = VenueSigner(Credentials.of(key, secret, memo), venue.header_set, level, clock or FixedClock(TS), venue.hosts, venue.name)
    next(signer.auth_flow(request))
    masked = tuple((k, masked_header_value(k, v, venue.header_set)) for k, v in request.headers.multi_items())
    evidence = signer.evidence
    return SentRequest(request.method, str(request.url), masked, request.content, evidence)


def first(d: Diagnosis) -> Fix:
    return d.fixes[0]


# -- envelopes --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, phrase",
    [
        (b"<html><body><h1>502 Bad Gateway</h1></body></html>", "HTML"),
        (b"", "empty"),
        (b"   \n", "empty"),
        (b'{"code":30005,"message":"Header X-BM-SI', "truncated"),
        (b'{"error_msg": "404 Route Not Found"}', "no `code` field"),
        (b'{"code": null, "message": "x"}', "null"),
        (b'{"code": true}', "boolean"),
        (b'{"code": [30005]}', "a list"),
        (b'{"code": {"v": 1}}', "an object"),
        (b'{"code": 30005.5}', "30005.5"),
        (b'{"code": "abc"}', "'abc'"),
        (b"\xff\xfe\xfd not text", "not UTF-8"),
        (b"[1, 2, 3]", "JSON array"),
        (b'"just a string"', "JSON string"),
        (b"[" * 50_000, "cannot read"),
        (b'{"code": 1' + b"0" * 5000 + b"}", "cannot read"),
    ],
)
def test_anything_that_is_not_an_envelope_says_why(raw, phrase):
    env = read_envelope(raw)
    assert env.code is None and phrase in env.problem
    d = diagnose_response("bitmart", 502, [], raw)
    assert d.outcome is Outcome.NOT_ENVELOPE and phrase in d.causes[0] and d.category == "service"


@pytest.mark.parametrize("raw", [b'{"code":"30005"}', b'{"code":" 30005 "}', b'{"code":30005.0}', b'\xef\xbb\xbf{"code":30005}'])
def test_a_code_as_a_string_or_integral_float_is_still_the_code(raw):
    d = diagnose_response("bitmart", 401, None, raw)
    assert d.outcome is Outcome.DOCUMENTED_ERROR and d.code == 30005 and d.status_matches is True


def test_route_not_found_falls_back_to_the_http_table():
    d = diagnose_response("wooxpro", 404, {"content-type": "application/json"}, b'{"error_msg": "404 Route Not Found"}')
    assert d.outcome is Outcome.NOT_ENVELOPE and d.code is None
    assert d.row.table == "http" and d.message == "Not Found-The requested interface could not be found"
    assert d.body_message == "404 Route Not Found" and "404 Route Not Found" in d.headline
    assert d.category == "not found" and "cloud-api.wooxpro.com" in first(d).text


def test_a_non_utf8_byte_inside_a_message_keeps_the_envelope():
    d = diagnose_response("bitmart", 401, None, b'{"code":30005,"message":"Header X-BM-SIGN is wrong \xff"}')
    assert d.code == 30005 and d.body_message.endswith("\ufffd")
    json.dumps(d.to_dict(), ensure_ascii=False).encode("utf-8")


def test_a_lone_surrogate_in_the_message_can_still_be_printed():
    d = diagnose_response("bitmart", 401, [("x-odd", "\ud800")], b'{"code":30005,"message":"bad \\ud800 x"}')
    assert d.code == 30005 and d.body_message == "bad ? x"
    json.dumps(d.to_dict(), ensure_ascii=False).encode("utf-8")


def test_a_huge_body_is_scanned_not_parsed():
    raw = b'{"code":1000,"message":"OK","data":[' + b'{"v":12345678},' * 600_000 + b'{"v":0}]}'
    assert len(raw) > 8 * 1024 * 1024
    d = diagnose_response("bitmart", 200, [], raw)
    assert d.outcome is Outcome.SUCCESS and d.body_message == "OK" and any("first 64 KiB" in n for n in d.notes)
    assert diagnose_response("bitmart", 200, [], b"x" * (9 * 1024 * 1024)).outcome is Outcome.NOT_ENVELOPE


# -- documented and undocumented codes ----------------------------------------------------------------------------------


def test_success_and_status_comparison():
    ok = diagnose_response("bitmart", 200, [], body(1000, "OK"))
    assert ok.outcome is Outcome.SUCCESS and ok.status_matches is True and ok.http_status == 200
    odd = diagnose_response("bitmart", 200, [], body(30005, "Header X-BM-SIGN is wrong"))
    assert odd.status_matches is False and odd.http_status == 401 and odd.actual_status == 200
    assert "HTTP 200, documented 401" in odd.headline and any("this response came with HTTP 200" in n for n in odd.notes)
    # A 1000 is still a success when its HTTP status is not the documented 200, but the mismatch is said
    proxied = diagnose_response("bitmart", 202, [], body(1000, "OK"))
    assert proxied.outcome is Outcome.SUCCESS and proxied.status_matches is False and proxied.actual_status == 202
    assert proxied.headline == "1000 OK: success, HTTP 202, documented 200."
    assert "The document gives HTTP 200 for 1000; this response came with HTTP 202." in proxied.notes


def test_http_200_errors_are_errors():
    for code in (30016, 30019, 30030, 30031, 42000):
        d = diagnose_response("bitmart", 200, [], body(code))
        assert d.outcome is Outcome.DOCUMENTED_ERROR and d.status_matches is True
        assert any("HTTP 200 although it is an error" in n for n in d.notes)


def test_wooxpro_speaks_its_own_header_names():
    d = diagnose_response("wooxpro", 401, [], body(30005, "Header X-API-SIGN is wrong"))
    assert d.message == "Header X-API-SIGN is wrong" and d.venue == "wooxpro"
    text = json.dumps(d.to_dict())
    assert "X-BM-" not in text and "assumes BitMart's scheme with X-API-* headers" in text
    # The venue answering in the other wording is worth a note, not a different diagnosis.
    d2 = diagnose_response("wooxpro", 401, [], body(30005, "Header X-BM-SIGN is wrong"))
    assert d2.code == 30005 and any("differs from the document's wording" in n for n in d2.notes)


@pytest.mark.parametrize("code", [30009, 25601, 50043, 30015, 40051, -1, 0])
def test_undocumented_codes_are_said_so_and_never_guessed(code):
    d = diagnose_response("bitmart", 401, [], body(code, "Something odd"))
    assert d.outcome is Outcome.UNDOCUMENTED_CODE and d.code == code and d.message is None
    assert d.category == "undocumented" and f"Code {code} is not in BitMart's error-code document" in d.headline
    assert d.row is not None and d.row.table == "http" and d.row.code == 401  # the status row is still cited
    assert "'Something odd'" in d.headline
    # The fixes are the status row's (documented for any 401), never borrowed from a neighbouring code.
    assert d.fixes[0].text.startswith("Read the body's message") and [f.text for f in d.fixes[1:]] == list(advice(401).fixes)
    assert not d.fixes[0].evidence


def test_25601_carries_the_maintenance_note():
    assert any("25601" in n for n in diagnose_response("bitmart", 200, [], body(25601)).notes)


def test_explain_code_serves_rows_and_refuses_strangers():
    d = explain_code("wooxpro", 40021)
    assert d.message == "The position is not exsit" and d.http_status == 400 and d.actual_status is None
    assert explain_code("bitmart", 404).row.table == "http"
    assert explain_code("bitmart", 1000).outcome is Outcome.SUCCESS
    assert explain_code("bitmart", 30009).outcome is Outcome.UNDOCUMENTED_CODE
    with pytest.raises(ValueError, match="unknown venue"):
        explain_code("binance", 30005)


def test_venue_ids_map_to_their_family():
    assert diagnose_response("emulator", 401, [], body(30005)).venue == "bitmart"
    assert diagnose_response("bitmart-spot", 401, [], body(30005)).message == "Header X-BM-SIGN is wrong"


def test_to_dict_has_the_promised_keys():
    d = diagnose_response("bitmart", 401, [], body(30005), request=signed(memo=UID)).to_dict()
    for key in ("venue", "code", "message", "http_status", "category", "fixes", "causes", "notes", "outcome", "headline",
                "actual_status", "status_matches", "body_message", "row", "fix_evidence", "rows", "row_chosen", "origin"):
        assert key in d
    assert all(isinstance(f, str) for f in d["fixes"]) and len(d["fix_evidence"]) == len(d["fixes"])
    assert json.loads(json.dumps(d)) == d


# -- fixes ordered by evidence --------------------------------------------------------------------------------------


def test_without_evidence_the_fixes_keep_the_table_order():
    d = diagnose_response("bitmart", 401, [], body(30005))
    assert [f.text for f in d.fixes] == list(advice(30005).fixes) and all(f.evidence is None for f in d.fixes)


PROFILE = "The secret or the memo keyprobe signed with is not the key's"


def test_an_all_digit_memo_puts_the_memo_fix_first_without_printing_it():
    d = diagnose_response("bitmart", 401, [], body(30005), request=signed(memo=UID))
    assert d.origin is Origin.KEYPROBE  # keyprobe's signer recorded the evidence, so keyprobe signed it
    assert first(d).text.startswith(PROFILE) and "8 digits" in first(d).evidence
    assert "UID" in d.headline
    dumped = json.dumps(d.to_dict())
    assert UID not in dumped and EXAMPLE_SECRET not in dumped and EXAMPLE_KEY not in dumped


def test_an_empty_memo_is_evidence():
    d = diagnose_response("bitmart", 401, [], body(30005), request=signed(memo=""))
    assert first(d).text.startswith(PROFILE) and "empty" in first(d).evidence


def test_several_findings_keep_the_table_order_among_themselves():
    # An all-digit memo and a body re-serialised after signing: two findings, in the table's order (bytes, then memo).
    spaced = signed(memo=UID, content=json.dumps(json.loads(ORDER)))
    sent = SentRequest(spaced.method, spaced.url, spaced.headers, ORDER.encode(), spaced.evidence)
    d = diagnose_response("bitmart", 401, [], body(30005), request=sent, origin=Origin.ELSEWHERE)
    assert [f.text[:12] for f in d.fixes[:2]] == ["Sign exactly", "Set the memo"]
    assert "differs from the body sent" in d.fixes[0].evidence and "8 digits" in d.fixes[1].evidence
    assert not any(f.evidence for f in d.fixes[2:])


def test_a_body_that_differs_from_the_signed_payload():
    spaced = signed(content=json.dumps(json.loads(ORDER)))
    sent = SentRequest(spaced.method, spaced.url, spaced.headers, ORDER.encode(), spaced.evidence)  # re-serialised after signing
    d = diagnose_response("bitmart", 401, [], body(30005), request=sent, origin=Origin.ELSEWHERE)
    assert first(d).text.startswith("Sign exactly the bytes") and "differs from the body sent" in first(d).evidence


def test_a_get_carrying_a_body():
    d = diagnose_response("bitmart", 401, [], body(30005), request=signed("GET", "/contract/private/order", content='{"a":1}'),
                          origin=Origin.ELSEWHERE)
    assert first(d).text.startswith("For GET and DELETE") and "GET carried a 7-byte body" in first(d).evidence


def test_a_timestamp_in_seconds():
    d = diagnose_response("bitmart", 401, [], body(30008), request=signed(clock=FixedClock(TS // 1000)))
    assert "10 digits (1589267764): seconds" in first(d).evidence and "13-digit" in first(d).text


def test_the_clock_offset_applied_is_evidence_for_30007():
    d = diagnose_response("bitmart", 401, [], body(30007), request=signed(clock=OffsetClock(offset_ms=1500, apply=True)))
    assert first(d).text.startswith("Check the clock") and "+1500 ms was applied" in first(d).evidence
    d0 = diagnose_response("bitmart", 401, [], body(30007), request=signed())
    assert "no server clock offset was applied" in first(d0).evidence


def test_the_date_header_tells_skew_from_a_stale_timestamp():
    far = diagnose_response("bitmart", 401, [("Date", date_at(TS + 95_000))], body(30007), request=signed())
    assert first(far).evidence.startswith("the signed timestamp is -95 s from the server's Date header")
    near = diagnose_response("bitmart", 401, [("Date", date_at(TS + 2_000))], body(30007), request=signed())
    stale = next(f for f in near.fixes if f.text.startswith("Re-sign"))
    assert stale.evidence and "clock looks right" in stale.evidence


def test_a_body_that_is_not_json():
    sent = signed(content="symbol=BTCUSDT&side=1", headers={"Content-Type": "application/x-www-form-urlencoded"})
    d = diagnose_response("bitmart", 503, [], body(30018), request=sent)
    assert first(d).text.startswith("Send the body as a JSON string")
    assert "not valid JSON" in first(d).evidence and "application/x-www-form-urlencoded" in first(d).evidence


def test_a_keyed_call_to_a_signed_endpoint():
    sent = signed(level=AuthLevel.KEYED)
    draft = Draft(BM, "POST", "/contract/private/submit-order", body=ORDER, auth=AuthLevel.KEYED)
    d = diagnose_response("bitmart", 401, [], body(30004), request=sent, draft=draft)
    assert first(d).text.startswith("Send this endpoint SIGNED") and "went out KEYED" in first(d).evidence
    assert "lists /contract/private/submit-order as SIGNED" in first(d).evidence


def test_a_draft_alone_is_read_for_evidence():
    """The console's preview diagnosis has a draft, no request and no response headers yet."""
    draft = Draft(BM, "POST", "/contract/private/submit-order", body=ORDER, auth=AuthLevel.KEYED)
    d = diagnose_response("bitmart", 401, (), body(30004), draft=draft)
    assert "lists /contract/private/submit-order as SIGNED" in first(d).evidence


def test_a_code_alone_gathers_no_evidence_and_loads_no_evidence_module(monkeypatch):
    """`keyprobe decode CODE` starts in 3x `python -c pass` partly because nothing to read means no evidence module."""
    import sys

    monkeypatch.delitem(sys.modules, "tui.diagnosis.evidence")
    d = diagnose_response("bitmart", 401, (), body(30005))
    assert d.code == 30005 and d.fixes and "tui.diagnosis.evidence" not in sys.modules


def test_a_missing_or_foreign_key_header():
    bare = SentRequest("GET", BM.base_url + "/contract/private/assets-detail", (("Accept", "*/*"),), b"")
    d = diagnose_response("bitmart", 401, [], body(30001), request=bare, draft=Draft(BM, "GET", "/contract/private/assets-detail"))
    assert "no X-BM-KEY header was sent" in first(d).evidence
    foreign = SentRequest("GET", WX.base_url + "/contract/private/assets-detail", (("X-BM-KEY", "#d84ea451"),), b"")
    d2 = diagnose_response("wooxpro", 401, [], body(30002), request=foreign)
    assert "carried X-BM-KEY, but WOO X Pro expects X-API-KEY" in first(d2).evidence


@pytest.mark.parametrize(
    "code, payload, needle",
    [
        (40034, '{"symbol":"BTC_USDT","side":1}', "'BTC_USDT'"),
        (40049, '{"symbol":"BTCUSDT","client_order_id":"' + "a" * 40 + '"}', "40 characters"),
        (40048, '{"symbol":"BTCUSDT","client_order_id":"my-order_1"}', "'-_'"),
    ],
)
def test_order_fields_are_evidence(code, payload, needle):
    d = diagnose_response("bitmart", 400, [], body(code), request=signed(content=payload))
    assert first(d).evidence and needle in first(d).evidence


def test_rate_limit_headers_are_evidence():
    headers = [("x-bm-ratelimit-remaining", "0"), ("x-bm-ratelimit-limit", "12"), ("x-bm-ratelimit-reset", "2")]
    d = diagnose_response("bitmart", 429, headers, body(30013), request=signed())
    assert first(d).text.startswith("Back off") and "x-bm-ratelimit-reset: 2" in first(d).evidence


def test_a_contract_path_on_the_spot_host():
    sent = signed("GET", "/contract/private/assets-detail", content=None, level=AuthLevel.KEYED, venue=VENUES["bitmart-spot"])
    d = diagnose_response("bitmart", 200, [], body(30030), request=sent)
    assert "api-cloud-v2" in first(d).text and "the spot host" in first(d).evidence


# -- Exchanges, end to end ------------------------------------------------------------------------------------------


async def test_end_to_end_a_skewed_server_is_30007_with_the_date_as_evidence():
    with Emulator(skew_s=120) as emu:
        async with Wire() as wire:
            draft = Draft(emu.venue, "POST", "/contract/private/submit-order", body=ORDER)
            emu.controls.skew_s = 0
            ok = await wire.send(draft, emu.demo_credentials())
            emu.controls.skew_s = 120
            skewed = await wire.send(draft, emu.demo_credentials())
    # With a 120 s skew the emulator refuses the timestamp before it looks at the signature.
    assert diagnose(ok).outcome is Outcome.SUCCESS
    d = diagnose(skewed)
    assert d.code == 30007 and d.status_matches is True
    assert first(d).evidence.startswith("the signed timestamp is -120 s from the server's Date header")


async def test_end_to_end_wrong_memo_is_30005_with_the_memo_first(emu):
    async with Wire() as wire:
        ex = await wire.send(Draft(emu.venue, "POST", "/contract/private/submit-order", body=ORDER),
                             Credentials.of(EXAMPLE_KEY, EXAMPLE_SECRET, UID))
    d = diagnose(ex)
    assert d.outcome is Outcome.DOCUMENTED_ERROR and d.code == 30005 and d.actual_status == 401 and d.status_matches
    assert first(d).text.startswith(PROFILE) and "8 digits" in first(d).evidence and d.origin is Origin.KEYPROBE
    assert UID not in json.dumps(d.to_dict())


async def test_end_to_end_a_refused_connection_and_an_html_502(emu):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    venue = VENUES["emulator"].at(f"http://127.0.0.1:{port}")
    async with Wire() as wire:
        refused = await wire.send(Draft(venue, "GET", "/system/time"), None)
        emu.controls.fault = "html502"
        html = await wire.send(Draft(emu.venue, "GET", "/system/time"), None)
    d = diagnose(refused)
    assert d.outcome is Outcome.TRANSPORT_FAILURE and d.headline == refused.failure.sentence and "emulator" in first(d).text
    h = diagnose(html)
    assert h.outcome is Outcome.NOT_ENVELOPE and h.actual_status == 502 and "HTML" in h.headline and h.category == "service"


def test_a_truncated_body_is_noted():
    response = ResponseData(200, "OK", (), b'{"code":1000,"message":"OK","data":[1,2', truncated=True, size=10_000)
    d = diagnose(Exchange(Draft(BM, "GET", "/system/time"), None, response))
    assert d.outcome is Outcome.NOT_ENVELOPE and any("cut at 39 of 10,000 bytes" in n for n in d.notes)


# -- never raises -----------------------------------------------------------------------------------------------------

DOCUMENTED = sorted({r.code for r in rows("bitmart")})
header_lists = st.lists(st.tuples(st.text(max_size=30), st.text(max_size=60)), max_size=6)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20) | st.sampled_from(DOCUMENTED),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)


urls = st.one_of(st.text(max_size=40), st.builds(lambda host, path: f"http://{host}/contract/{path}", st.text(max_size=12),
                                                  st.text(max_size=20)))


def _sound(d: Diagnosis) -> None:
    assert d.category != "internal", d.causes  # the analysis itself did not fail
    assert not any("could not read the request's evidence" in n for n in d.notes), d.notes
    assert d.headline and isinstance(d.outcome, Outcome)
    json.dumps(d.to_dict(), ensure_ascii=False).encode("utf-8")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(status=st.integers(100, 599), headers=header_lists, raw=st.binary(max_size=2048), venue=st.sampled_from(["bitmart", "wooxpro"]))
def test_never_raises_on_arbitrary_bytes(status, headers, raw, venue):
    _sound(diagnose_response(venue, status, headers, raw))


@settings(max_examples=300, deadline=None)
@given(status=st.integers(100, 599), headers=header_lists, code=json_values, message=json_values,
       extra=st.dictionaries(st.text(max_size=8), json_values, max_size=3))
def test_never_raises_on_json_shaped_bodies(status, headers, code, message, extra):
    raw = json.dumps({**extra, "code": code, "message": message}).encode()
    _sound(diagnose_response("bitmart", status, headers, raw))


@settings(max_examples=200, deadline=None)
@given(method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "get"]), url=urls,
       headers=header_lists, raw=st.binary(max_size=300), code=st.sampled_from(DOCUMENTED + [30009]),
       status=st.integers(100, 599))
def test_never_raises_on_odd_sent_requests(method, url, headers, raw, code, status):
    sent = SentRequest(method, url, tuple(headers), raw)
    _sound(diagnose_response("wooxpro", status, headers, body(code), request=sent))


@pytest.mark.parametrize("url", ["http://[::1", "http://[", "", "\x00", "http://a:99999999/contract/x"])
def test_unparseable_urls_are_still_diagnosed(url):
    _sound(diagnose_response("bitmart", 401, [], body(30005), request=SentRequest("POST", url, (), b"{}")))


@pytest.mark.parametrize(
    "code,documented,actual",
    [
        (30005, 401, 403),  # same class (4xx), another status: a mismatch all the same
        (30010, 403, 401),
        (40001, 400, 404),
        (30000, 404, 400),
    ],
)
def test_a_status_of_the_same_class_but_another_number_is_a_mismatch(code, documented, actual):
    d = diagnose_response("bitmart", actual, [], body(code))
    assert d.http_status == documented and d.actual_status == actual and d.status_matches is False
    assert f"HTTP {actual}, documented {documented}" in d.headline
    assert any(f"this response came with HTTP {actual}" in n for n in d.notes)
    same = diagnose_response("bitmart", documented, [], body(code))
    assert same.status_matches is True and f"HTTP {documented} as documented" in same.headline


@pytest.mark.parametrize("status,actual", [(502, 502), (None, None), ("502", None)])  # a status read from a file may be text
def test_a_bug_in_the_analysis_is_a_sentence_with_the_raw_response_kept(monkeypatch, status, actual):
    def broken(body):
        raise KeyError("a decoder bug")

    monkeypatch.setattr("tui.diagnosis.diagnose.read_envelope", broken)
    d = diagnose_response("wooxpro", status, [], body(30005))
    sentence = "keyprobe could not analyse this response (KeyError); the raw response is shown as received."
    assert d.outcome is Outcome.NOT_ENVELOPE and d.venue == "wooxpro" and d.category == "internal"
    assert d.code is None and d.message is None and d.row is None and d.http_status is None
    assert d.actual_status == actual and d.status_matches is None
    assert d.headline == sentence and d.causes == (sentence,) and d.notes == ()
    assert [f.text for f in d.fixes] == ["Please report this response (without keys) to keyprobe's maintainers."]


def test_a_send_with_no_response_and_no_failure_says_nothing_was_recorded():
    d = diagnose(Exchange(Draft(VENUES["bitmart"], "GET", "/system/time"), None))
    sentence = "No response was recorded for this request."
    assert d.outcome is Outcome.TRANSPORT_FAILURE and d.category == "transport" and d.headline == sentence
    assert d.causes == (sentence,) and d.notes == ()
    assert [f.text for f in d.fixes] == ["Retry; if it repeats, check the network and the base URL."]


@pytest.mark.parametrize("kind,category", [(FailureKind.REFUSED, "transport"), (FailureKind.DNS, "transport")])
def test_a_transport_failure_keeps_its_sentence_fix_and_clipped_detail(kind, category):
    from tui.diagnosis.diagnose import TRANSPORT_FIXES, _clip

    detail = "ConnectError: " + "x" * 400
    failure = TransportFailure(kind, "It failed like this.", detail)
    d = diagnose(Exchange(Draft(VENUES["bitmart"], "GET", "/system/time"), None, failure=failure))
    assert d.outcome is Outcome.TRANSPORT_FAILURE and d.category == category and d.headline == "It failed like this."
    assert [f.text for f in d.fixes] == [TRANSPORT_FIXES[kind]]
    assert d.notes == (f"Detail: {_clip(detail, 300)}",) and len(d.notes[0]) < len(detail)
    assert diagnose(Exchange(Draft(VENUES["bitmart"], "GET", "/x"), None, failure=TransportFailure(kind, "s"))).notes == ()
    refused = TransportFailure(FailureKind.SIGNING_REFUSED, "s")
    assert diagnose(Exchange(Draft(VENUES["bitmart"], "GET", "/x"), None, failure=refused)).category == "key binding"


@pytest.mark.parametrize(
    "sentence, fix",
    [  # the signer's own sentences (keys/hosts.py): only the host-binding one is fixed by choosing the profile
        (transport_refusal("https", "api.example.com", None, BM.hosts, BM.name), "choose the profile for this venue"),
        (transport_refusal("https", BM.host, 8443, BM.hosts, BM.name), "change what the sentence above names"),
        (transport_refusal("http", BM.host, None, BM.hosts, BM.name), "change what the sentence above names"),
        ("The API key belongs to nobody: it starts with whitespace.", "change what the sentence above names"),
    ],
)
def test_a_refused_signing_gets_the_fix_its_sentence_needs(sentence, fix):
    failure = TransportFailure(FailureKind.SIGNING_REFUSED, sentence)
    d = diagnose(Exchange(Draft(WX, "GET", "/x"), None, failure=failure))
    assert d.outcome is Outcome.TRANSPORT_FAILURE and d.venue == "wooxpro" and d.category == "key binding"
    assert d.headline == sentence and d.causes == (sentence,) and len(d.fixes) == 1 and fix in d.fixes[0].text


def test_diagnose_reads_the_draft_and_passes_the_origin_and_known_evidence():
    # What only the draft shows (the level it was sent at, against the endpoint table), the caller's origin and
    # the caller's evidence all reach the diagnosis of an Exchange.
    draft = Draft(BM, "POST", "/contract/private/submit-order", body=ORDER, auth=AuthLevel.KEYED)
    response = ResponseData(401, "Unauthorized", (), body(30004))
    exchange = Exchange(draft, signed(level=AuthLevel.KEYED), response)
    d = diagnose(exchange)
    assert d.origin is Origin.KEYPROBE and "lists /contract/private/submit-order as SIGNED" in first(d).evidence
    told = diagnose(exchange, origin=Origin.ELSEWHERE, evidence=(("level", "the probe's KEYED step passed"),))
    assert told.origin is Origin.ELSEWHERE and "the probe's KEYED step passed" in first(told).evidence


@pytest.mark.parametrize(
    "venue, code, headline",
    [
        ("bitmart", 30005, "30005 Header X-BM-SIGN is wrong: signature, documented HTTP 401."),
        ("bitmart", 90001, "90001 Invalid message format: websocket, no documented HTTP status (a WebSocket code)."),
        ("wooxpro", 404, "HTTP 404: Not Found-The requested interface could not be found (not found, global HTTP table)."),
    ],
)
def test_explain_code_says_the_row_its_category_and_status_and_gives_the_fixes(venue, code, headline):
    d = explain_code(venue, code)
    assert d.headline == headline and d.actual_status is None and d.status_matches is None
    expected = status_advice(code, venue) if d.row.table == "http" else template(code, venue, None)
    assert [f.text for f in d.fixes] == list(expected.fixes) and d.causes == expected.causes


def test_explain_code_of_an_http_status_gives_that_venues_fixes():
    bitmart, woox = explain_code("bitmart", 403), explain_code("wooxpro", 403)
    assert "on WOO X Pro" in woox.fixes[0].text and "on BitMart" in bitmart.fixes[0].text
    assert woox.headline.startswith("HTTP 403: Forbidden-No permission") and "(permission, global HTTP table)." in woox.headline


@pytest.mark.parametrize(
    "venue, code, headline, cause",
    [
        ("wooxpro", 60000, "Code 60000 is a BitMart funding account code that WOO X Pro does not document.",
         "Code 60000 is a BitMart funding account code ('Invalid request (maybe the body is empty, or the int parameter "
         "passes string data)' in BitMart's documents) that WOO X Pro does not document"),
        ("wooxpro", 70000, "Code 70000 is a BitMart spot market code that WOO X Pro does not document.",
         "Code 70000 is a BitMart spot market code ('no data' in BitMart's documents)"),
        ("wooxpro", 12345, "Code 12345 is not in WOO X Pro's error-code document.",
         "Code 12345 is not in WOO X Pro's error-code document, so keyprobe does not guess what it means."),
        ("bitmart", 12345, "Code 12345 is not in BitMart's error-code documents.",
         "Code 12345 is not in BitMart's error-code documents, so keyprobe does not guess what it means."),
    ],
)
def test_an_undocumented_code_names_the_document_it_is_missing_from(venue, code, headline, cause):
    d = explain_code(venue, code)
    assert d.outcome is Outcome.UNDOCUMENTED_CODE and d.headline == headline and d.causes[0].startswith(cause)
    with_body = diagnose_response(venue, 404, [], body(code, "Odd thing"))
    assert with_body.causes[1] == "The body's own message: 'Odd thing'." and with_body.row.code == 404


def test_every_bitmart_table_has_words():
    # _undocumented names a BitMart row's table in words: a table without them would be an internal error.
    from tui.catalog.documents import family_rows
    from tui.diagnosis.diagnose import TABLE_WORDS

    assert {r.table for r in family_rows("bitmart")} - {"http"} <= set(TABLE_WORDS)


# -- the exact sentences of the paths without a documented row ----------------------------------------------------------

LONG = "Route " + "r" * 250  # longer than every clip width, so each width shows


def test_a_response_without_an_envelope_says_so_with_its_status_row_and_message():
    d = diagnose_response("wooxpro", 403, [], json.dumps({"error_msg": LONG}).encode())
    row = http_row("wooxpro", 403)
    assert (d.outcome, d.venue, d.code, d.message, d.body_message) == (Outcome.NOT_ENVELOPE, "wooxpro", None, row.message, LONG)
    assert (d.http_status, d.actual_status, d.status_matches, d.category) == (403, 403, None, "permission")
    assert d.causes[:3] == ("The response is not WOO X Pro's JSON envelope: the JSON has no `code` field.",
                            f"The body's own message: {clip(LONG, 200)!r}.", f"HTTP 403 in the global table: {row.message}.")
    assert d.headline == (f"HTTP 403 without WOO X Pro's JSON envelope: the JSON has no `code` field, saying {clip(LONG, 60)!r} "
                          f"(documented: {clip(row.message, 70)}).")
    assert d.to_dict()["row"] == {"table": "http", "code": 403, "message": row.message, "http_status": 403, "document": "wooxpro"}


def test_a_response_without_an_envelope_or_a_status_asks_for_the_status():
    d = diagnose_response("wooxpro", None, [], b"<html><body>Bad gateway</body></html>")
    problem = "the body is an HTML or XML page (a gateway, proxy or error page), not JSON"
    assert (d.outcome, d.venue, d.row, d.http_status, d.actual_status, d.category) == (Outcome.NOT_ENVELOPE, "wooxpro", None, None, None, "unknown")
    assert d.causes == (f"The response is not WOO X Pro's JSON envelope: {problem}.",) and d.notes == ()
    assert d.fixes == (Fix("Pass the HTTP status (--status) to compare it with the documented rows."),)
    assert d.headline == f"A response without WOO X Pro's JSON envelope: {problem}."


def test_an_undocumented_code_cites_the_status_row_and_the_body_exactly():
    d = diagnose_response("bitmart", 403, [], body(12345, LONG), request=signed())
    row = http_row("bitmart", 403)
    assert (d.outcome, d.venue, d.body_message, d.row, d.http_status, d.actual_status) == (Outcome.UNDOCUMENTED_CODE, "bitmart", LONG, row, 403, 403)
    assert d.causes == ("Code 12345 is not in BitMart's error-code documents, so keyprobe does not guess what it means.",
                        f"The body's own message: {clip(LONG, 200)!r}.", f"HTTP 403 is documented in the global table: {row.message}.")
    assert d.headline == (f"Code 12345 is not in BitMart's error-code documents (HTTP 403: {clip(row.message, 60)}); "
                          f"the body says {clip(LONG, 60)!r}.")
    assert d.notes == ("BitMart's documents list 1000, 30000-30031, 40001-42000 (futures), 50000-59011, 60000-61008, "
                       "70000-71005 (spot, margin, account) and 90001-95000 (WebSocket); this code is in none of them.",)
    # The 403's fix names the permission the called endpoint needs, with that as its evidence.
    needs = "POST /contract/private/submit-order needs the futures trade permission (BitMart's API key permission table)"
    assert d.fixes[1].evidence == needs and "the futures trade permission, which POST" in d.fixes[1].text
    html = diagnose_response("bitmart", 403, [], b"<html></html>", request=signed())
    assert html.fixes[0].evidence == needs


@pytest.mark.parametrize("status, fixes", [(400, 3), (399, 1)])
def test_an_undocumented_code_takes_the_status_fixes_from_400_up(status, fixes):
    d = diagnose_response("wooxpro", status, [], body(12345))
    assert d.headline == f"Code 12345 is not in WOO X Pro's error-code document (HTTP {status}); the body says 'x'." and len(d.fixes) == fixes
    assert d.notes == ("WOO X Pro's document lists 1000, 30000-30031 and 40001-42000 (futures).",) and d.row is None


def test_a_documented_code_without_a_status_gives_the_documented_one():
    assert diagnose_response("bitmart", None, [], body(30005)).headline == "30005 Header X-BM-SIGN is wrong: signature, documented HTTP 401."
    assert diagnose_response("bitmart", None, [], body(90001)).headline == (
        "90001 Invalid message format: websocket, no documented HTTP status (a WebSocket code).")


def test_every_permission_advice_has_the_permission_slot():
    # _diagnose gathers the called endpoint's permission only for slotted advice: a fix about permissions
    # without the slot would lose its evidence.
    from tui.catalog.documents import family_rows
    from tui.catalog.matching import read
    from tui.diagnosis.diagnose import _wanted

    for family in ("bitmart", "wooxpro"):
        for row in family_rows(family):
            reading = read(family, row.code, row.message)
            if reading is not None and "permission" in _wanted(reading.advice.topics):
                assert reading.slotted, (family, row.code)


@pytest.mark.parametrize("status", [True, "401", 401.0])
def test_a_status_that_is_not_an_int_is_no_status(status):
    d = diagnose_response("bitmart", status, [], body(30005))
    assert d.actual_status is None and d.status_matches is None and d.headline.endswith("documented HTTP 401.")


def test_a_status_for_a_code_with_no_documented_one_is_just_reported():
    assert diagnose_response("bitmart", 200, [], body(90001)).headline == "90001 Invalid message format: websocket, HTTP 200."


@pytest.mark.parametrize("code", [12345, None])  # undocumented, and no envelope at all
def test_the_permission_evidence_comes_from_the_draft_when_no_request_was_sent(code):
    raw = body(code) if code else b"<html></html>"
    d = diagnose_response("bitmart", 403, [], raw, draft=Draft(BM, "POST", "/contract/private/submit-order", body=ORDER))
    assert any(f.evidence == "POST /contract/private/submit-order needs the futures trade permission (BitMart's API key "
               "permission table)" for f in d.fixes), d.fixes


# -- the documented path's own sentences ---------------------------------------------------------------------------------


def test_a_documented_error_without_evidence_ends_at_its_status():
    assert diagnose_response("bitmart", 401, [], body(30005)).headline == "30005 Header X-BM-SIGN is wrong: signature, HTTP 401 as documented."


def test_the_headline_shows_the_first_clause_of_the_first_evidence_clipped():
    # Two clock findings back the first fix ("a; b"): the headline shows the first only.
    far = diagnose_response("bitmart", 401, [("Date", date_at(TS + 95_000))], body(30007), request=signed())
    clauses = first(far).evidence.split("; ")
    assert len(clauses) == 2 and far.headline.endswith(f"; the request shows: {clauses[0]}.") and clauses[1] not in far.headline
    # A clause longer than 120 characters is cut at 120.
    path = "/contract/private/" + "x" * 70
    d = diagnose_response("bitmart", 401, [], body(30019), draft=Draft(BM, "POST", path, body=ORDER))
    clause = f"POST {clip(path, 60)} needs the futures trade permission (BitMart's API key permission table)"
    assert len(clause) > 120 and first(d).evidence == clause and d.headline.endswith(f"; the request shows: {clip(clause, 120)}.")


def test_notes_for_a_mismatched_status_another_wording_and_several_rows_all_stay():
    d = diagnose_response("bitmart", 500, [], body(30007, LONG))
    assert "The document gives HTTP 401 for 30007; this response came with HTTP 500." in d.notes
    assert f"The body's message differs from the document's wording: {clip(LONG, 200)!r}." not in d.notes  # no row picked
    assert read("bitmart", 30007, LONG).notes[0].startswith("30007 has 4 documented messages and none was picked")
    assert d.notes[-len(read("bitmart", 30007, LONG).notes):] == read("bitmart", 30007, LONG).notes  # after the status note
    worded = diagnose_response("bitmart", 401, [], body(30005, LONG))
    assert f"The body's message differs from the document's wording: {clip(LONG, 200)!r}." in worded.notes


@pytest.mark.parametrize("venue, code, noted", [("wooxpro", 30001, True), ("wooxpro", 30012, True), ("wooxpro", 30013, False),
                                                 ("wooxpro", 30000, False), ("wooxpro", 40001, False), ("bitmart", 30005, False)])
def test_wooxpro_auth_codes_carry_the_signing_scheme_note(venue, code, noted):
    note = "WOO X Pro's REST signing is not publicly documented: keyprobe assumes BitMart's scheme with X-API-* headers."
    assert (note in diagnose_response(venue, None, [], body(code)).notes) is noted


def test_evidence_that_cannot_be_read_is_a_note_and_the_table_order(monkeypatch):
    def broken(*args):
        raise KeyError("an evidence bug")

    monkeypatch.setattr("tui.diagnosis.evidence.findings", broken)
    d = diagnose_response("bitmart", 401, [], body(30005), request=signed(memo=UID))
    assert "keyprobe could not read the request's evidence (KeyError); fixes are in the table's order." in d.notes
    assert d.outcome is Outcome.DOCUMENTED_ERROR and not any(f.evidence for f in d.fixes)


def test_a_slotted_advice_names_the_drafts_endpoint_when_no_request_was_sent():
    d = diagnose_response("bitmart", 401, [], body(30019), draft=Draft(BM, "POST", "/contract/private/submit-order", body=ORDER))
    assert "the futures trade permission, which POST /contract/private/submit-order needs" in " ".join(f.text for f in d.fixes)


def test_a_venue_of_an_unknown_family_is_refused():
    from types import SimpleNamespace

    from tui.diagnosis.diagnose import family_of

    assert family_of(SimpleNamespace(family="wooxpro")) == "wooxpro" and family_of("emulator") == "bitmart"
    with pytest.raises(ValueError, match="unknown venue"):
        family_of(SimpleNamespace(family="binance"))
